// JobExecutor: executes one job of the showcase DAG on the lane the scheduler picked and returns
// what it produced; it writes no rows (the lifecycle in jobs/ journals every outcome).
//   copy      → Ollama (CopyWriter) → the copy
//   image     → ComfyUI template → PNG downloaded into the output root → the file
//   thumbnail → sharp (local) or a ComfyUI scale graph → the file
// Before an image job's prompt is POSTed, `callbacks.submitting` journals its client-made prompt id
// and render parameters. A job that comes back with a prompt id (after a crash) first asks the
// backend about that prompt, so finished work is collected and running work is followed: nothing
// lost, nothing run twice.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import {
  type Asset,
  type EventName,
  type EventPayload,
  type Gallery,
  type ParamValue,
  type Settings,
  ShowcaseError,
} from '../../../shared/index.ts';
import {
  type ComfyGraph,
  type ComfyOutputs,
  type ComfyRunResult,
  graphModel,
  outputImage,
} from '../comfy/index.ts';
import {
  type ExecutionCallbacks,
  type JobResult,
  type QueuedJob,
  type RenderedFile,
  type RenderParams,
  usageRecord,
} from '../jobs/index.ts';
import { type JobPayload, JobPayloadSchema } from '../showcase/index.ts';
import type { Store } from '../store/index.ts';
import { instantiate, type TemplateLibrary } from '../templates/index.ts';
import { namingBackend, withModelFolder } from './backend-errors.ts';
import type { BackendPool, ComfyBackend } from './backends.ts';
import { CopyJobs } from './copy-job.ts';
import { sha256, stripPngMetadata } from './png.ts';
import { type PromptRun, stateDetail, submitOrAttach } from './prompts.ts';
import { loadReferenceImage } from './reference.ts';
import { downloadImage, renderPrefix, uploadName } from './render-names.ts';
import { type ImagePayload, imageRenderSpec, jobAsset, jobGallery, writeAssetPng } from './render-spec.ts';
import { throttleLatest } from './throttle.ts';

/** At most this often per job: what a progress bar and a preview tile can usefully show. */
const LIVE_PROGRESS_INTERVAL_MS = 100;
const LIVE_PREVIEW_INTERVAL_MS = 250;

export interface ExecutorContext {
  /** Read only: the executor looks up the gallery, the asset and presets, and writes nothing. */
  store: Store;
  pool: BackendPool;
  templates: TemplateLibrary;
  outputRoot: string;
  settings: () => Settings;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
}

type ThumbnailPayload = Extract<JobPayload, { type: 'thumbnail' }>;

type Run = PromptRun & { laneId: string; signal: AbortSignal };

export class JobExecutor {
  private readonly ctx: ExecutorContext;
  readonly copy: CopyJobs;

  constructor(ctx: ExecutorContext) {
    this.ctx = ctx;
    this.copy = new CopyJobs(ctx);
  }

  payloadOf(job: QueuedJob): JobPayload {
    return JobPayloadSchema.parse(job.payload);
  }

  async execute(
    job: QueuedJob,
    laneId: string,
    signal: AbortSignal,
    callbacks: ExecutionCallbacks,
  ): Promise<JobResult> {
    const payload = this.payloadOf(job);
    const run: Run = { job, laneId, signal, callbacks };
    switch (payload.type) {
      case 'copy':
        return this.copy.run(job, payload, signal, callbacks);
      case 'image':
        return this.runImage(run, payload).catch((err: unknown) => {
          throw namingBackend(err, 'ComfyUI', this.backend(laneId).url);
        });
      case 'thumbnail':
        return this.runThumbnail(run, payload).catch((err: unknown) => {
          throw payload.mode === 'comfy' ? namingBackend(err, 'ComfyUI', this.backend(laneId).url) : err;
        });
    }
  }

  // -- images -------------------------------------------------------------------------------------

  private async runImage(run: Run, payload: ImagePayload): Promise<JobResult> {
    const { job, laneId, signal } = run;
    const backend = this.backend(laneId);
    const {
      gallery,
      asset,
      template,
      seed,
      prompt,
      values: base,
      input,
    } = imageRenderSpec(this.ctx, job, payload);
    const values: Record<string, ParamValue> = {
      ...base,
      filename_prefix: renderPrefix(gallery.productId, `${asset.kind}_${asset.idx}`, job.id, job.attempts),
    };
    if (input?.kind === 'source') values.image = await this.uploadSource(backend, input.assetId, signal);
    else if (input?.kind === 'reference')
      values.image = await this.uploadReference(backend, input.productId, input.reference, signal);
    const instance = instantiate(template, values, { unknownParams: 'ignore' });
    const model = graphModel(instance.graph);

    const started = Date.now();
    const render: RenderParams = { seed, prompt, params: instance.params, templateId: template.id };
    const { result, holder } = await this.render(run, backend, instance.graph, render).catch(
      (raw: unknown) => {
        const err = withModelFolder(raw);
        const e = err instanceof ShowcaseError ? err : new ShowcaseError('internal', String(err));
        run.callbacks.failedAttempt(
          usageRecord(backend.id, model, 'image', {
            totalMs: Date.now() - started,
            ok: false,
            error: e.message,
          }),
        );
        throw err;
      },
    );
    const bytes = await this.download(holder, result.outputs, instance.outputNodeIds, signal);
    const usage = usageRecord(holder.id, model, 'image', {
      queuedMs: result.timings.queuedMs,
      runMs: result.timings.runMs,
      totalMs: Date.now() - started,
      ok: true,
    });
    return {
      type: 'asset',
      file: this.writePng(asset, bytes, { seed, prompt }),
      usage: [usage],
      // The render time on the GPU (execution start → end), not the wait in ComfyUI's queue.
      renderMs: result.timings.runMs || result.durationMs,
      promptId: result.promptId,
    };
  }

  /**
   * Submits (or, after a crash, re-attaches to) the job's prompt and waits for it. `holder` is the
   * backend whose output folder has the image: the lane's own, or the server that accepted the prompt
   * before the restart.
   */
  private async render(
    run: Run,
    backend: ComfyBackend,
    graph: ComfyGraph,
    render: RenderParams | null,
  ): Promise<{ result: ComfyRunResult; holder: ComfyBackend }> {
    const { job, signal } = run;
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
      return await submitOrAttach(this.ctx.pool, run, backend, graph, render, callbacks);
    } finally {
      progress.flush();
      preview.cancel();
    }
  }

  private async download(
    backend: ComfyBackend,
    outputs: ComfyOutputs,
    outputNodeIds: readonly string[],
    signal: AbortSignal,
  ): Promise<Buffer> {
    const image = outputImage(outputs, outputNodeIds);
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

  /** One upload per backend and content hash (comfy/uploads.ts). */
  private uploadOnce(
    backend: ComfyBackend,
    sha: string,
    filename: string,
    bytes: () => Promise<Buffer>,
    signal: AbortSignal,
  ): Promise<string> {
    return backend.uploads.once(sha, filename, bytes, signal);
  }

  // -- thumbnail ----------------------------------------------------------------------------------

  private async runThumbnail(run: Run, payload: ThumbnailPayload): Promise<JobResult> {
    const { job, laneId, signal } = run;
    const { store } = this.ctx;
    const asset = this.asset(job);
    const source = store.assets.get(payload.sourceAssetId);
    if (!source?.localPath || source.status !== 'done')
      throw new ShowcaseError('conflict', 'The hero image is not ready yet');
    const started = Date.now();
    let bytes: Buffer;
    let promptId: string | null = null;
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
      const { result, holder } = await this.render(run, backend, instance.graph, null);
      bytes = await this.download(holder, result.outputs, instance.outputNodeIds, signal);
      promptId = result.promptId;
    } else {
      const raw = await sharp(readFileSync(source.localPath))
        .resize(payload.size, payload.size, { fit: 'inside', withoutEnlargement: true })
        .png({ compressionLevel: 9 })
        .toBuffer();
      bytes = stripPngMetadata(raw);
    }
    const renderMs = Date.now() - started;
    const file = this.writePng(asset, bytes, { seed: source.seed, prompt: source.prompt });
    const model = payload.mode === 'comfy' ? 'comfy-scale' : 'sharp';
    const usage = usageRecord(laneId, model, 'thumbnail', { totalMs: Date.now() - started, ok: true });
    return { type: 'asset', file, usage: [usage], renderMs, promptId };
  }

  // -- helpers ------------------------------------------------------------------------------------

  private writePng(asset: Asset, bytes: Buffer, meta: { seed: number; prompt: string }): RenderedFile {
    return writeAssetPng(this.ctx.outputRoot, asset, bytes, meta);
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
    return jobGallery(this.ctx.store, id);
  }

  private asset(job: QueuedJob): Asset {
    return jobAsset(this.ctx.store, job);
  }
}
