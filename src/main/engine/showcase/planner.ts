// ShowcasePlanner: turns one product into its gallery, asset slots and job DAG.
//   copy → hero → variation 1..N (img2img from the hero)
//   copy → lifestyle
//   hero → thumbnail (sharp locally, or a ComfyUI scale graph)
// The `edit` family (style transfer) renders the hero and the lifestyle by restyling the product's
// reference photo with Qwen-Image-Edit; variations and thumbnail then follow the hero as usual.
// Jobs carry everything needed to run them except the image prompt, which comes from the copy
// once the copy job has finished (so an operator's copy edit flows into re-renders).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type Asset,
  type AssetKind,
  type Gallery,
  type Job,
  type JobKind,
  ParamValueSchema,
  type Product,
  ShowcaseError,
  type TemplateFamily,
} from '../../../shared/index.ts';
import { galleryAssetFile } from './files.ts';
import { assetSeed, baseSeedFor } from './seeds.ts';

export const JobPayloadSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('copy'),
    model: z.string(),
    language: z.string(),
    /** `team`: written by a team worker's Ollama (this station's did not answer). */
    target: z.literal('team').optional(),
  }),
  z.object({
    type: z.literal('image'),
    templateId: z.string(),
    /** Parameter overrides (cfg, steps …); prompt, seed and filename prefix are filled at run time. */
    params: z.record(z.string(), ParamValueSchema),
    /** img2img source (the hero) for variations. */
    sourceAssetId: z.string().nullable(),
    /** The product's reference photo (a path or URL) restyled by an `edit` template. */
    referenceImage: z.string().min(1).optional(),
    /** `team`: rendered by the team's workers through the team queue instead of this station's ComfyUI. */
    target: z.literal('team').optional(),
  }),
  z.object({
    type: z.literal('thumbnail'),
    mode: z.enum(['sharp', 'comfy']),
    size: z.number().int().positive(),
    templateId: z.string().nullable(),
    sourceAssetId: z.string(),
  }),
]);
export type JobPayload = z.infer<typeof JobPayloadSchema>;

export interface PlannedJob extends Job {
  payload: JobPayload;
}

export interface PlanOptions {
  family: TemplateFamily;
  variations: number;
  thumbnailMode: 'sharp' | 'comfy';
  thumbnailSize: number;
  ollamaModel: string;
  language: string;
  promptPrefix: string;
  presetId: string | null;
  /** Explicit base seed; otherwise derived from the product id. */
  baseSeed?: number;
  lockSeed: boolean;
  /** Template parameter overrides for this family (cfg, steps, sampler …). */
  templateParams: Record<string, string | number | boolean>;
  /** Where the images render: this station's ComfyUI (default) or the team queue. */
  target?: 'local' | 'team';
  /** Where the copy is written: this station's Ollama (default) or a team worker's. */
  copyTarget?: 'local' | 'team';
  now?: string;
}

export interface ShowcasePlan {
  gallery: Gallery;
  assets: Asset[];
  jobs: PlannedJob[];
}

/** Asset kinds the `edit` family renders by restyling the reference photo. */
const RESTYLED_KINDS: ReadonlySet<AssetKind> = new Set(['hero', 'lifestyle']);

/**
 * The template used for each asset kind of a family. `edit` restyles the reference photo into the
 * hero and the lifestyle shot (`edit.restyle`); its variations and thumbnail use the qwen-image set.
 */
export function templateIdFor(family: TemplateFamily, kind: AssetKind): string {
  if (family === 'edit') return RESTYLED_KINDS.has(kind) ? 'edit.restyle' : `qwen-image.${kind}`;
  return `${family}.${kind}`;
}

/** The families whose templates a showcase of `family` renders with. */
export function familiesUsedBy(family: TemplateFamily): TemplateFamily[] {
  return family === 'edit' ? ['edit', 'qwen-image'] : [family];
}

/** What an operator does about a product without a reference photo in the `edit` family. */
export const REFERENCE_IMAGE_HINT =
  'Add a reference_image column (a file path or an http(s) URL) to the sheet, or choose the qwen-image family';

function requireReference(product: Product): string {
  if (product.referenceImage) return product.referenceImage;
  throw new ShowcaseError(
    'invalid_input',
    `Product ${product.id}: the edit (style-transfer) family restyles the product's reference photo, and this product has none`,
    {
      hint: REFERENCE_IMAGE_HINT,
      details: { field: 'referenceImage', productId: product.id },
    },
  );
}

/**
 * The payload of an image job (a first render or a re-render). A restyled kind carries the product's
 * reference photo; throws `invalid_input` when it has none.
 */
export function imageJobPayload(
  product: Product,
  family: TemplateFamily,
  kind: AssetKind,
  sourceAssetId: string | null,
  params: Record<string, string | number | boolean> = {},
): JobPayload {
  const templateId = templateIdFor(family, kind);
  return {
    type: 'image',
    templateId,
    params: { ...params },
    sourceAssetId,
    ...(templateId === 'edit.restyle' ? { referenceImage: requireReference(product) } : {}),
  };
}

export function assetId(galleryId: string, kind: AssetKind, idx: number): string {
  return `${galleryId}:${kind}:${idx}`;
}

export class ShowcasePlanner {
  /** Throws `invalid_input` when an `edit` showcase's product has no reference photo (imageJobPayload). */
  plan(product: Product, options: PlanOptions): ShowcasePlan {
    const now = options.now ?? new Date().toISOString();
    const galleryId = randomUUID();
    const baseSeed = options.baseSeed ?? baseSeedFor(product.id);
    const gallery: Gallery = {
      id: galleryId,
      productId: product.id,
      status: 'queued',
      copy: null,
      promptPrefix: options.promptPrefix,
      presetId: options.presetId,
      baseSeed,
      seedLocked: options.lockSeed,
      family: options.family,
      htmlPath: null,
      jsonPath: null,
      publishedUrl: null,
      approved: false,
      error: null,
      createdAt: now,
      updatedAt: now,
    };

    const slots: Array<{ kind: AssetKind; idx: number }> = [
      { kind: 'hero', idx: 0 },
      { kind: 'lifestyle', idx: 0 },
      ...Array.from({ length: options.variations }, (_, i) => ({ kind: 'variation' as const, idx: i + 1 })),
      { kind: 'thumbnail', idx: 0 },
    ];
    const assets: Asset[] = slots.map(({ kind, idx }) => ({
      id: assetId(galleryId, kind, idx),
      galleryId,
      kind,
      idx,
      filename: galleryAssetFile(product.id, galleryId, kind, idx),
      sha256: null,
      width: null,
      height: null,
      seed: kind === 'thumbnail' ? 0 : assetSeed(baseSeed, kind, idx),
      seedLocked: options.lockSeed,
      prompt: '',
      templateId:
        kind === 'thumbnail' && options.thumbnailMode === 'sharp'
          ? 'sharp.resize'
          : templateIdFor(options.family, kind),
      params: {},
      localPath: null,
      remoteUrl: null,
      status: 'pending',
      approved: false,
      attempts: 0,
      error: null,
      updatedAt: now,
    }));

    const job = (
      kind: JobKind,
      asset: Asset | null,
      dependsOn: string[],
      payload: JobPayload,
    ): PlannedJob => ({
      id: randomUUID(),
      galleryId,
      assetId: asset?.id ?? null,
      kind,
      status: 'queued',
      attempts: 0,
      backend: null,
      comfyPromptId: null,
      dependsOn,
      error: null,
      queuedAt: now,
      startedAt: null,
      finishedAt: null,
      payload,
    });

    const byKind = (kind: AssetKind, idx = 0): Asset => {
      const found = assets.find((a) => a.kind === kind && a.idx === idx);
      if (!found) throw new Error(`planner: no ${kind} slot ${idx}`);
      return found;
    };
    const imagePayload = (kind: AssetKind, sourceAssetId: string | null): JobPayload => {
      const payload = imageJobPayload(product, options.family, kind, sourceAssetId, options.templateParams);
      return options.target === 'team' && payload.type === 'image' ? { ...payload, target: 'team' } : payload;
    };

    const hero = byKind('hero');
    const copyJob = job('copy', null, [], {
      type: 'copy',
      model: options.ollamaModel,
      language: options.language,
      ...(options.copyTarget === 'team' ? { target: 'team' as const } : {}),
    });
    const heroJob = job('hero', hero, [copyJob.id], imagePayload('hero', null));
    const lifestyleJob = job('lifestyle', byKind('lifestyle'), [copyJob.id], imagePayload('lifestyle', null));
    const variationJobs = assets
      .filter((a) => a.kind === 'variation')
      .map((a) => job('variation', a, [heroJob.id], imagePayload('variation', hero.id)));
    const thumb = byKind('thumbnail');
    const thumbnailJob = job('thumbnail', thumb, [heroJob.id], {
      type: 'thumbnail',
      mode: options.thumbnailMode,
      size: options.thumbnailSize,
      templateId: options.thumbnailMode === 'comfy' ? templateIdFor(options.family, 'thumbnail') : null,
      sourceAssetId: hero.id,
    });

    return { gallery, assets, jobs: [copyJob, heroJob, lifestyleJob, ...variationJobs, thumbnailJob] };
  }
}
