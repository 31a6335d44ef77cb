// The one method table and the one event table. Electron IPC, the HTTP/WS server, the preload
// bridge, the renderer's bridges and the CLI are all generated from these two objects.
import { z } from 'zod';
import { editLoopMethods } from './api-edits.ts';
import { CurrencyCodeSchema, exportMethods } from './api-exports.ts';
import { syncMethods } from './api-sync.ts';
import { teamMethods } from './api-team.ts';
import {
  AssetSchema,
  BackendStatusSchema,
  CopyDraftSchema,
  GallerySchema,
  JobSchema,
  LanguageTagSchema,
  LintIssueSchema,
  ParamValueSchema,
  ProductInputSchema,
  ProductSchema,
  PromptPresetSchema,
  QueueStatusSchema,
  RecordIdSchema,
  SeedSchema,
  SettingsPatchSchema,
  SettingsSchema,
  ShowcaseSchema,
  SyncStatusSchema,
  TemplateFamilySchema,
  TemplateSummarySchema,
} from './domain.ts';
import { SerializedErrorSchema } from './errors.ts';

// The export and sync methods live in api-exports.ts and api-sync.ts; these names stay exported from here.
export { CurrencyCodeSchema } from './api-exports.ts';
export {
  type ConflictRecord,
  type ConflictSide,
  ConflictSideSchema,
  ConflictVersionSchema,
  SyncConflictSchema,
} from './api-sync.ts';

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const SheetFormatSchema = z.enum(['csv', 'json', 'shopify', 'auto']);

export const ImportRowErrorSchema = z.object({
  /** 1-based line (CSV) or 1-based array index (JSON) in the sheet. */
  line: z.number().int().positive(),
  field: z.string(),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof ImportRowErrorSchema>;

export const CatalogListItemSchema = z.object({
  product: ProductSchema,
  galleryId: z.string().nullable(),
  status: z.string(),
  thumbnailUrl: z.string().nullable(),
  publishedUrl: z.string().nullable().default(null),
  approved: z.boolean().default(false),
  /** Some derived images (variations) were made from an earlier hero. */
  stale: z.boolean().optional(),
});
export type CatalogListItem = z.infer<typeof CatalogListItemSchema>;

export const PublishResultSchema = z.object({
  galleryId: z.string(),
  url: z.string(),
  access: z.enum(['public', 'presigned']),
  uploaded: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  /** When presigned links stop working (ISO time); null for public links. */
  expiresAt: z.string().nullable().default(null),
  /** The published catalog page, refreshed with every publish. */
  indexUrl: z.string().nullable().default(null),
  /** Said when what was published is not quite what the operator sees (a stale set). */
  warning: z.string().optional(),
});

/** The options of a showcase run: `showcase.start` and `showcase.submit` take exactly these. */
const startOptionFields = {
  family: TemplateFamilySchema.optional(),
  /** A preset id or name (names are up to 200 characters). */
  presetId: z.string().min(1).max(200).optional(),
  seed: SeedSchema.optional(),
  lockSeed: z.boolean().optional(),
  variations: z.number().int().min(0).max(8).optional(),
  /** Render parameters for these showcases (cfg, steps, sampler, width …), checked against the templates' ranges. */
  params: z.record(z.string().min(1).max(64), ParamValueSchema).optional(),
  /**
   * Where the images are rendered: this workstation's ComfyUI servers (`local`, the default) or the
   * team's GPU workstations through the team queue (`team`; needs the team database and S3 bucket).
   */
  target: z.enum(['local', 'team']).optional(),
};

/** A sheet sent as text (`catalog.import`, `showcase.submit`). */
const SheetUploadSchema = z.object({
  /** The sheet's text (the renderer reads dropped files as text). */
  content: z.string().min(1, 'the sheet is empty').max(50_000_000),
  filename: z.string().min(1).max(500),
  format: SheetFormatSchema.default('auto'),
  /** The sheet's folder when known (a file dropped on the desktop app): relative photo paths resolve against it. */
  sheetDir: z
    .string()
    .max(4096)
    .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be an absolute path')
    .optional(),
  /** The sheet's currency for prices that name none (a Shopify export); default: the setting. */
  currency: CurrencyCodeSchema.optional(),
  /** The sheet's language for products without a `language` column; default: the setting. */
  language: LanguageTagSchema.optional(),
});

export const methods = {
  'catalog.import': method(
    SheetUploadSchema,
    z.object({
      imported: z.array(ProductSchema),
      errors: z.array(ImportRowErrorSchema),
      /** Rows imported with a change (a duplicate id renamed, say). */
      warnings: z.array(ImportRowErrorSchema).default([]),
    }),
  ),
  'catalog.add': method(
    z.object({ products: z.array(ProductInputSchema).min(1).max(20_000) }),
    z.object({ imported: z.array(ProductSchema), errors: z.array(ImportRowErrorSchema) }),
  ),
  'catalog.list': method(
    z.object({
      status: z.string().optional(),
      search: z.string().max(200).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(20_000).default(20_000),
    }),
    z.object({ items: z.array(CatalogListItemSchema), total: z.number().int().nonnegative() }),
  ),
  'showcase.start': method(
    z.object({
      productIds: z.array(RecordIdSchema).min(1).max(20_000),
      ...startOptionFields,
    }),
    z.object({ galleryIds: z.array(z.string()) }),
  ),
  'showcase.get': method(z.object({ galleryId: RecordIdSchema }), ShowcaseSchema),
  'showcase.regenerateAsset': method(
    z.object({
      assetId: RecordIdSchema,
      /** `same` re-renders with the asset's seed (byte-identical when nothing else changed); `new` picks a fresh one. */
      seed: z.enum(['same', 'new']).default('same'),
    }),
    z.object({ jobId: z.string() }),
  ),
  'showcase.updateCopy': method(
    z.object({ galleryId: RecordIdSchema, copy: CopyDraftSchema.partial() }),
    GallerySchema,
  ),
  'showcase.lockSeed': method(
    z.object({
      galleryId: RecordIdSchema,
      /** Omit to lock/unlock the whole showcase. */
      assetId: RecordIdSchema.optional(),
      locked: z.boolean(),
    }),
    ShowcaseSchema,
  ),
  'showcase.approve': method(
    z.object({
      galleryId: RecordIdSchema,
      assetId: RecordIdSchema.optional(),
      approved: z.boolean(),
      /** Approve a partial showcase on purpose (what is missing is named in its error). */
      acceptPartial: z.boolean().default(false),
    }),
    ShowcaseSchema,
  ),
  'queue.status': method(z.object({}), QueueStatusSchema),
  'queue.pause': method(z.object({}), QueueStatusSchema),
  'queue.resume': method(z.object({}), QueueStatusSchema),
  'queue.cancel': method(
    z.object({ jobId: RecordIdSchema.optional(), galleryId: RecordIdSchema.optional() }),
    z.object({ cancelled: z.number().int().nonnegative() }),
  ),
  'templates.list': method(
    z.object({ family: TemplateFamilySchema.optional() }),
    z.array(TemplateSummarySchema),
  ),
  'presets.list': method(z.object({}), z.array(PromptPresetSchema)),
  'templates.lint': method(
    z.object({ live: z.boolean().default(false) }),
    z.object({ issues: z.array(LintIssueSchema), source: z.string() }),
  ),
  'gallery.publish': method(
    z.object({ galleryIds: z.array(RecordIdSchema).min(1) }),
    z.object({ results: z.array(PublishResultSchema) }),
  ),
  'gallery.email': method(
    z.object({ galleryId: RecordIdSchema, to: z.array(z.string().email()).min(1).max(50) }),
    z.object({
      messageId: z.string(),
      accepted: z.array(z.string()),
      /** Said when the set sent is stale (variations from an earlier hero). */
      warning: z.string().optional(),
    }),
  ),
  ...exportMethods,
  ...syncMethods,
  ...teamMethods,
  'settings.get': method(z.object({}), SettingsSchema),
  'settings.update': method(SettingsPatchSchema, SettingsSchema),
  /**
   * Products in and showcases started, in one call (what `POST /api/showcases` and `showcase
   * generate` send): a sheet, product objects or ids already in the catalog. `ifUnfinished` says
   * what to do when the latest showcase of one of them is still queued or running (a killed run):
   * `start` anyway, `refuse` (a `conflict` listing them), or `restart` (cancel it first).
   */
  'showcase.submit': method(
    z
      .object({
        sheet: SheetUploadSchema.optional(),
        product: ProductInputSchema.optional(),
        products: z.array(ProductInputSchema).min(1).max(20_000).optional(),
        productIds: z.array(RecordIdSchema).min(1).max(20_000).optional(),
        options: z.object(startOptionFields).default({}),
        ifUnfinished: z.enum(['start', 'refuse', 'restart']).default('start'),
      })
      .refine((v) => v.sheet || v.product || v.products || v.productIds, {
        message: 'one of sheet, product, products or productIds is required',
        path: ['product'],
      }),
    z.object({
      galleryIds: z.array(z.string()),
      productIds: z.array(z.string()),
      /** Rows or objects skipped (named by line and field). */
      errors: z.array(ImportRowErrorSchema),
      /** Rows imported with a change (a duplicate id renamed, say). */
      warnings: z.array(ImportRowErrorSchema),
      /** With `ifUnfinished: 'restart'`: what was cancelled first. */
      restarted: z.object({ galleryIds: z.array(z.string()), cancelledJobs: z.number().int() }).nullable(),
    }),
  ),
  /**
   * Whether a family can render here: probes every backend and checks the family's model files on
   * each ComfyUI server. Refuses (`model_missing`, one message naming every missing file and its
   * folder) when no reachable server has them all, as a run would.
   */
  'models.preflight': method(
    z.object({ family: TemplateFamilySchema.optional() }),
    z.object({
      family: TemplateFamilySchema,
      servers: z.array(
        z.object({
          url: z.string(),
          online: z.boolean(),
          /** "UNETLoader.unet_name: … is not installed on the server — put it in …" */
          missing: z.array(z.string()),
        }),
      ),
    }),
  ),
  /** Renders again what failed in the latest partial or failed showcase of each product (all when none named). */
  'showcase.rerun': method(
    z.object({ productIds: z.array(RecordIdSchema).min(1).max(20_000).optional() }),
    z.object({ galleryIds: z.array(z.string()) }),
  ),
  // The edit loop (issue #19): presets and prompts with history, stale derived images.
  ...editLoopMethods,
} as const;

/** The options of a showcase run, as `showcase.start` takes them: the one type every adapter uses. */
export const StartOptionsSchema = z.object(startOptionFields);
export type StartOptions = z.output<typeof StartOptionsSchema>;

export type MethodTable = typeof methods;
export type MethodName = keyof MethodTable;
export type MethodInput<M extends MethodName> = z.input<MethodTable[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<MethodTable[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<MethodTable[M]['output']>;
export const methodNames = Object.keys(methods) as MethodName[];

/** What every transport must provide: one async function per method. */
export type MethodHandlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>>;
};
/** The client-side view (inputs before defaults are applied). */
export type ShowcaseApi = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>>;
};

const JobRefSchema = z.object({
  jobId: z.string(),
  galleryId: z.string(),
  assetId: z.string().nullable(),
  kind: z.string(),
});

export const events = {
  'job.queued': JobRefSchema,
  'job.started': JobRefSchema.extend({ backend: z.string() }),
  'job.progress': JobRefSchema.extend({ value: z.number(), max: z.number(), node: z.string().nullable() }),
  /** A sampler preview frame as a data: URL (JPEG/PNG, small). */
  'job.preview': JobRefSchema.extend({ mime: z.string(), dataUrl: z.string() }),
  'job.completed': JobRefSchema.extend({ job: JobSchema, asset: AssetSchema.nullable() }),
  'job.failed': JobRefSchema.extend({
    job: JobSchema,
    error: z.string(),
    /** The typed error (code, hint for the operator, details) when known. */
    errorInfo: SerializedErrorSchema.optional(),
    willRetry: z.boolean(),
  }),
  'showcase.updated': z.object({ galleryId: z.string(), gallery: GallerySchema }),
  'backend.status': BackendStatusSchema,
  /** Something the operator should know about a backend, sent once per backend (e.g. no live previews). */
  'backend.notice': z.object({
    backend: z.string(),
    url: z.string(),
    code: z.enum(['previews_off']),
    message: z.string(),
    /** What to do about it. */
    hint: z.string(),
  }),
  /**
   * What a job is waiting for right now, in words an operator understands: queued on a ComfyUI
   * server behind other prompts, running, Ollama loading a model, a backend that is down.
   */
  'job.status': JobRefSchema.extend({
    state: z.enum(['queued-on-backend', 'running', 'loading-model', 'waiting-for-backend', 'stalled']),
    backend: z.string().nullable(),
    detail: z.string(),
  }),
  /** A backend went down (and is waited for with back-off), is still down, or came back. */
  'backend.waiting': z.object({
    id: z.string(),
    kind: z.enum(['comfyui', 'ollama']),
    url: z.string(),
    online: z.boolean(),
    /** How long it has been unreachable (0 once back). */
    downForMs: z.number().nonnegative(),
    /** When the next probe runs (ms from now), null once back. */
    nextCheckInMs: z.number().nonnegative().nullable(),
    /** How long the engine keeps waiting before the jobs that need it fail. */
    giveUpAfterMs: z.number().nonnegative(),
    error: z.string().nullable(),
  }),
  'sync.status': SyncStatusSchema,
} as const;

export type EventTable = typeof events;
export type EventName = keyof EventTable;
export type EventPayload<E extends EventName> = z.output<EventTable[E]>;
export const eventNames = Object.keys(events) as EventName[];

/** One envelope for every event stream (WS frames, IPC messages). */
export const EventEnvelopeSchema = z.object({ event: z.string(), payload: z.unknown(), at: z.string() });
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
