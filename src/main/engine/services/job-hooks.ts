// The scheduler's hooks: how a scheduled job is executed (the executor, with the lifecycle's
// callbacks), how each outcome is journalled (the lifecycle), and what the GPU phases and an OOM
// do to the backends. The wiring between the jobs capability and the pipeline, nothing more.
import { toShowcaseError } from '../../../shared/index.ts';
import {
  type JobLifecycle,
  type JobResult,
  jobRef,
  type Lane,
  type LaneCosts,
  type SchedulerHooks,
} from '../jobs/index.ts';
import { backendWaitingEvent, backendWaitingLine } from '../pipeline/backend-waiting.ts';
import type { BackendPool } from '../pipeline/backends.ts';
import type { JobExecutor } from '../pipeline/executor.ts';
import type { EngineContext } from './context.ts';
import type { GalleryFinisher } from './galleries.ts';
import type { TeamService } from './team.ts';

export interface JobHookDeps {
  pool: BackendPool;
  /** Image jobs of a run sent to the team (the `team` lane). */
  team: TeamService;
  executor: JobExecutor;
  lifecycle: JobLifecycle;
  finisher: GalleryFinisher;
  /** The scheduler's lanes (the scheduler is built with these hooks, so it is read late). */
  lanes: () => readonly Lane[];
  /** Learns each backend's speed per model from every render (placement across ComfyUI servers). */
  costs?: LaneCosts;
}

export function jobHooks(ctx: EngineContext, deps: JobHookDeps): SchedulerHooks<JobResult> {
  const { pool, executor, lifecycle, finisher } = deps;
  /**
   * A refused transition means a bug, not a fault of the run: it is logged and the run goes on (the
   * scheduler's own state stays consistent), instead of breaking the scheduler's loop.
   */
  const journal = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      ctx.log(`journal: ${toShowcaseError(err).message}`);
    }
  };
  return {
    execute: async (job, lane, signal) => {
      const callbacks = {
        submitting: (submission: Parameters<JobLifecycle['submitting']>[1]) =>
          lifecycle.submitting(job, submission),
        failedAttempt: (usage: Parameters<JobLifecycle['failedAttempt']>[1]) =>
          journal(() => lifecycle.failedAttempt(job, usage)),
      };
      if (lane.kind === 'team') {
        const payload = executor.payloadOf(job);
        if (payload.type === 'copy') return deps.team.copies.run(job, payload, signal);
        if (payload.type !== 'image') throw new Error(`a ${payload.type} job cannot go to the team`);
        return deps.team.images.run(job, payload, signal, callbacks);
      }
      return executor.execute(job, lane.id, signal, callbacks);
    },
    enterImagePhase: async () => {
      const model = ctx.settings().ollamaModel;
      ctx.log(`unloading ${model} before the image phase`);
      executor.copy.budget.unloaded(model);
      await pool.ollama
        .freeVram(model)
        .catch((err: unknown) => ctx.log(`unload failed: ${toShowcaseError(err).message}`));
    },
    enterCopyPhase: async (lanes: Lane[]) => {
      await Promise.all(
        lanes.map((lane) =>
          pool
            .byLane(lane.id)
            ?.client.free({ unloadModels: true })
            .catch(() => undefined),
        ),
      );
    },
    recoverFromOom: async (lane) => {
      ctx.log(`out of memory on ${lane.id}: freeing VRAM and continuing one prompt at a time`);
      await pool.byLane(lane.id)?.client.free({ unloadModels: true, freeMemory: true });
      if (lane.sharedWithLlm) await pool.ollama.freeVram(ctx.settings().ollamaModel).catch(() => undefined);
    },
    jobStarted: (job, lane) => journal(() => lifecycle.started(job, lane.id)),
    jobRetrying: (job, error, info) => {
      job.comfyPromptId = null;
      const lane = info?.free ? deps.lanes().find((l) => l.kind === job.lane && !l.online) : null;
      if (lane) {
        ctx.emit('job.status', {
          ...jobRef(job),
          state: 'waiting-for-backend',
          backend: lane.id,
          detail: `waiting for ${lane.label ?? lane.id}${lane.url ? ` at ${lane.url}` : ''} to come back (no attempt spent)`,
        });
      }
      journal(() => lifecycle.retrying(job, error, info?.free ?? false));
    },
    jobSucceeded: (job, result) => {
      for (const usage of result.usage) deps.costs?.observe(usage);
      if (result.type === 'asset' && job.assetId) finisher.recordRenderTime(job.assetId, result.renderMs);
      journal(() => lifecycle.succeeded(job, result));
    },
    jobFailed: (job, error) => {
      journal(() => lifecycle.failed(job, error));
      // Its team job (or one blocked behind the hero that failed) must not be rendered for nothing.
      if (job.lane === 'team') deps.team.withdraw(job);
    },
    jobCancelled: (job) => {
      journal(() => lifecycle.cancelled(job));
      if (job.lane === 'team') deps.team.withdraw(job);
    },
    probeLane: (lane) =>
      lane.kind === 'team'
        ? deps.team.probe()
        : pool.probeLane(lane, ctx.settings().timeouts.comfyPollSec * 1000),
    laneStatus: (lane, state) => {
      const event = backendWaitingEvent(lane, state);
      ctx.emit('backend.waiting', event);
      // Once when it goes down, then every few probes, and when it is back: not one line per probe.
      if (state.online || !state.down || state.down.probes % 5 === 0) ctx.log(backendWaitingLine(event));
    },
    galleryFinished: (galleryId) => finisher.galleryFinished(galleryId),
  };
}
