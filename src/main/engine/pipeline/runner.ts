// JobRunner: executes one job of the showcase DAG on the lane the scheduler picked.
//   copy      → Ollama (CopyWriter) → gallery.copy
//   image     → ComfyUI template → PNG downloaded into the output root → asset row
//   thumbnail → sharp (local) or a ComfyUI scale graph
// An image job writes its client-made prompt id to the journal BEFORE submitting it. A job that
// comes back with a prompt id (after a crash) first asks the backend about that prompt, so
// finished work is collected and running work is followed: nothing lost, nothing run twice.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import {
  type Asset,
  abortedBy,
  type EventName,
  type EventPayload,
  type Gallery,
  type Job,
  type ParamValue,
  raceAbort,
  type Settings,
  ShowcaseError,
} from '../../../shared/index.ts';
import type { ComfyCollectResult, ComfyJobCallbacks, ComfyOutputs, ComfyRunResult } from '../comfy/index.ts';
import type { QueuedJob } from '../queue/index.ts';
import {
  imagePrompt,
  type JobPayload,
  JobPayloadSchema,
  resolveInside,
  restylePrompt,
} from '../showcase/index.ts';
import type { Store } from '../store/index.ts';
import { instantiate, type TemplateLibrary } from '../templates/index.ts';
import { namingBackend } from './backend-errors.ts';
import type { BackendPool, ComfyBackend } from './backends.ts';
import { CopyJobs } from './copy-job.ts';
import { pngSize, sha256, stripPngMetadata } from './png.ts';
import { loadReferenceImage } from './reference.ts';
import { downloadImage, renderPrefix, uploadName } from './render-names.ts';
import { throttleLatest } from './throttle.ts';

/** At most this often per job: what a progress bar and a preview tile can usefully show. */
const LIVE_PROGRESS_INTERVAL_MS = 100;
const LIVE_PREVIEW_INTERVAL_MS = 250;

export interface RunnerContext {
  store: Store;
  pool: BackendPool;
  templates: TemplateLibrary;
  outputRoot: string;
  settings: () => Settings;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** Per asset id: wall-clock ms of the last successful render (for the gallery timings). */
  timings: Map<string, number>;
}

type ImagePayload = Extract<JobPayload, { type: 'image' }>;
type ThumbnailPayload = Extract<JobPayload, { type: 'thumbnail' }>;

/** The model file a graph loads (for affinity and the usage log). */
export function graphModel(
  graph: Record<string, { class_type: string; inputs: Record<string, unknown> }>,
): string {
  for (const node of Object.values(graph)) {
    const inputs = node.inputs;
    const name = inputs.unet_name ?? inputs.ckpt_name;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}

/**
 * Only the message of a job's error reaches the asset, the gallery and the CLI summary. A missing
 * model is fixed by the operator, who needs the folder the file belongs in, and that is in the hint
 * ("Install x.safetensors into ComfyUI's models/diffusion_models/"): keep it in the message.
 */
function withModelFolder(err: unknown): unknown {
  if (!(err instanceof ShowcaseError) || err.code !== 'model_missing' || !err.hint) return err;
  if (err.message.includes(err.hint)) return err;
  return new ShowcaseError(err.code, `${err.message}. ${err.hint}`, {
    hint: err.hint,
    ...(err.details ? { details: err.details } : {}),
    retryable: err.retryable,
    cause: err,
  });
}

/** What a prompt's state means for the operator ("queued on comfy-2 (http://…) behind other prompts"). */
function stateDetail(
  state: 'queued' | 'running' | 'stalled',
  backend: ComfyBackend,
  stallSec: number,
  info?: { silentMs: number; node: string | null },
): string {
  if (state === 'queued') return `queued on ${backend.id} (${backend.url}) behind other prompts`;
  if (state === 'running') return `rendering on ${backend.id}`;
  const node = info?.node ? ` (node ${info.node})` : '';
  return `waiting for ComfyUI at ${backend.url}: no progress for ${Math.round((info?.silentMs ?? 0) / 1000)} s${node}; interrupted and run again after ${stallSec} s without progress`;
}

export class JobRunner {
  private readonly ctx: RunnerContext;
  readonly copy: CopyJobs;

  constructor(ctx: RunnerContext) {
    this.ctx = ctx;
    this.copy = new CopyJobs(ctx);
  }

  payloadOf(job: QueuedJob): JobPayload {
    return JobPayloadSchema.parse(job.payload);
  }

  async run(job: QueuedJob, laneId: string, signal: AbortSignal): Promise<void> {
    const payload = this.payloadOf(job);
    switch (payload.type) {
      case 'copy':
        return this.copy.run(job, payload, signal, (usage) =>
          this.logUsage(job, 'ollama', payload.model, 'copy', usage),
        );
      case 'image':
        return this.runImage(job, payload, laneId, signal).catch((err: unknown) => {
          throw namingBackend(err, 'ComfyUI', this.backend(laneId).url);
        });
      case 'thumbnail':
        return this.runThumbnail(job, payload, laneId, signal).catch((err: unknown) => {
          throw payload.mode === 'comfy' ? namingBackend(err, 'ComfyUI', this.backend(laneId).url) : err;
        });
    }
  }

  // -- images -------------------------------------------------------------------------------------

  private async runImage(job: QueuedJob, payload: ImagePayload, laneId: string, signal: AbortSignal) {
    const { store, templates } = this.ctx;
    const backend = this.backend(laneId);
    const gallery = this.gallery(job.galleryId);
    const asset = this.asset(job);
    if (!gallery.copy)
      throw new ShowcaseError('conflict', 'The copy for this showcase is missing; re-run it');
    const template = templates.get(payload.templateId);

    // The seed never changes behind the operator's back: a retry renders the same seed (only an
    // explicit "new seed" re-run changes it). A failure the same seed would repeat is deterministic
    // and not retried at all (queue/fault-policy.ts).
    const seed = asset.seed;

    const kind = asset.kind === 'thumbnail' ? 'hero' : asset.kind;
    const reference = payload.referenceImage;
    const prompt =
      reference && kind !== 'variation'
        ? restylePrompt(gallery.copy, gallery.promptPrefix, kind)
        : imagePrompt(gallery.copy, gallery.promptPrefix, kind, asset.idx);
    const preset = gallery.presetId ? store.presets.get(gallery.presetId) : null;
    const negative = [gallery.copy.prompts.negative, preset?.negative ?? '']
      .filter((s) => s.trim())
      .join(', ');
    // Most specific last: the family's settings, then the preset's parameter values, then the job's.
    const values: Record<string, ParamValue> = {
      ...(this.ctx.settings().templateParams[gallery.family] ?? {}),
      ...(preset?.params ?? {}),
      ...payload.params,
      prompt,
      negative,
      seed,
      filename_prefix: renderPrefix(gallery.productId, `${asset.kind}_${asset.idx}`, job.id, job.attempts),
    };
    if (payload.sourceAssetId) values.image = await this.uploadSource(backend, payload.sourceAssetId, signal);
    else if (reference)
      values.image = await this.uploadReference(backend, gallery.productId, reference, signal);
    const instance = instantiate(template, values, { unknownParams: 'ignore' });
    const model = graphModel(
      instance.graph as Record<string, { class_type: string; inputs: Record<string, unknown> }>,
    );

    const started = Date.now();
    store.assets.update(asset.id, {
      status: 'running',
      seed,
      prompt,
      params: instance.params,
      templateId: template.id,
    });
    const { result, holder } = await this.render(job, backend, instance.graph, signal).catch(
      (raw: unknown) => {
        const err = withModelFolder(raw);
        const e = err instanceof ShowcaseError ? err : new ShowcaseError('internal', String(err));
        this.logUsage(job, backend.id, model, 'image', {
          totalMs: Date.now() - started,
          ok: false,
          error: e.message,
        });
        store.assets.update(asset.id, { status: 'failed', error: e.message, attempts: job.attempts });
        throw err;
      },
    );
    const bytes = await this.download(holder, result.outputs, instance.outputNodeIds, signal);
    const usage = {
      queuedMs: result.timings.queuedMs,
      runMs: result.timings.runMs,
      totalMs: Date.now() - started,
      ok: true,
    };
    // The render time on the GPU (execution start → end), not the wait in ComfyUI's queue.
    this.ctx.timings.set(asset.id, result.timings.runMs || result.durationMs);
    await this.saveAsset(job, asset, bytes, { seed, prompt, attempts: job.attempts }, () =>
      this.logUsage(job, holder.id, model, 'image', usage),
    );
  }

  /**
   * Submits (or, after a crash, re-attaches to) the job's prompt and waits for it. `holder` is the
   * backend whose output folder has the image: the lane's own, or the server that accepted the prompt
   * before the restart.
   */
  private async render(
    job: QueuedJob,
    backend: ComfyBackend,
    graph: object,
    signal: AbortSignal,
  ): Promise<{ result: ComfyRunResult; holder: ComfyBackend }> {
    const progress = throttleLatest(
      (p: { value: number; max: number; node: string | null }) =>
        this.ctx.emit('job.progress', { ...this.ref(job), value: p.value, max: p.max, node: p.node }),
      LIVE_PROGRESS_INTERVAL_MS,
    );
    // Encoded only when actually sent: most previews of a fast GPU are superseded before that.
    const preview = throttleLatest(
      (p: { mime: string; bytes: Uint8Array }) =>
        this.ctx.emit('job.preview', {
          ...this.ref(job),
          mime: p.mime,
          dataUrl: `data:${p.mime};base64,${Buffer.from(p.bytes).toString('base64')}`,
        }),
      LIVE_PREVIEW_INTERVAL_MS,
    );
    const callbacks = {
      signal,
      onProgress: (p: { value: number; max: number; node: string | null }) => progress.push(p),
      onPreview: (p: { mime: string; bytes: Uint8Array }) => preview.push(p),
      // "Queued on comfy-2" while the prompt waits behind others on the server, not "Rendering".
      onState: (state: 'queued' | 'running' | 'stalled', info?: { silentMs: number; node: string | null }) =>
        this.ctx.emit('job.status', {
          ...this.ref(job),
          state: state === 'queued' ? 'queued-on-backend' : state,
          backend: job.backend ?? backend.id,
          detail: stateDetail(state, backend, this.ctx.settings().timeouts.comfyStallSec, info),
        }),
    };
    try {
      return await this.submitOrAttach(job, backend, graph, callbacks);
    } finally {
      progress.flush();
      preview.cancel();
    }
  }

  private async submitOrAttach(
    job: QueuedJob,
    backend: ComfyBackend,
    graph: object,
    callbacks: ComfyJobCallbacks & { signal: AbortSignal },
  ): Promise<{ result: ComfyRunResult; holder: ComfyBackend }> {
    const { store } = this.ctx;
    const { signal } = callbacks;
    const previous = job.comfyPromptId;
    // After a restart the prompt belongs to the server that accepted it. A job runs on another lane
    // only when that server's lane looked offline (a failed health probe, say): ask it anyway, since
    // a server that still has the prompt renders it whatever we do next.
    const holder =
      previous && job.backend
        ? job.backend === backend.id
          ? backend
          : this.ctx.pool.byLane(job.backend)
        : undefined;
    if (previous && holder) {
      const ask = (): Promise<ComfyCollectResult | null> =>
        holder.client.collect(previous, { signal }).catch((err: unknown) => {
          if (holder === backend) throw err;
          return null; // the other server is really unreachable: render here
        });
      let seen = await ask();
      // collect() reads /history, then /queue: a prompt that finishes between the two reads is in
      // neither answer. A second look tells "finished meanwhile" from "never arrived" (resubmitting
      // the first would render the image twice).
      if (seen?.state === 'unknown') seen = await ask();
      if (seen && holder !== backend && seen.state !== 'unknown') holder.lane.online = true;
      if (seen?.state === 'success') {
        const result: ComfyRunResult = {
          promptId: previous,
          outputs: seen.outputs,
          cached: seen.cached,
          durationMs: 0,
          timings: { queuedMs: 0, runMs: 0 },
          completedVia: 'history',
        };
        return { result, holder };
      }
      if (seen?.state === 'running' || seen?.state === 'pending') {
        const result = await holder.client.attach(previous, { ...callbacks, graph: graph as never }).wait();
        return { result, holder };
      }
      // failed, unknown (never arrived / server restarted) or unreachable: submit anew under a fresh id.
    }
    const promptId = randomUUID();
    store.jobs.setComfyPromptId(job.id, promptId, backend.id);
    job.comfyPromptId = promptId;
    job.backend = backend.id;
    const result = await backend.client.run(graph as never, { ...callbacks, promptId });
    return { result, holder: backend };
  }

  private async download(
    backend: ComfyBackend,
    outputs: ComfyOutputs,
    outputNodeIds: readonly string[],
    signal: AbortSignal,
  ): Promise<Buffer> {
    const image =
      outputNodeIds.map((id) => outputs[id]?.images[0]).find((i) => i !== undefined) ??
      Object.values(outputs).flatMap((o) => o.images)[0];
    if (!image)
      throw new ShowcaseError('backend_error', 'ComfyUI finished the prompt but reported no image output', {
        retryable: true,
      });
    return stripPngMetadata(await downloadImage(backend, image, signal));
  }

  /** Uploads the source image (the hero) to this backend once per content version. */
  private async uploadSource(backend: ComfyBackend, assetId: string, signal: AbortSignal): Promise<string> {
    const source = this.ctx.store.assets.get(assetId);
    if (!source?.localPath || source.status !== 'done' || !source.sha256) {
      throw new ShowcaseError('conflict', `The ${source?.kind ?? 'source'} image is not ready yet`);
    }
    const path = source.localPath;
    const name = uploadName(source.filename, source.sha256);
    return this.uploadOnce(backend, source.sha256, name, async () => readFileSync(path), signal);
  }

  /**
   * Uploads the product's reference photo (the `edit` family restyles it). The name carries the
   * content hash, so a photo changed between runs never reuses a stale upload.
   */
  private async uploadReference(
    backend: ComfyBackend,
    productId: string,
    reference: string,
    signal: AbortSignal,
  ): Promise<string> {
    const png = await loadReferenceImage(productId, reference, signal);
    const sha = sha256(png);
    return this.uploadOnce(
      backend,
      sha,
      `reference_${productId}_${sha.slice(0, 12)}.png`,
      async () => png,
      signal,
    );
  }

  /**
   * One upload per backend and content hash. The jobs that need an image start together (the four
   * variations of a hero; the hero and lifestyle restyled from one photo) and share it: a second upload
   * with `overwrite` would rewrite the file while the first prompt's LoadImage reads it (an empty image).
   */
  private uploadOnce(
    backend: ComfyBackend,
    sha: string,
    filename: string,
    bytes: () => Promise<Buffer>,
    signal: AbortSignal,
  ): Promise<string> {
    let upload = backend.uploads.get(sha);
    if (!upload) {
      upload = (async () => {
        const uploaded = await backend.client.uploadImage(await bytes(), filename, {
          subfolder: 'showcase',
          overwrite: true,
        });
        return uploaded.path;
      })();
      backend.uploads.set(sha, upload);
      upload.catch(() => backend.uploads.delete(sha));
    }
    // Shared by several jobs, so not aborted with this one: a cancelled job just stops waiting.
    return raceAbort(upload, signal, () =>
      abortedBy(signal, 'The job was stopped while its source image uploaded'),
    );
  }

  // -- thumbnail ----------------------------------------------------------------------------------

  private async runThumbnail(job: QueuedJob, payload: ThumbnailPayload, laneId: string, signal: AbortSignal) {
    const { store } = this.ctx;
    const asset = this.asset(job);
    const source = store.assets.get(payload.sourceAssetId);
    if (!source?.localPath || source.status !== 'done')
      throw new ShowcaseError('conflict', 'The hero image is not ready yet');
    const started = Date.now();
    let bytes: Buffer;
    if (payload.mode === 'comfy' && payload.templateId) {
      const backend = this.backend(laneId);
      const template = this.ctx.templates.get(payload.templateId);
      const image = await this.uploadSource(backend, source.id, signal);
      const gallery = this.gallery(job.galleryId);
      const instance = instantiate(
        template,
        {
          image,
          size: payload.size,
          filename_prefix: renderPrefix(gallery.productId, 'thumbnail_0', job.id, job.attempts),
        },
        { unknownParams: 'ignore' },
      );
      const { result, holder } = await this.render(job, backend, instance.graph, signal);
      bytes = await this.download(holder, result.outputs, instance.outputNodeIds, signal);
    } else {
      const raw = await sharp(readFileSync(source.localPath))
        .resize(payload.size, payload.size, { fit: 'inside', withoutEnlargement: true })
        .png({ compressionLevel: 9 })
        .toBuffer();
      bytes = stripPngMetadata(raw);
    }
    this.ctx.timings.set(asset.id, Date.now() - started);
    await this.saveAsset(
      job,
      asset,
      bytes,
      { seed: source.seed, prompt: source.prompt, attempts: job.attempts },
      () =>
        this.logUsage(job, laneId, payload.mode === 'comfy' ? 'comfy-scale' : 'sharp', 'thumbnail', {
          totalMs: Date.now() - started,
          ok: true,
        }),
    );
  }

  // -- helpers ------------------------------------------------------------------------------------

  /**
   * Writes the PNG atomically, then records the asset, the usage row and the job's completion in ONE
   * store transaction (the hot path of every image job: one commit instead of three).
   */
  private async saveAsset(
    job: QueuedJob,
    asset: Asset,
    bytes: Buffer,
    meta: { seed: number; prompt: string; attempts: number },
    alsoInTransaction: () => void,
  ): Promise<void> {
    const path = resolveInside(this.ctx.outputRoot, asset.filename);
    mkdirSync(dirname(path), { recursive: true }); // the gallery's own folder (showcase/files.ts)
    const temp = `${path}.${process.pid}.tmp`;
    // Synchronous on purpose: a PNG of a few hundred KB is written in well under a millisecond,
    // while the promise API costs three thread-pool round trips (open, write, close) plus a rename.
    writeFileSync(temp, bytes);
    renameSync(temp, path);
    const { width, height } = pngSize(bytes);
    const { store } = this.ctx;
    const saved = store.transaction(() => {
      const updated = store.assets.update(asset.id, {
        status: 'done',
        sha256: sha256(bytes),
        width,
        height,
        seed: meta.seed,
        prompt: meta.prompt,
        localPath: path,
        attempts: meta.attempts,
        error: null,
      });
      alsoInTransaction();
      return { job: store.jobs.markDone(job.id), asset: updated };
    });
    this.journaledDone.set(job.id, saved);
  }

  /**
   * Jobs whose completion the runner already journaled, with the rows it wrote: the scheduler hook
   * then skips the write and announces these rows instead of reading them back.
   */
  readonly journaledDone = new Map<string, { job: Job; asset: Asset }>();

  private logUsage(
    job: QueuedJob,
    backend: string,
    model: string,
    phase: 'copy' | 'image' | 'thumbnail',
    m: {
      queuedMs?: number;
      loadMs?: number;
      runMs?: number;
      totalMs: number;
      tokensIn?: number | null;
      tokensOut?: number | null;
      ok: boolean;
      error?: string | null;
    },
  ): void {
    this.ctx.store.modelUsage.insert({
      jobId: job.id,
      backend,
      model,
      phase,
      queuedMs: Math.max(0, m.queuedMs ?? 0),
      loadMs: Math.max(0, m.loadMs ?? 0),
      runMs: Math.max(0, m.runMs ?? 0),
      totalMs: Math.max(0, m.totalMs),
      tokensIn: m.tokensIn ?? null,
      tokensOut: m.tokensOut ?? null,
      ok: m.ok,
      error: m.error ?? null,
    });
  }

  ref(job: QueuedJob) {
    return { jobId: job.id, galleryId: job.galleryId, assetId: job.assetId, kind: job.kind };
  }

  private backend(laneId: string): ComfyBackend {
    const backend = this.ctx.pool.byLane(laneId);
    if (!backend) throw new ShowcaseError('internal', `No ComfyUI backend for lane ${laneId}`);
    return backend;
  }

  private gallery(id: string): Gallery {
    const gallery = this.ctx.store.galleries.get(id);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${id} does not exist`);
    return gallery;
  }

  private asset(job: QueuedJob): Asset {
    const asset = job.assetId ? this.ctx.store.assets.get(job.assetId) : null;
    if (!asset) throw new ShowcaseError('not_found', `Asset ${job.assetId ?? '(none)'} does not exist`);
    return asset;
  }
}
