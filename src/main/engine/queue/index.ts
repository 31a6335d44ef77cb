export {
  type JobOutcomeError,
  type Lane,
  type LaneKind,
  type QueuedJob,
  Scheduler,
  type SchedulerHooks,
  type SchedulerOptions,
} from './scheduler.ts';
