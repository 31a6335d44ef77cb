// An image job sent to the team: the same render this station would make (render-spec.ts), handed to
// the team queue with its input image in the team bucket, then collected when a worker finished it:
// the PNG comes back from the bucket (checked against its hash) into this station's gallery, and the
// lifecycle journals it like a local render. The journal holds the job's id as its "prompt id": after
// a crash the job is sent again under the same id, which the queue recognises, and waited for.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type EventName, type EventPayload, type Settings, ShowcaseError } from '../../../shared/index.ts';
import { graphModel } from '../comfy/index.ts';
import {
  type ExecutionCallbacks,
  type JobResult,
  jobRef,
  type QueuedJob,
  usageRecord,
} from '../jobs/index.ts';
import { JobPayloadSchema } from '../showcase/index.ts';
import type { Store } from '../store/index.ts';
import type {
  TeamBucket,
  TeamDispatch,
  TeamJobProgress,
  TeamPlanEntry,
  TeamRenderJob,
} from '../team/index.ts';
import type { TemplateLibrary } from '../templates/index.ts';
import { loadReferenceImage } from './reference.ts';
import {
  type ImagePayload,
  imageRenderSpec,
  type JobSlot,
  type RenderInput,
  writeAssetPng,
} from './render-spec.ts';

/** Hero first: the flow's first job names it, and its dependents follow. */
const KIND_ORDER = ['hero', 'lifestyle', 'variation'];

export interface TeamImageContext {
  store: Store;
  templates: TemplateLibrary;
  outputRoot: string;
  settings: () => Settings;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  dispatch: Pick<TeamDispatch, 'render' | 'sent'>;
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
    const bucket = this.ctx.bucket();
    // The first image job of a product that reaches the team takes the product's others with it, as
    // one flow: the queue holds the variations until their hero is rendered, so the workers see the
    // whole backlog and go on without waiting for this station to collect the hero.
    const plan = await reachingTeam(signal, async () =>
      (await this.ctx.dispatch.sent(job.id)) ? [] : this.productPlan(job, bucket, signal),
    );
    const own =
      plan.find((e) => e.job.jobId === job.id)?.job ?? (await this.teamJob(job, payload, bucket, signal, []));
    callbacks.submitting({
      promptId: job.id,
      backend: 'team',
      render: { seed: spec.seed, prompt: spec.prompt, params: spec.values, templateId: spec.template.id },
    });
    const result = await reachingTeam(signal, () =>
      this.ctx.dispatch.render(own, signal, (p) => this.progress(job, own, p), plan),
    );
    const bytes = await bucket.get(result.key, result.sha256, signal);
    const file = writeAssetPng(this.ctx.outputRoot, spec.asset, bytes, {
      seed: spec.seed,
      prompt: spec.prompt,
    });
    const usage = usageRecord(`team:${result.workerName}`, own.model, 'image', {
      runMs: result.ms,
      totalMs: Date.now() - started,
      ok: true,
    });
    this.ctx.emit('job.status', {
      ...jobRef(job),
      state: 'running',
      backend: `${result.workerName} · ${result.gpu}`,
      detail: `rendered on ${result.workerName} (${result.gpu}) in ${(result.ms / 1000).toFixed(1)} s`,
    });
    return { type: 'asset', file, usage: [usage], renderMs: result.ms, promptId: job.id };
  }

  /**
   * The team jobs of the product's image slots still to render (this one included), hero first; a
   * slot that starts from an image another of them makes waits for that job in the queue.
   */
  private async productPlan(
    job: QueuedJob,
    bucket: TeamBucket,
    signal: AbortSignal,
  ): Promise<TeamPlanEntry[]> {
    const open = this.ctx.store.jobs
      .listByGallery(job.galleryId)
      .filter((j) => j.status === 'queued' || j.status === 'running')
      .flatMap((j) => {
        const payload = this.ctx.store.jobs.getEntry(j.id)?.payload;
        const parsed = JobPayloadSchema.safeParse(payload);
        return parsed.success && parsed.data.type === 'image' && parsed.data.target === 'team'
          ? [{ job: j, payload: parsed.data }]
          : [];
      })
      .sort((a, b) => KIND_ORDER.indexOf(a.job.kind) - KIND_ORDER.indexOf(b.job.kind));
    const producers = new Map(
      open.flatMap((o) => (o.job.assetId ? [[o.job.assetId, o.job.id] as const] : [])),
    );
    const plan: TeamPlanEntry[] = [];
    for (const o of open) {
      const from = o.payload.sourceAssetId ? producers.get(o.payload.sourceAssetId) : undefined;
      const source = o.payload.sourceAssetId ? this.ctx.store.assets.get(o.payload.sourceAssetId) : null;
      // Its source is neither rendered here nor coming from the team in this flow: it goes alone later.
      if (o.payload.sourceAssetId && source?.status !== 'done' && !from) continue;
      const waits = source?.status === 'done' || !from ? [] : [from];
      const teamJob = await this.teamJob(o.job, o.payload, bucket, signal, waits);
      plan.push({ job: teamJob, ...(waits.length > 0 ? { dependsOn: waits } : {}) });
    }
    return plan;
  }

  /** One image job as the team queue carries it; `waitsFor` holds the job making its input image. */
  private async teamJob(
    job: JobSlot & { id: string },
    payload: ImagePayload,
    bucket: TeamBucket,
    signal: AbortSignal,
    waitsFor: readonly string[],
  ): Promise<TeamRenderJob> {
    const { gallery, asset, template, values, input } = imageRenderSpec(this.ctx, job, payload);
    const inputs: TeamRenderJob['inputs'] = {};
    const from = waitsFor[0];
    if (input && from) inputs.image = { fromJob: from };
    else if (input) inputs.image = await this.putInput(bucket, input, signal);
    return {
      jobId: job.id,
      runId: gallery.id,
      station: hostname(),
      galleryId: gallery.id,
      productId: gallery.productId,
      kind: asset.kind === 'thumbnail' ? 'hero' : asset.kind,
      idx: asset.idx,
      family: template.family,
      model: graphModel(template.graph),
      template: template.id,
      params: values,
      inputs,
    };
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
        ...jobRef(job),
        state: 'running',
        backend: who,
        detail: `rendering on ${who}${p.max > 0 ? ` (step ${p.value}/${p.max})` : ''}`,
      });
      if (p.max > 0)
        this.ctx.emit('job.progress', { ...jobRef(job), value: p.value, max: p.max, node: null });
      return;
    }
    this.ctx.emit('job.status', {
      ...jobRef(job),
      state: 'queued-on-backend',
      backend: 'team queue',
      detail:
        p.state === 'queued'
          ? `waiting in the team queue for a worker with the ${teamJob.family} models`
          : `the team retries it${p.error ? ` after: ${p.error}` : ''}`,
    });
  }
}

/**
 * Runs a call to the team database; an error that is not ours means the database is away, and the job
 * waits for it like for a ComfyUI server that went down (no attempt spent).
 */
export async function reachingTeam<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ShowcaseError || signal.aborted) throw err;
    throw new ShowcaseError('backend_unreachable', `The team database did not answer: ${String(err)}`, {
      details: { backend: 'team queue' },
      cause: err,
    });
  }
}
