// The domain model shared by the engine, the store, the API, the CLI and the renderer.
// Timestamps are ISO-8601 strings so they survive JSON, SQLite and Postgres unchanged.
import { z } from 'zod';
import { ShopifyDataSchema } from './shopify.ts';
import { BackendTimeoutsSchema, DEFAULT_BACKEND_TIMEOUTS } from './timeouts.ts';
import { HttpUrlSchema, PostgresUrlSchema } from './urls.ts';

/** A file-name-safe id: `[A-Za-z0-9_-]`, 1–64 chars (see engine/showcase naming for the sanitiser). */
export const SafeIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must contain only letters, digits, "_" and "-"');
export type SafeId = z.infer<typeof SafeIdSchema>;

/**
 * An id that arrives in a request (gallery, asset, job, product, preset): bounded, so an oversized one
 * is refused by length and never echoed back in an error.
 */
export const RecordIdSchema = z.string().min(1).max(128);

export const IsoTimeSchema = z.string().min(1);

/** Seeds stay within JS safe integers (ComfyUI accepts up to 2^64-1; JSON numbers lose precision above 2^53). */
export const SeedSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const PriceSchema = z.object({
  amount: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code like "EUR"'),
});

/** A BCP 47 language tag such as `en`, `pt-BR`, `de-CH`. */
export const LanguageTagSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'must be a language tag like "en", "pt-BR" or "de"')
  .transform((tag) => tag.replace(/_/g, '-'));

/** A product as it enters the system (a sheet row, an API payload) before ids are sanitised. */
export const familyNames = ['qwen-image', 'sdxl', 'edit'] as const;
export const TemplateFamilySchema = z.enum(familyNames);
export type TemplateFamily = z.infer<typeof TemplateFamilySchema>;

export const ProductInputSchema = z.object({
  id: z.string().trim().min(1, 'is required').max(256).optional(),
  handle: z.string().trim().min(1).max(256).optional(),
  name: z.string().trim().min(1, 'is required').max(300),
  description: z.string().trim().max(20_000).optional(),
  category: z.string().trim().max(300).optional(),
  brand: z.string().trim().max(300).optional(),
  materials: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
  colors: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  audience: z.string().trim().max(500).optional(),
  price: PriceSchema.optional(),
  referenceImage: z.string().trim().max(2048).optional(),
  tags: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  attributes: z.record(z.string(), z.string()).default({}),
  /** The language of this product's copy and pages (a sheet's `language` column); overrides the setting. */
  language: LanguageTagSchema.optional(),
  /** Its images' model family (a sheet's `family` column, any case); beats the run's and the studio's. */
  family: z
    .preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), TemplateFamilySchema)
    .optional(),
  /** Variants and Shopify-only columns of a product imported from a Shopify export. */
  shopify: ShopifyDataSchema.optional(),
});
export type ProductInput = z.input<typeof ProductInputSchema>;
export type ProductInputParsed = z.output<typeof ProductInputSchema>;

export const ProductSchema = ProductInputSchema.extend({
  id: SafeIdSchema,
  handle: z.string().min(1),
  /** The sheet file the product came from, for the operator's reference. */
  sourceSheet: z.string().optional(),
  updatedAt: IsoTimeSchema,
});
export type Product = z.infer<typeof ProductSchema>;

export const assetKinds = ['hero', 'lifestyle', 'variation', 'thumbnail'] as const;
export const AssetKindSchema = z.enum(assetKinds);
export type AssetKind = z.infer<typeof AssetKindSchema>;

export const assetStatuses = ['pending', 'queued', 'running', 'done', 'failed'] as const;
export const AssetStatusSchema = z.enum(assetStatuses);
export type AssetStatus = z.infer<typeof AssetStatusSchema>;

export const ShowcasePromptsSchema = z.object({
  hero: z.string().min(1).max(2000),
  lifestyle: z.string().min(1).max(2000),
  /** Themes for the variations (colourway, angle, setting …); the planner uses as many as it needs. */
  variations: z.array(z.string().min(1).max(2000)).min(1).max(8),
  negative: z.string().max(2000).default(''),
});
export type ShowcasePrompts = z.infer<typeof ShowcasePromptsSchema>;

/** What the LLM must return (sent to Ollama as a JSON Schema in `format`). */
export const CopyDraftSchema = z.object({
  title: z.string().min(1).max(200),
  tagline: z.string().min(1).max(300),
  bullets: z.array(z.string().min(1).max(400)).min(3).max(5),
  description: z.string().min(1).max(5000),
  prompts: ShowcasePromptsSchema,
});
export type CopyDraft = z.infer<typeof CopyDraftSchema>;

export const ShowcaseCopySchema = CopyDraftSchema.extend({
  language: z.string().min(2).max(35).default('en'),
  /** `llm` when the model wrote it, `fallback` when the deterministic template did, `edited` after an operator edit. */
  source: z.enum(['llm', 'fallback', 'edited']),
  model: z.string().optional(),
});
export type ShowcaseCopy = z.infer<typeof ShowcaseCopySchema>;

export const galleryStatuses = [
  'draft',
  'queued',
  'running',
  'complete',
  'partial',
  'failed',
  'cancelled',
] as const;
export const GalleryStatusSchema = z.enum(galleryStatuses);
export type GalleryStatus = z.infer<typeof GalleryStatusSchema>;

export const ParamValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export type ParamValue = z.infer<typeof ParamValueSchema>;

export const AssetSchema = z.object({
  id: z.string().min(1),
  galleryId: z.string().min(1),
  kind: AssetKindSchema,
  /** 0 for single assets, 1..N for variations. */
  idx: z.number().int().min(0),
  filename: z.string().min(1),
  sha256: z.string().nullable(),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  seed: SeedSchema,
  seedLocked: z.boolean(),
  prompt: z.string(),
  templateId: z.string(),
  params: z.record(z.string(), ParamValueSchema),
  localPath: z.string().nullable(),
  remoteUrl: z.string().nullable(),
  status: AssetStatusSchema,
  approved: z.boolean(),
  attempts: z.number().int().min(0),
  error: z.string().nullable(),
  updatedAt: IsoTimeSchema,
});
export type Asset = z.infer<typeof AssetSchema>;

export const GallerySchema = z.object({
  id: z.string().min(1),
  productId: SafeIdSchema,
  status: GalleryStatusSchema,
  copy: ShowcaseCopySchema.nullable(),
  promptPrefix: z.string(),
  presetId: z.string().nullable(),
  baseSeed: SeedSchema,
  seedLocked: z.boolean(),
  family: TemplateFamilySchema,
  htmlPath: z.string().nullable(),
  jsonPath: z.string().nullable(),
  publishedUrl: z.string().nullable(),
  approved: z.boolean(),
  error: z.string().nullable(),
  createdAt: IsoTimeSchema,
  updatedAt: IsoTimeSchema,
});
export type Gallery = z.infer<typeof GallerySchema>;

/** A gallery with its product and assets: what the Showcase view and `showcase.get` show. */
export const ShowcaseSchema = z.object({
  product: ProductSchema,
  gallery: GallerySchema,
  assets: z.array(AssetSchema),
  /**
   * Where the gallery's images are: on this workstation, only at their published URLs (a colleague's
   * gallery), or on another workstation and not published.
   */
  locality: z.enum(['local', 'published', 'elsewhere']).optional(),
  /** The gallery page's path under the output root (what the app serves), when it has one. */
  pageFile: z.string().nullable().optional(),
});
export type Showcase = z.infer<typeof ShowcaseSchema>;

export const jobKinds = ['copy', 'hero', 'lifestyle', 'variation', 'thumbnail'] as const;
export const JobKindSchema = z.enum(jobKinds);
export type JobKind = z.infer<typeof JobKindSchema>;

export const jobStatuses = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export const JobStatusSchema = z.enum(jobStatuses);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobSchema = z.object({
  id: z.string().min(1),
  galleryId: z.string().min(1),
  assetId: z.string().nullable(),
  kind: JobKindSchema,
  status: JobStatusSchema,
  attempts: z.number().int().min(0),
  backend: z.string().nullable(),
  comfyPromptId: z.string().nullable(),
  dependsOn: z.array(z.string()),
  error: z.string().nullable(),
  queuedAt: IsoTimeSchema,
  startedAt: IsoTimeSchema.nullable(),
  finishedAt: IsoTimeSchema.nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export const modelPhases = ['copy', 'image', 'thumbnail'] as const;
export const ModelPhaseSchema = z.enum(modelPhases);
export type ModelPhase = z.infer<typeof ModelPhaseSchema>;

export const ModelUsageSchema = z.object({
  id: z.string(),
  jobId: z.string().nullable(),
  backend: z.string(),
  model: z.string(),
  phase: ModelPhaseSchema,
  queuedMs: z.number().nonnegative(),
  loadMs: z.number().nonnegative(),
  runMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative(),
  tokensIn: z.number().int().nonnegative().nullable(),
  tokensOut: z.number().int().nonnegative().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
  at: IsoTimeSchema,
});
export type ModelUsage = z.infer<typeof ModelUsageSchema>;

export const PromptPresetSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  prefix: z.string().max(2000),
  negative: z.string().max(2000),
  style: z.string().max(500),
  lighting: z.string().max(500),
  params: z.record(z.string(), ParamValueSchema),
  updatedAt: IsoTimeSchema,
});
export type PromptPreset = z.infer<typeof PromptPresetSchema>;

export const backendKinds = ['comfyui', 'ollama'] as const;
export const BackendKindSchema = z.enum(backendKinds);
export type BackendKind = z.infer<typeof BackendKindSchema>;

export const BackendStatusSchema = z.object({
  id: z.string(),
  kind: BackendKindSchema,
  url: z.string(),
  online: z.boolean(),
  vramTotal: z.number().nonnegative().nullable(),
  vramFree: z.number().nonnegative().nullable(),
  loadedModels: z.array(z.string()),
  queueRemaining: z.number().int().nonnegative(),
  error: z.string().nullable(),
  checkedAt: IsoTimeSchema,
});
export type BackendStatus = z.infer<typeof BackendStatusSchema>;

export const templateParamTypes = ['string', 'int', 'float', 'seed', 'image', 'combo', 'boolean'] as const;
export const TemplateParamSpecSchema = z.object({
  type: z.enum(templateParamTypes),
  default: ParamValueSchema.optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Allowed values for `combo` parameters (sampler, scheduler …). */
  options: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type TemplateParamSpec = z.infer<typeof TemplateParamSpecSchema>;

export const templateKinds = ['hero', 'lifestyle', 'variation', 'thumbnail', 'edit'] as const;
export const TemplateKindSchema = z.enum(templateKinds);
export type TemplateKind = z.infer<typeof TemplateKindSchema>;

export const TemplateSummarySchema = z.object({
  id: z.string(),
  kind: TemplateKindSchema,
  family: TemplateFamilySchema,
  description: z.string(),
  params: z.record(z.string(), TemplateParamSpecSchema),
});
export type TemplateSummary = z.infer<typeof TemplateSummarySchema>;

export const LintIssueSchema = z.object({
  templateId: z.string(),
  severity: z.enum(['error', 'warning']),
  nodeId: z.string().nullable(),
  input: z.string().nullable(),
  message: z.string(),
});
export type LintIssue = z.infer<typeof LintIssueSchema>;

export const thumbnailModes = ['sharp', 'comfy'] as const;

/**
 * Live sampler previews asked of ComfyUI per prompt (`extra_data.preview_method`): a method, `none`
 * (no previews, less traffic) or `default` (ask nothing; the server's --preview-method decides).
 * ComfyUI 0.3.x ignores the request and follows its --preview-method flag (default none).
 */
export const comfyPreviewMethods = ['auto', 'latent2rgb', 'taesd', 'none', 'default'] as const;

const S3SettingsSchema = z.object({
  endpoint: HttpUrlSchema,
  bucket: z.string().min(3).max(63),
  accessKey: z.string().min(1),
  /** Never sent to the renderer in clear: the API returns `"********"` when set. */
  secretKey: z.string().min(1),
  region: z.string().default('us-east-1'),
  publicBaseUrl: HttpUrlSchema.nullable().default(null),
  presignSeconds: z.number().int().min(60).max(604_800).default(604_800),
  /**
   * How published links are made readable: `auto` (a public base URL, else a public-read bucket policy,
   * else presigned links that expire), `policy` (bucket policy or an error), `acl` (every object
   * uploaded public-read), `presigned` (always expiring links). Absent means `auto`.
   */
  access: z.enum(['auto', 'policy', 'acl', 'presigned']).optional(),
});

/** Every setting without its default: the shape of a patch (missing keys stay missing). */
const settingsFields = {
  comfyUrls: z.array(HttpUrlSchema).min(1),
  ollamaUrl: HttpUrlSchema,
  ollamaModel: z.string().min(1),
  family: TemplateFamilySchema,
  copyLanguage: z.string().min(2).max(35),
  /** The shop's currency: prices in a sheet that name none (every Shopify export) are read in it. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code like "EUR"'),
  variations: z.number().int().min(0).max(8),
  thumbnailMode: z.enum(thumbnailModes),
  thumbnailSize: z.number().int().min(64).max(1024),
  comfyPreviewMethod: z.enum(comfyPreviewMethods),
  presetId: z.string().nullable(),
  outputDir: z.string().min(1),
  /** Template parameter overrides per family (`cfg`, `steps`, `sampler` …), validated against the template ranges. */
  templateParams: z.record(z.string(), z.record(z.string(), ParamValueSchema)),
  postgresUrl: PostgresUrlSchema.nullable(),
  syncIntervalSec: z.number().int().min(5).max(86_400),
  s3: S3SettingsSchema.nullable(),
  smtp: z.object({ url: z.string().min(1), from: z.string().min(3) }).nullable(),
  /** A patch may name only the timeouts it changes; the others keep their values. */
  timeouts: BackendTimeoutsSchema.partial(),
};

export const SettingsSchema = z.object({
  comfyUrls: settingsFields.comfyUrls.default(['http://127.0.0.1:8188']),
  ollamaUrl: settingsFields.ollamaUrl.default('http://127.0.0.1:11434'),
  ollamaModel: settingsFields.ollamaModel.default('llama3.2'),
  family: settingsFields.family.default('qwen-image'),
  copyLanguage: settingsFields.copyLanguage.default('en'),
  currency: settingsFields.currency.default('EUR'),
  variations: settingsFields.variations.default(4),
  thumbnailMode: settingsFields.thumbnailMode.default('sharp'),
  thumbnailSize: settingsFields.thumbnailSize.default(384),
  comfyPreviewMethod: settingsFields.comfyPreviewMethod.default('auto'),
  presetId: settingsFields.presetId.default(null),
  outputDir: settingsFields.outputDir.default('showcase-output'),
  templateParams: settingsFields.templateParams.default({}),
  postgresUrl: settingsFields.postgresUrl.default(null),
  syncIntervalSec: settingsFields.syncIntervalSec.default(60),
  s3: settingsFields.s3.default(null),
  smtp: settingsFields.smtp.default(null),
  timeouts: z.preprocess(
    (value) => ({ ...DEFAULT_BACKEND_TIMEOUTS, ...(isPlainRecord(value) ? value : {}) }),
    BackendTimeoutsSchema,
  ),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = z.object(settingsFields).partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const SyncStatusSchema = z.object({
  configured: z.boolean(),
  online: z.boolean(),
  pendingOps: z.number().int().nonnegative(),
  lastSyncAt: IsoTimeSchema.nullable(),
  conflicts: z.number().int().nonnegative(),
  error: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const QueueStatusSchema = z.object({
  paused: z.boolean(),
  counts: z.record(JobStatusSchema, z.number().int().nonnegative()),
  backends: z.array(BackendStatusSchema),
  running: z.array(JobSchema),
  /** The most recently finished, failed or cancelled jobs (newest first), so a reload keeps them. */
  recent: z.array(JobSchema).default([]),
});
export type QueueStatus = z.infer<typeof QueueStatusSchema>;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
