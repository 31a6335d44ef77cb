// ShowcasePlanner: turns one product into its gallery, asset slots and job DAG.
//   copy → hero → variation 1..N (img2img from the hero)
//   copy → lifestyle
//   hero → thumbnail (sharp locally, or a ComfyUI scale graph)
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
  type TemplateFamily,
} from '../../../shared/index.ts';
import { assetFileName } from './naming.ts';
import { assetSeed, baseSeedFor } from './seeds.ts';

export const JobPayloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('copy'), model: z.string(), language: z.string() }),
  z.object({
    type: z.literal('image'),
    templateId: z.string(),
    /** Parameter overrides (cfg, steps …); prompt, seed and filename prefix are filled at run time. */
    params: z.record(z.string(), ParamValueSchema),
    /** img2img source (the hero) for variations. */
    sourceAssetId: z.string().nullable(),
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
  now?: string;
}

export interface ShowcasePlan {
  gallery: Gallery;
  assets: Asset[];
  jobs: PlannedJob[];
}

/** The template used for each asset kind of a family (`edit` renders from the qwen-image set). */
export function templateIdFor(family: TemplateFamily, kind: AssetKind): string {
  const base = family === 'edit' ? 'qwen-image' : family;
  return `${base}.${kind}`;
}

export function assetId(galleryId: string, kind: AssetKind, idx: number): string {
  return `${galleryId}:${kind}:${idx}`;
}

export class ShowcasePlanner {
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
      filename: assetFileName(product.id, kind, idx),
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
    const imagePayload = (kind: AssetKind, sourceAssetId: string | null): JobPayload => ({
      type: 'image',
      templateId: templateIdFor(options.family, kind),
      params: { ...options.templateParams },
      sourceAssetId,
    });

    const hero = byKind('hero');
    const copyJob = job('copy', null, [], {
      type: 'copy',
      model: options.ollamaModel,
      language: options.language,
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
