// An image job sent to the team: the same render this station would make (render-spec.ts), handed to
// the team queue with its input image in the team bucket, then collected when a worker finished it:
// the PNG comes back from the bucket (checked against its hash) into this station's gallery, and the
// lifecycle journals it like a local render. The journal holds the job's id as its "prompt id": after
// a crash the job is sent again under the same id, which the queue recognises, and waited for.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type EventName, type EventPayload, type Settings, ShowcaseError } from '../../../shared/index.ts';
import { graphModel } from '../comfy/index.ts';
import { type ExecutionCallbacks, type JobResult, type QueuedJob, usageRecord } from '../jobs/index.ts';
import type { Store } from '../store/index.ts';
import type { TeamBucket, TeamDispatch, TeamJobProgress, TeamRenderJob } from '../team/index.ts';
import type { TemplateLibrary } from '../templates/index.ts';
import { loadReferenceImage } from './reference.ts';
import { type ImagePayload, imageRenderSpec, type RenderInput, writeAssetPng } from './render-spec.ts';

export interface TeamImageContext {
  store: Store;
  templates: TemplateLibrary;
  outputRoot: string;
  settings: () => Settings;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  dispatch: Pick<TeamDispatch, 'render'>;
  /** The team bucket (from the S3 settings); throws with a hint when none is set. */
  bucket: () => TeamBucket;
}

export class TeamImageJobs {
  private readonly ctx: TeamImageContext;

  constructor(ctx: TeamImageContext) {
    this.ctx = ctx;
  }

  async run(
    job: QueuedJob,
    payload: ImagePayload,
    signal: AbortSignal,
    callbacks: ExecutionCallbacks,
  ): Promise<JobResult> {
    const started = Date.now();
    const spec = imageRenderSpec(this.ctx, job, payload);
    const { gallery, asset, template } = spec;
    const bucket = this.ctx.bucket();
    const inputs: TeamRenderJob['inputs'] = {};
    if (spec.input) inputs.image = await this.putInput(bucket, spec.input, signal);
    const model = graphModel(template.graph);
    const teamJob: TeamRenderJob = {
      jobId: job.id,
      runId: gallery.id,
      station: hostname(),
      galleryId: gallery.id,
      productId: gallery.productId,
      kind: asset.kind === 'thumbnail' ? 'hero' : asset.kind,
      idx: asset.idx,
      family: template.family,
      model,
      template: template.id,
      params: spec.values,
      inputs,
    };
    callbacks.submitting({
      promptId: job.id,
      backend: 'team',
      render: { seed: spec.seed, prompt: spec.prompt, params: spec.values, templateId: template.id },
    });
    const result = await this.ctx.dispatch
      .render(teamJob, signal, (p) => this.progress(job, teamJob, p))
      .catch((err: unknown) => {
        if (err instanceof ShowcaseError || signal.aborted) throw err;
        // The team database is away: the job waits for it like for a ComfyUI server that went down.
        throw new ShowcaseError('backend_unreachable', `The team database did not answer: ${String(err)}`, {
          details: { backend: 'team queue' },
          cause: err,
        });
      });
    const bytes = await bucket.get(result.key, result.sha256, signal);
    const file = writeAssetPng(this.ctx.outputRoot, asset, bytes, { seed: spec.seed, prompt: spec.prompt });
    const usage = usageRecord(`team:${result.workerName}`, model, 'image', {
      runMs: result.ms,
      totalMs: Date.now() - started,
      ok: true,
    });
    this.ctx.emit('job.status', {
      ...ref(job),
      state: 'running',
      backend: `${result.workerName} · ${result.gpu}`,
      detail: `rendered on ${result.workerName} (${result.gpu}) in ${(result.ms / 1000).toFixed(1)} s`,
    });
    return { type: 'asset', file, usage: [usage], renderMs: result.ms, promptId: job.id };
  }

  private async putInput(
    bucket: TeamBucket,
    input: RenderInput,
    signal: AbortSignal,
  ): Promise<{ key: string; sha256: string }> {
    if (input.kind === 'reference') {
      return bucket.put(await loadReferenceImage(input.productId, input.reference, signal), signal);
    }
    const source = this.ctx.store.assets.get(input.assetId);
    if (!source?.localPath || source.status !== 'done')
      throw new ShowcaseError('conflict', `The ${source?.kind ?? 'source'} image is not ready yet`);
    return bucket.put(readFileSync(source.localPath), signal);
  }

  private progress(job: QueuedJob, teamJob: TeamRenderJob, p: TeamJobProgress): void {
    if (p.state === 'active') {
      const who = p.worker ? `${p.worker}${p.gpu ? ` · ${p.gpu}` : ''}` : 'a team worker';
      this.ctx.emit('job.status', {
        ...ref(job),
        state: 'running',
        backend: who,
        detail: `rendering on ${who}${p.max > 0 ? ` (step ${p.value}/${p.max})` : ''}`,
      });
      if (p.max > 0) this.ctx.emit('job.progress', { ...ref(job), value: p.value, max: p.max, node: null });
      return;
    }
    this.ctx.emit('job.status', {
      ...ref(job),
      state: 'queued-on-backend',
      backend: 'team queue',
      detail:
        p.state === 'queued'
          ? `waiting in the team queue for a worker with the ${teamJob.family} models`
          : `the team retries it${p.error ? ` after: ${p.error}` : ''}`,
    });
  }
}

function ref(job: QueuedJob) {
  return { jobId: job.id, galleryId: job.galleryId, assetId: job.assetId, kind: job.kind };
}
