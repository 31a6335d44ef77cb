export { copyMessages, fallbackCopy, imagePrompt, productFacts } from './copy-prompt.ts';
export {
  assetId,
  type JobPayload,
  JobPayloadSchema,
  type PlannedJob,
  type PlanOptions,
  type ShowcasePlan,
  ShowcasePlanner,
  templateIdFor,
} from './planner.ts';
export { assetSeed, baseSeedFor, rerollSeed } from './seeds.ts';
