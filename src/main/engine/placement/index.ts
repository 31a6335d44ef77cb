// Placement: which GPU runs which image job (earliest finish, speed, queue and model swaps counted).
export { byPriority, canRun, pickJob, planHead } from './policy.ts';
export type { PlacementCosts, PlacementGpu, PlacementJob } from './types.ts';
