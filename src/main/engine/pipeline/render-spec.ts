// What an image job renders, worked out from the journal: the template, the values its placeholders
// get (prompt from the copy, negative, seed, the family's, preset's and job's parameters) and the
// input image it starts from. Shared by the local executor and the team path (pipeline/team-image.ts),
// so an image rendered on a colleague's GPU is the image this station would have rendered.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type Asset,
  type Gallery,
  type ParamValue,
  type Settings,
  ShowcaseError,
} from '../../../shared/index.ts';
import type { QueuedJob, RenderedFile } from '../jobs/index.ts';
import { imagePrompt, type JobPayload, resolveInside, restylePrompt } from '../showcase/index.ts';
import type { Store } from '../store/index.ts';
import type { Template, TemplateLibrary } from '../templates/index.ts';
import { pngSize, sha256 } from './png.ts';

export type ImagePayload = Extract<JobPayload, { type: 'image' }>;

/** The image a render starts from: the hero a variation refines, or the photo an edit restyles. */
export type RenderInput =
  | { kind: 'source'; assetId: string }
  | { kind: 'reference'; productId: string; reference: string };

export interface ImageRenderSpec {
  gallery: Gallery;
  asset: Asset;
  template: Template;
  seed: number;
  prompt: string;
  /** Every placeholder value but `filename_prefix` and `image` (the caller names and uploads those). */
  values: Record<string, ParamValue>;
  input: RenderInput | null;
}

export interface RenderSpecContext {
  store: Store;
  templates: TemplateLibrary;
  settings: () => Settings;
}

/** The parts of a job a render spec reads. */
export type JobSlot = Pick<QueuedJob, 'galleryId' | 'assetId'>;

export function imageRenderSpec(
  ctx: RenderSpecContext,
  job: JobSlot,
  payload: ImagePayload,
): ImageRenderSpec {
  const { store } = ctx;
  const gallery = jobGallery(store, job.galleryId);
  const asset = jobAsset(store, job);
  if (!gallery.copy) throw new ShowcaseError('conflict', 'The copy for this showcase is missing; re-run it');
  const template = ctx.templates.get(payload.templateId);
  // The seed never changes behind the operator's back: a retry renders the same seed (only an
  // explicit "new seed" re-run changes it). A failure the same seed would repeat is deterministic
  // and not retried at all (jobs/fault-policy.ts).
  const seed = asset.seed;
  const kind = asset.kind === 'thumbnail' ? 'hero' : asset.kind;
  const reference = payload.referenceImage;
  const prompt =
    reference && kind !== 'variation'
      ? restylePrompt(gallery.copy, gallery.promptPrefix, kind)
      : imagePrompt(gallery.copy, gallery.promptPrefix, kind, asset.idx);
  const preset = gallery.presetId ? store.presets.get(gallery.presetId) : null;
  const negative = [gallery.copy.prompts.negative, preset?.negative ?? ''].filter((s) => s.trim()).join(', ');
  // Most specific last: the family's settings, then the preset's parameter values, then the job's.
  const values: Record<string, ParamValue> = {
    ...(ctx.settings().templateParams[gallery.family] ?? {}),
    ...(preset?.params ?? {}),
    ...payload.params,
    prompt,
    negative,
    seed,
  };
  const input: RenderInput | null = payload.sourceAssetId
    ? { kind: 'source', assetId: payload.sourceAssetId }
    : reference
      ? { kind: 'reference', productId: gallery.productId, reference }
      : null;
  return { gallery, asset, template, seed, prompt, values, input };
}

/** Writes the PNG atomically into the output root (the lifecycle journals the asset). */
export function writeAssetPng(
  outputRoot: string,
  asset: Asset,
  bytes: Buffer,
  meta: { seed: number; prompt: string },
): RenderedFile {
  const path = resolveInside(outputRoot, asset.filename);
  mkdirSync(dirname(path), { recursive: true }); // the gallery's own folder (showcase/files.ts)
  const temp = `${path}.${process.pid}.tmp`;
  // Synchronous on purpose: a PNG of a few hundred KB is written in well under a millisecond,
  // while the promise API costs three thread-pool round trips (open, write, close) plus a rename.
  writeFileSync(temp, bytes);
  renameSync(temp, path);
  const { width, height } = pngSize(bytes);
  return { path, sha256: sha256(bytes), width, height, seed: meta.seed, prompt: meta.prompt };
}

export function jobGallery(store: Store, id: string): Gallery {
  const gallery = store.galleries.get(id);
  if (!gallery) throw new ShowcaseError('not_found', `Gallery ${id} does not exist`);
  return gallery;
}

export function jobAsset(store: Store, job: JobSlot): Asset {
  const asset = job.assetId ? store.assets.get(job.assetId) : null;
  if (!asset) throw new ShowcaseError('not_found', `Asset ${job.assetId ?? '(none)'} does not exist`);
  return asset;
}
