// The team queue: a catalog's image jobs in the team's PostgreSQL (pg-boss, its own schema), taken by
// workers on every GPU workstation, the registry of those workers, the team's image bucket, the
// sender's side (dispatch) and the worker itself.
export { sha256Hex, TEAM_PREFIX, TeamBucket } from './bucket.ts';
export { TeamConnection, type TeamTarget } from './connection.ts';
export { TeamDispatch, type TeamJobProgress } from './dispatch.ts';
export {
  TeamJobKindSchema,
  type TeamRenderJob,
  TeamRenderJobSchema,
  type TeamRenderResult,
  TeamRenderResultSchema,
} from './payload.ts';
export { familyToClaim, gpuKey, type ModelDefaults, type TeamPlacementInput } from './placement-view.ts';
export {
  type ClaimedJob,
  familyQueue,
  type TeamPlanEntry,
  TeamQueue,
  type TeamQueueOptions,
} from './queue.ts';
export {
  type TeamWorker,
  WORKER_BEAT_SECONDS,
  type WorkerBackend,
  WorkerBackendSchema,
  WorkerRegistry,
} from './registry.ts';
export { type TeamWorkerOptions, TeamWorkerRunner } from './worker.ts';
export { type GpuClientOptions, WorkerGpu } from './worker-gpu.ts';
