// The jobs capability: a job's whole life. The scheduler decides what runs where and when; the
// lifecycle is the only writer of job, asset and gallery status; job sources feed the scheduler.
export type { BackendWatchOptions, LaneDownState } from './backend-watch.ts';
export { classifyFault, type FaultClass, faultLabel } from './fault-policy.ts';
export { type LaneCostOptions, LaneCosts, type UsageSample } from './lane-costs.ts';
export { type GallerySettlement, JobLifecycle, jobRef, type LifecycleContext } from './lifecycle.ts';
export {
  type ExecutionCallbacks,
  type JobResult,
  type RenderedFile,
  type RenderParams,
  type UsageRecord,
  usageRecord,
} from './outcome.ts';
export { LocalPlacement, type LocalPlacementDeps } from './placement-pick.ts';
export { ReadyQueue } from './ready-queue.ts';
export { Scheduler } from './scheduler.ts';
export { type JobSource, LocalJournalSource, type SourcedJob } from './source.ts';
export {
  ASSET_TRANSITIONS,
  assertAssetTransition,
  assertGalleryTransition,
  assertJobTransition,
  GALLERY_TRANSITIONS,
  JOB_TRANSITIONS,
} from './transitions.ts';
export type {
  JobOutcomeError,
  Lane,
  LaneKind,
  QueuedJob,
  SchedulerHooks,
  SchedulerOptions,
} from './types.ts';
