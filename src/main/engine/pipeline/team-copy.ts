// A product's copy written by the team (a worker started with `--ollama`): sent when this station's
// own Ollama does not answer at the start of a team run. The worker runs the same copywriter on the
// product the job carries; the copy comes back in the job's output and the lifecycle journals it like
// a local one. As for images, the journal holds the job's id, so a restart re-attaches to it.
import { hostname } from 'node:os';
import type { EventName, EventPayload } from '../../../shared/index.ts';
import { type JobResult, jobRef, type QueuedJob, usageRecord } from '../jobs/index.ts';
import type { JobPayload } from '../showcase/index.ts';
import type { Store } from '../store/index.ts';
import type { TeamDispatch, TeamJobProgress } from '../team/index.ts';
import { copySubject } from './copy-job.ts';
import { reachingTeam } from './team-image.ts';

type CopyPayload = Extract<JobPayload, { type: 'copy' }>;

export interface TeamCopyContext {
  store: Store;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  dispatch: Pick<TeamDispatch, 'writeCopy'>;
}

export class TeamCopyJobs {
  private readonly ctx: TeamCopyContext;

  constructor(ctx: TeamCopyContext) {
    this.ctx = ctx;
  }

  async run(job: QueuedJob, payload: CopyPayload, signal: AbortSignal): Promise<JobResult> {
    const { gallery, product, variations } = copySubject(this.ctx.store, job.galleryId);
    const result = await reachingTeam(signal, () =>
      this.ctx.dispatch.writeCopy(
        {
          jobId: job.id,
          runId: gallery.id,
          station: hostname(),
          galleryId: gallery.id,
          productId: product.id,
          product,
          model: payload.model,
          language: payload.language,
          variations: Math.max(1, variations),
        },
        signal,
        (p) => this.progress(job, p),
      ),
    );
    const usage = result.attempts.map((a) =>
      usageRecord(`team:${result.workerName}`, payload.model, 'copy', {
        totalMs: a.ms,
        tokensIn: a.tokensIn,
        tokensOut: a.tokensOut,
        ok: a.ok,
        error: a.error,
      }),
    );
    return { type: 'copy', copy: result.copy, usage };
  }

  private progress(job: QueuedJob, p: TeamJobProgress): void {
    this.ctx.emit('job.status', {
      ...jobRef(job),
      state: p.state === 'active' ? 'running' : 'queued-on-backend',
      backend: p.state === 'active' && p.worker ? p.worker : 'team queue',
      detail:
        p.state === 'active'
          ? `${p.worker ?? 'a team worker'} is writing the copy`
          : p.state === 'queued'
            ? 'waiting in the team queue for a worker with an Ollama (worker --ollama)'
            : `the team retries the copy${p.error ? ` after: ${p.error}` : ''}`,
    });
  }
}
