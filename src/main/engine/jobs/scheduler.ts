// Scheduler: keeps every backend fed while respecting the job DAG, the GPU's VRAM and ComfyUI's one
// prompt at a time.
// - Lanes: one LLM lane (Ollama), one per ComfyUI backend, one CPU lane (sharp thumbnails), the team
//   lane (jobs sent to the team queue). A ComfyUI lane holds up to `pipelineDepth` prompts (one running,
//   the next queued on the server) so the GPU never idles between jobs; `sequential` drops that to one.
// - Phases (phases.ts): copy, then images, on a GPU too small for the LLM and the image model.
// - Priority (ready-queue.ts): heroes first, then lifestyle, variations, thumbnails; FIFO per kind.
// - Failures (classified in fault-policy.ts): transient errors retry with exponential backoff; OOM
//   frees VRAM, switches the lane to sequential and retries; deterministic errors fail the job and
//   everything that depends on it at once; an unreachable backend takes its lane offline and the
//   BackendWatch probes it with back-off while the jobs wait without spending attempts.
// - Liveness: the scheduler's timers are never unref()'d while jobs are open. A CLI run holds no
//   other handle while jobs wait out a back-off, and Node would exit mid-run ("unsettled top-level
//   await", exit 13) if they were.
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import type { PlannedJob } from '../showcase/index.ts';
import { BackendWatch, type BackendWatchOptions, type LaneDownState } from './backend-watch.ts';
import { cascade } from './cascade.ts';
import { classifyFault, gaveUpWaiting, labelled } from './fault-policy.ts';
import { PhaseGate } from './phases.ts';
import { LocalPlacement } from './placement-pick.ts';
import { ReadyQueue } from './ready-queue.ts';
import type { Lane, LaneKind, QueuedJob, SchedulerHooks, SchedulerOptions } from './types.ts';

/** A backend restart loses its queue: retries of that kind do not count, up to this many per job. */
const MAX_FREE_RETRIES = 20;

export class Scheduler<R = void> {
  readonly lanes: Lane[];
  private readonly hooks: SchedulerHooks<R>;
  private readonly options: SchedulerOptions;
  private readonly jobs = new Map<string, QueuedJob>();
  private readonly ready = new ReadyQueue((job, lane) => this.pinnedElsewhere(job, lane));
  private readonly running = new Map<string, AbortController>();
  private readonly openByGallery = new Map<string, number>();
  /** Jobs waiting out a retry backoff (the only ones with notBefore in the future). */
  private readonly delayed = new Set<QueuedJob>();
  private open = 0;
  private seq = 0;
  private paused = false;
  private readonly phases: PhaseGate;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  /** Model swaps on the shared GPU (copy → image and back), for the benchmark. */
  get swaps(): number {
    return this.phases.swaps;
  }
  readonly watch: BackendWatch;
  /** Which image job a ComfyUI lane takes when there are several (placement-pick.ts). */
  readonly placement: LocalPlacement;

  constructor(lanes: Lane[], hooks: SchedulerHooks<R>, options: Partial<SchedulerOptions> = {}) {
    this.lanes = lanes;
    this.hooks = hooks;
    this.options = {
      maxAttempts: 3,
      backoffMs: 500,
      backoffMaxMs: 15_000,
      phaseGating: true,
      backendWatch: { probeInitialMs: 250, probeMaxMs: 5_000, downLimitMs: 300_000 },
      ...options,
    };
    this.watch = new BackendWatch(
      {
        probe: (lane) => (this.hooks.probeLane ? this.hooks.probeLane(lane) : Promise.resolve()),
        status: (lane, state) => this.hooks.laneStatus?.(lane, state),
        recovered: () => this.pump(),
        gaveUp: (kind, down) => this.giveUpOn(kind, down),
      },
      this.options.backendWatch,
    );
    this.placement = new LocalPlacement({
      ready: this.ready,
      lanes: () => this.lanes,
      pinnedElsewhere: (job, lane) => this.pinnedElsewhere(job, lane),
      ...(options.costs ? { costs: options.costs } : {}),
    });
    this.phases = new PhaseGate({
      lanes: () => this.lanes,
      ready: this.ready,
      enter: (phase, lanes) =>
        phase === 'image' ? this.hooks.enterImagePhase(lanes) : this.hooks.enterCopyPhase(lanes),
      switched: () => this.pump(),
    });
  }

  /** Changes how long a backend that went away is waited for (a settings change). */
  setBackendWatch(options: Partial<BackendWatchOptions>): void {
    Object.assign(this.watch.options, options);
  }

  /** Replaces the lanes of a kind (the backend URLs changed in the settings). */
  replaceLanes(lanes: Lane[]): void {
    for (const old of this.lanes) if (!lanes.includes(old)) this.watch.forget(old);
    this.lanes.splice(0, this.lanes.length, ...lanes);
    this.pump();
  }

  /** Turns copy/image phase batching on or off (decided from the GPU's VRAM before a run). */
  setPhaseGating(on: boolean): void {
    this.options.phaseGating = on;
    this.pump();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Adds jobs (a whole DAG or a single re-run). Dependencies already done elsewhere are ignored. */
  add(jobs: Array<PlannedJob & { lane: LaneKind; model: string | null }>): void {
    for (const job of jobs) {
      const queued: QueuedJob = { ...job, seq: this.seq++, remainingDeps: 0, dependents: [], notBefore: 0 };
      this.jobs.set(job.id, queued);
      if (queued.status !== 'queued') continue;
      this.open += 1;
      this.placement.opened(queued);
      this.openByGallery.set(job.galleryId, (this.openByGallery.get(job.galleryId) ?? 0) + 1);
    }
    for (const job of jobs) {
      const queued = this.jobs.get(job.id);
      if (!queued) continue;
      for (const dep of job.dependsOn) {
        const parent = this.jobs.get(dep);
        if (parent && parent.status !== 'done') {
          queued.remainingDeps += 1;
          parent.dependents.push(queued.id);
        }
      }
    }
    for (const job of jobs) {
      const queued = this.jobs.get(job.id);
      if (queued && queued.remainingDeps === 0 && queued.status === 'queued') this.ready.push(queued);
    }
    this.pump();
  }

  get(jobId: string): QueuedJob | undefined {
    return this.jobs.get(jobId);
  }

  counts(): Record<'queued' | 'running' | 'done' | 'failed' | 'cancelled', number> {
    const counts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const job of this.jobs.values()) counts[job.status] += 1;
    return counts;
  }

  runningJobs(): QueuedJob[] {
    return [...this.running.keys()]
      .map((id) => this.jobs.get(id))
      .filter((j): j is QueuedJob => j !== undefined);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Cancels queued jobs (and aborts running ones) of a job id or a whole gallery. */
  cancel(filter: { jobId?: string; galleryId?: string }): number {
    let n = 0;
    for (const job of this.jobs.values()) {
      if (job.status !== 'queued' && job.status !== 'running') continue;
      if (filter.jobId && job.id !== filter.jobId) continue;
      if (filter.galleryId && job.galleryId !== filter.galleryId) continue;
      const controller = this.running.get(job.id);
      if (controller) controller.abort(new ShowcaseError('interrupted', 'Cancelled by the operator'));
      else {
        job.status = 'cancelled';
        this.hooks.jobCancelled(job);
        n += this.cascade(job, 'cancelled', null);
        this.close(job);
      }
      n += 1;
    }
    this.pump();
    return n;
  }

  /** Resolves when no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  isIdle(): boolean {
    return this.open === 0;
  }

  /** True once `stop()` ran (the engine is closing). */
  stopped = false;

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watch.stop();
    for (const controller of this.running.values())
      controller.abort(new ShowcaseError('interrupted', 'Engine stopping'));
  }

  /**
   * A job recovered after a crash with a prompt id belongs to the ComfyUI server that accepted that
   * prompt: only there can it be collected or followed. On another lane it would be submitted anew
   * while the first server still renders it (the same image twice). When that server is offline,
   * any lane may take it.
   */
  private pinnedElsewhere(job: QueuedJob, lane: Lane): boolean {
    if (job.lane !== 'comfy' || !job.comfyPromptId || !job.backend || job.backend === lane.id) return false;
    return this.lanes.some((l) => l.id === job.backend && l.kind === 'comfy' && l.online);
  }

  pump(): void {
    if (this.paused) return;
    const now = Date.now();
    const gating = this.options.phaseGating && this.phases.gpuShared().length > 0;
    if (gating) this.phases.switchIfWanted();

    let soonest = Number.POSITIVE_INFINITY;
    for (const lane of this.lanes) {
      if (lane.retired) continue;
      if (!lane.online) {
        // Offline by a probe outside the scheduler (a status refresh): make sure someone watches it.
        if (!this.watch.isWatching(lane) && this.ready.count(lane.kind) > 0)
          this.watch.markDown(lane, 'a health check could not reach it');
        continue;
      }
      const limit = lane.sequential ? 1 : lane.capacity;
      while (lane.inFlight < limit) {
        if (gating && !this.phases.admits(lane)) break;
        const job = this.placement.take(lane, now);
        if (!job) break;
        this.start(job, lane);
      }
    }
    const forced = this.placement.unstall(now);
    if (forced) this.start(forced.job, forced.lane);
    // Wake up for jobs waiting out a backoff.
    for (const job of this.delayed) {
      if (job.status !== 'queued' || job.notBefore <= now) this.delayed.delete(job);
      else soonest = Math.min(soonest, job.notBefore);
    }
    if (soonest < Number.POSITIVE_INFINITY && !this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.pump();
        },
        Math.max(5, soonest - now),
      );
      // Deliberately not unref()'d: this timer is what keeps a run alive while jobs wait out a
      // back-off (nothing else may hold the event loop then).
    }
  }

  private start(job: QueuedJob, lane: Lane): void {
    const controller = new AbortController();
    this.running.set(job.id, controller);
    job.status = 'running';
    job.attempts += 1;
    // `job.backend` stays the server that holds the job's prompt (after a restart it may differ from
    // this lane's); the runner updates it when it submits.
    lane.inFlight += 1;
    this.placement.started(job, lane);
    if (job.model) lane.lastModel = job.model;
    this.hooks.jobStarted(job, lane);
    this.hooks
      .execute(job, lane, controller.signal)
      .then(
        (result) => this.succeed(job, lane, result),
        (err: unknown) => this.finish(job, lane, toShowcaseError(err)),
      )
      .catch(() => undefined);
  }

  private succeed(job: QueuedJob, lane: Lane, result: R): void {
    this.running.delete(job.id);
    lane.inFlight -= 1;
    this.placement.ended(job, lane);
    job.status = 'done';
    job.error = null;
    this.hooks.jobSucceeded(job, result);
    for (const id of job.dependents) {
      const child = this.jobs.get(id);
      if (child?.status !== 'queued') continue;
      child.remainingDeps -= 1;
      if (child.remainingDeps === 0) this.ready.push(child);
    }
    this.close(job);
    this.pump();
  }

  private finish(job: QueuedJob, lane: Lane, error: ShowcaseError): void {
    this.running.delete(job.id);
    lane.inFlight -= 1;
    this.placement.ended(job, lane);
    // The engine is closing and this job's work goes on elsewhere (the team queue): nothing is
    // journalled, so the next start finds it running and collects it, as after a crash.
    if (this.stopped && lane.detached) return;
    const fault = classifyFault(error);
    if (fault === 'cancelled') {
      job.status = 'cancelled';
      job.error = error.message;
      this.hooks.jobCancelled(job);
      this.cascade(job, 'cancelled', null);
      this.close(job);
      this.pump();
      return;
    }
    const lostPrompt = error.details?.reason === 'lost';
    if (
      (fault === 'backend_down' || lostPrompt) &&
      lane.kind !== 'cpu' &&
      (job.freeRetries ?? 0) < MAX_FREE_RETRIES
    ) {
      // The backend is down (or restarted and forgot the prompt): not the job's fault. It waits for
      // a lane that can take it and keeps its attempts.
      job.freeRetries = (job.freeRetries ?? 0) + 1;
      job.attempts = Math.max(0, job.attempts - 1);
      if (fault === 'backend_down') this.watch.markDown(lane, error.message);
      this.requeue(job, error, 0, true);
      return;
    }
    if ((fault === 'transient' || fault === 'oom') && job.attempts < this.options.maxAttempts) {
      const delay = Math.min(this.options.backoffMaxMs, this.options.backoffMs * 2 ** (job.attempts - 1));
      if (fault === 'oom') {
        lane.sequential = true;
        job.status = 'queued';
        job.error = error.message;
        this.hooks.jobRetrying(job, error);
        this.hooks
          .recoverFromOom(lane)
          .catch(() => undefined)
          .finally(() => {
            if (job.status !== 'queued') return;
            this.ready.push(job);
            this.pump();
          });
        return;
      }
      this.requeue(job, error, delay);
      return;
    }
    this.fail(job, labelled(error, fault, job.attempts));
    this.pump();
  }

  private requeue(job: QueuedJob, error: ShowcaseError, delayMs: number, free = false): void {
    job.status = 'queued';
    job.error = error.message;
    job.notBefore = delayMs > 0 ? Date.now() + delayMs : 0;
    if (job.notBefore > 0) this.delayed.add(job);
    this.hooks.jobRetrying(job, error, { free });
    this.ready.push(job);
    this.pump();
  }

  private fail(job: QueuedJob, error: ShowcaseError): void {
    job.status = 'failed';
    job.error = error.message;
    this.hooks.jobFailed(job, error);
    this.cascade(job, 'failed', error);
    this.close(job);
  }

  /**
   * No lane of `kind` answered for the whole wait: every job still waiting for one fails, naming
   * the backend(s), how long they were waited for and the last error.
   */
  private giveUpOn(kind: LaneKind, down: Array<{ lane: Lane; down: LaneDownState }>): void {
    if (this.lanes.some((l) => l.kind === kind && l.online && !l.retired)) return;
    const waiting = [...this.jobs.values()].filter((j) => j.lane === kind && j.status === 'queued');
    if (waiting.length === 0) return;
    const error = gaveUpWaiting(down, this.watch.options.downLimitMs);
    for (const job of waiting) if (job.status === 'queued') this.fail(job, error);
    this.pump();
  }

  private cascade(job: QueuedJob, status: 'failed' | 'cancelled', cause: ShowcaseError | null): number {
    return cascade({ jobs: this.jobs, hooks: this.hooks, close: (j) => this.close(j) }, job, status, cause);
  }

  private close(job: QueuedJob): void {
    this.open -= 1;
    this.placement.closed(job);
    const open = (this.openByGallery.get(job.galleryId) ?? 1) - 1;
    if (open <= 0) {
      this.openByGallery.delete(job.galleryId);
      this.hooks.galleryFinished(job.galleryId);
    } else this.openByGallery.set(job.galleryId, open);
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
