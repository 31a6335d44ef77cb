// The operator's edit loop in the contract: preset and prompt history (who, when, what), field-level
// diffs between two versions, derived images that went stale when their source changed.
import { z } from 'zod';
import { ParamValueSchema, PromptPresetSchema, ShowcasePromptsSchema } from './domain.ts';

/** Who made a change: the station or operator name (defaults to user@host on the engine side). */
export const AuthorSchema = z.string().trim().min(1, 'must not be empty').max(120);

export const editSubjects = ['preset', 'prompt'] as const;
export const EditSubjectSchema = z.enum(editSubjects);
export type EditSubject = z.infer<typeof EditSubjectSchema>;

export const editActions = ['create', 'update', 'duplicate', 'delete', 'rollback'] as const;
export const EditActionSchema = z.enum(editActions);
export type EditAction = z.infer<typeof EditActionSchema>;

/** The prompts of one showcase the operator can edit (the copy's image prompts). */
export const PromptSetSchema = ShowcasePromptsSchema;

/** Some of a showcase's prompts (no defaults: a field left out is not changed). */
export const PromptPatchSchema = z.object({
  hero: z.string().min(1).max(2000).optional(),
  lifestyle: z.string().min(1).max(2000).optional(),
  variations: z.array(z.string().min(1).max(2000)).min(1).max(8).optional(),
  negative: z.string().max(2000).optional(),
});
export type PromptSet = z.infer<typeof PromptSetSchema>;

/** What a preset version holds: the preset as it was, without its timestamp. */
export const PresetSnapshotSchema = PromptPresetSchema.omit({ updatedAt: true });
export type PresetSnapshot = z.infer<typeof PresetSnapshotSchema>;

export const EditVersionSchema = z.object({
  subject: EditSubjectSchema,
  /** The preset id or the gallery id. */
  subjectId: z.string(),
  /** 1, 2, 3 … per subject. */
  version: z.number().int().positive(),
  action: EditActionSchema,
  author: z.string(),
  at: z.string(),
  /** The fields this version changed against the one before it. */
  changed: z.array(z.string()),
  /** For a rollback: the version it went back to. */
  rollbackOf: z.number().int().positive().nullable(),
  /** The whole preset or prompt set after this change (a deleted preset keeps its last content). */
  data: z.record(z.string(), z.json()),
});
export type EditVersion = z.infer<typeof EditVersionSchema>;

export const FieldDiffSchema = z.object({
  field: z.string(),
  before: z.json(),
  after: z.json(),
});
export type FieldDiff = z.infer<typeof FieldDiffSchema>;

export const VersionDiffSchema = z.object({
  from: EditVersionSchema,
  to: EditVersionSchema,
  /** Only the fields that differ. */
  fields: z.array(FieldDiffSchema),
});
export type VersionDiff = z.infer<typeof VersionDiffSchema>;

const PresetIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes (e.g. "summer-sale")');

export const PresetDraftSchema = z.object({
  /** Derived from the name when omitted. */
  id: PresetIdSchema.optional(),
  name: z.string().trim().min(1, 'a preset needs a name').max(200),
  prefix: z.string().max(2000).default(''),
  negative: z.string().max(2000).default(''),
  style: z.string().max(500).default(''),
  lighting: z.string().max(500).default(''),
  params: z.record(z.string(), ParamValueSchema).default({}),
  author: AuthorSchema.optional(),
});

export const PresetPatchSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().trim().min(1, 'a preset needs a name').max(200).optional(),
  prefix: z.string().max(2000).optional(),
  negative: z.string().max(2000).optional(),
  style: z.string().max(500).optional(),
  lighting: z.string().max(500).optional(),
  params: z.record(z.string(), ParamValueSchema).optional(),
  author: AuthorSchema.optional(),
  /** Re-render, in the latest showcase of every product using this preset, what the change affects. */
  rerender: z.boolean().default(false),
});

/** Assets re-rendered because of a change, and the ones that were not affected. */
export const RerenderReportSchema = z.object({
  jobIds: z.array(z.string()),
  /** `gallery/kind/idx` of every asset queued again. */
  assets: z.array(z.string()),
  /** Why nothing (or only part) was re-rendered. */
  note: z.string().nullable(),
});
export type RerenderReport = z.infer<typeof RerenderReportSchema>;

export const StaleAssetSchema = z.object({
  assetId: z.string(),
  kind: z.string(),
  idx: z.number().int(),
  /** The source image it was made from, and what that source is now. */
  sourceAssetId: z.string(),
  madeFromSha256: z.string(),
  sourceSha256: z.string().nullable(),
});
export type StaleAsset = z.infer<typeof StaleAssetSchema>;

export const DerivedStateSchema = z.object({
  galleryId: z.string(),
  stale: z.array(StaleAssetSchema),
  /** Assets the operator chose to keep although their source changed. */
  kept: z.array(z.string()),
});
export type DerivedState = z.infer<typeof DerivedStateSchema>;
