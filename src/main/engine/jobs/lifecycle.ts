// JobLifecycle: the only writer of job, asset and gallery status. Every change is checked against
// the transition tables (transitions.ts) and journalled once, in one SQLite transaction with what
// belongs to it (the asset, its usage rows and the job's completion commit together), and then
// announced as an event. Adapters, services and the executor call in here; none of them writes a
// status (test/main/engine/jobs/status-writers.test.ts fails when one does).
import {
  type Asset,
  type AssetStatus,
  type EventName,
  type EventPayload,
  type Gallery,
  type GalleryStatus,
  type Job,
  ShowcaseError,
} from '../../../shared/index.ts';
import type { PlannedJob, ShowcasePlan } from '../showcase/index.ts';
import type { JobEntry, Store } from '../store/index.ts';
import type { JobResult, RenderParams, UsageRecord } from './outcome.ts';
import { assertAssetTransition, assertGalleryTransition, assertJobTransition } from './transitions.ts';
import type { QueuedJob } from './types.ts';

export interface LifecycleContext {
  store: Store;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
}

/** What ended a gallery: its status, the error to show, and the pages written for it. */
export interface GallerySettlement {
  status: GalleryStatus;
  error: string | null;
  htmlPath: string | null;
  jsonPath: string | null;
}

type JobLike = Pick<Job, 'id' | 'galleryId' | 'assetId' | 'kind'>;

export function jobRef(job: JobLike) {
  return { jobId: job.id, galleryId: job.galleryId, assetId: job.assetId, kind: job.kind };
}

export class JobLifecycle {
  private readonly store: Store;
  private readonly emit: LifecycleContext['emit'];

  constructor(ctx: LifecycleContext) {
    this.store = ctx.store;
    this.emit = ctx.emit;
  }

  // -- opening work -------------------------------------------------------------------------------

  /** Journals a planned showcase: the gallery (queued), its asset slots (pending) and its job DAG. */
  openShowcase(plan: ShowcasePlan): void {
    const { store } = this;
    store.transaction(() => {
      store.galleries.create(plan.gallery);
      store.assets.createSet(
        plan.gallery.id,
        plan.assets.map(({ galleryId: _g, updatedAt: _u, ...a }) => a),
      );
      store.jobs.enqueue(plan.jobs.map(draftOf));
    });
  }

  /**
   * Re-opens part of a gallery (a re-run of what failed, a regenerate of one image): the new jobs,
   * their assets back to `queued`, the gallery `running` again. Optional `seeds` re-roll assets.
   */
  reopen(
    galleryId: string,
    jobs: readonly PlannedJob[],
    seeds: ReadonlyMap<string, number> = new Map(),
  ): void {
    const { store } = this;
    store.transaction(() => {
      store.jobs.enqueue(jobs.map(draftOf));
      for (const job of jobs) {
        if (!job.assetId) continue;
        const seed = seeds.get(job.assetId);
        this.setAsset(job.assetId, 'queued', { error: null, ...(seed !== undefined ? { seed } : {}) });
      }
      this.setGallery(galleryId, 'running', { error: null });
    });
  }

  /**
   * Ends unfinished galleries on purpose (`--restart`): their open jobs cancelled, those jobs'
   * assets failed as cancelled, the galleries cancelled. Returns the jobs cancelled and the prompts
   * they had sent (for the caller to take off their servers).
   */
  discard(galleryIds: readonly string[], reason: string, galleryError: string) {
    const { store } = this;
    const prompts: Array<{ backend: string; promptId: string }> = [];
    const galleries: Gallery[] = [];
    let cancelled = 0;
    store.transaction(() => {
      for (const galleryId of galleryIds) {
        for (const job of store.jobs.listByGallery(galleryId)) {
          if (job.status !== 'queued' && job.status !== 'running') continue;
          if (job.status === 'running' && job.comfyPromptId && job.backend)
            prompts.push({ backend: job.backend, promptId: job.comfyPromptId });
          assertJobTransition(job.id, job.status, 'cancelled');
          store.jobs.markCancelled(job.id, reason);
          if (job.assetId) this.setAsset(job.assetId, 'failed', { error: 'cancelled' });
          cancelled += 1;
        }
        galleries.push(this.setGallery(galleryId, 'cancelled', { error: galleryError }));
      }
    });
    for (const gallery of galleries) this.emit('showcase.updated', { galleryId: gallery.id, gallery });
    return { cancelled, prompts };
  }

  /** Jobs a previous session left running, adopted by this one (their prompts are asked about). */
  adoptInterrupted(): JobEntry[] {
    return this.store.jobs.recoverInterrupted();
  }

  // -- a job's run --------------------------------------------------------------------------------

  /** queued → running (or a job adopted after a crash), its asset with it. */
  started(job: QueuedJob, laneId: string): void {
    const { store } = this;
    store.transaction(() => {
      const current = this.requireJob(job.id);
      assertJobTransition(job.id, current.status, 'running');
      // A recovered job keeps the backend that holds its prompt, whichever lane follows it.
      store.jobs.markRunning(job.id, job.comfyPromptId ? {} : { backend: laneId });
      if (job.assetId) this.setAsset(job.assetId, 'running', {});
    });
    this.emit('job.started', { ...jobRef(job), backend: laneId });
  }

  /** Before the POST: the prompt id, its backend and the render parameters, in one commit. */
  submitting(
    job: QueuedJob,
    submission: { promptId: string; backend: string; render: RenderParams | null },
  ): void {
    const { store } = this;
    store.transaction(() => {
      const { render } = submission;
      if (render && job.assetId) store.assets.update(job.assetId, { ...render });
      store.jobs.setComfyPromptId(job.id, submission.promptId, submission.backend);
    });
  }

  /** The usage row of an attempt that failed (its outcome follows as retrying or failed). */
  failedAttempt(job: QueuedJob, usage: UsageRecord): void {
    this.store.modelUsage.insert({ jobId: job.id, ...usage });
  }

  /** running → done with what the executor produced: asset, usage rows and job in one commit. */
  succeeded(job: QueuedJob, result: JobResult): void {
    const { store } = this;
    const saved = store.transaction(() => {
      const current = this.requireJob(job.id);
      assertJobTransition(job.id, current.status, 'done');
      for (const usage of result.usage) store.modelUsage.insert({ jobId: job.id, ...usage });
      let asset: Asset | null = null;
      let gallery: Gallery | null = null;
      if (result.type === 'asset') {
        if (!job.assetId)
          throw new ShowcaseError('internal', `Job ${job.id} produced an image but has no asset`);
        const { file } = result;
        asset = this.setAsset(job.assetId, 'done', {
          sha256: file.sha256,
          width: file.width,
          height: file.height,
          seed: file.seed,
          prompt: file.prompt,
          localPath: file.path,
          attempts: job.attempts,
          error: null,
        });
      } else {
        gallery = this.setGallery(job.galleryId, 'running', { copy: result.copy });
      }
      return { job: store.jobs.markDone(job.id), asset, gallery };
    });
    if (saved.gallery) this.emit('showcase.updated', { galleryId: saved.gallery.id, gallery: saved.gallery });
    this.emit('job.completed', { ...jobRef(job), job: saved.job, asset: saved.asset });
  }

  /**
   * running → queued for another attempt. `free`: not the job's fault (its backend was down or
   * lost the prompt), so the attempt is given back.
   */
  retrying(job: QueuedJob, error: ShowcaseError, free: boolean): void {
    const { store } = this;
    const stored = store.transaction(() => {
      const current = this.requireJob(job.id);
      assertJobTransition(job.id, current.status, 'queued');
      const requeued = store.jobs.requeue(job.id, { error: error.message, refundAttempt: free });
      if (job.assetId) this.setAsset(job.assetId, 'queued', { error: error.message });
      return requeued;
    });
    this.emit('job.failed', {
      ...jobRef(job),
      job: stored,
      error: error.message,
      errorInfo: error.toJSON(),
      willRetry: true,
    });
  }

  /** The job failed for good (or could never run: a dependency failed); its asset with it. */
  failed(job: QueuedJob, error: ShowcaseError): void {
    const { store } = this;
    const stored = store.transaction(() => {
      const current = this.requireJob(job.id);
      assertJobTransition(job.id, current.status, 'failed');
      const failedJob = store.jobs.markFailed(job.id, error.message);
      if (job.assetId)
        this.setAsset(job.assetId, 'failed', { error: error.message, attempts: failedJob.attempts });
      // The copy's error is the gallery's: nothing else of it can render.
      if (job.kind === 'copy') store.galleries.update(job.galleryId, { error: error.message });
      return failedJob;
    });
    this.emit('job.failed', {
      ...jobRef(job),
      job: stored,
      error: error.message,
      errorInfo: error.toJSON(),
      willRetry: false,
    });
  }

  /** Cancelled by the operator (or a cancelled dependency); its asset fails as cancelled. */
  cancelled(job: QueuedJob): void {
    const { store } = this;
    store.transaction(() => {
      const current = this.requireJob(job.id);
      assertJobTransition(job.id, current.status, 'cancelled');
      store.jobs.markCancelled(job.id, job.error ?? 'cancelled');
      if (job.assetId) this.setAsset(job.assetId, 'failed', { error: 'cancelled' });
    });
  }

  // -- galleries ----------------------------------------------------------------------------------

  /** Settles a gallery whose jobs all ended (or re-settles one whose copy was edited). */
  settle(galleryId: string, settlement: GallerySettlement): Gallery {
    const { status, ...rest } = settlement;
    const gallery = this.store.transaction(() => this.setGallery(galleryId, status, rest));
    this.emit('showcase.updated', { galleryId, gallery });
    return gallery;
  }

  // -- internals ----------------------------------------------------------------------------------

  private requireJob(id: string): Job {
    const job = this.store.jobs.get(id);
    if (!job) throw new ShowcaseError('not_found', `Job ${id} is not in the journal`);
    return job;
  }

  private setAsset(id: string, to: AssetStatus, patch: Parameters<Store['assets']['update']>[1]): Asset {
    const current = this.store.assets.get(id);
    if (!current) throw new ShowcaseError('not_found', `Asset ${id} does not exist`);
    assertAssetTransition(id, current.status, to);
    return this.store.assets.update(id, { ...patch, status: to });
  }

  private setGallery(
    id: string,
    to: GalleryStatus,
    patch: Parameters<Store['galleries']['update']>[1],
  ): Gallery {
    const current = this.store.galleries.get(id);
    if (!current) throw new ShowcaseError('not_found', `Gallery ${id} does not exist`);
    assertGalleryTransition(id, current.status, to);
    return this.store.galleries.update(id, { ...patch, status: to });
  }
}

function draftOf(j: PlannedJob) {
  return {
    id: j.id,
    galleryId: j.galleryId,
    kind: j.kind,
    assetId: j.assetId,
    dependsOn: j.dependsOn,
    payload: j.payload,
  };
}
