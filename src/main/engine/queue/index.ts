export type { BackendWatchOptions, LaneDownState } from './backend-watch.ts';
export { classifyFault, type FaultClass, faultLabel } from './fault-policy.ts';
export {
  type JobOutcomeError,
  type Lane,
  type LaneKind,
  type QueuedJob,
  Scheduler,
  type SchedulerHooks,
  type SchedulerOptions,
} from './scheduler.ts';
