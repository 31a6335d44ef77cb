// The team queue: a catalog's image jobs in the team's PostgreSQL (pg-boss, its own schema), taken by
// workers on every GPU workstation, and the registry of those workers.
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
export { type TeamWorker, type WorkerBackend, WorkerBackendSchema, WorkerRegistry } from './registry.ts';
