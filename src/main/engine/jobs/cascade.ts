// A failed or cancelled job's dependents can never run: each ends too, with a reason that names the
// job it depended on. Split from the scheduler, which owns the jobs and calls this.
import { ShowcaseError } from '../../../shared/index.ts';
import type { QueuedJob, SchedulerHooks } from './types.ts';

export interface CascadeDeps {
  jobs: ReadonlyMap<string, QueuedJob>;
  hooks: Pick<SchedulerHooks<unknown>, 'jobFailed' | 'jobCancelled'>;
  /** The scheduler's bookkeeping for a job that reached a terminal state. */
  close: (job: QueuedJob) => void;
}

/** Ends every queued job downstream of `job` with `status`; returns how many. */
export function cascade(
  deps: CascadeDeps,
  job: QueuedJob,
  status: 'failed' | 'cancelled',
  cause: ShowcaseError | null,
): number {
  let n = 0;
  const stack = [...job.dependents];
  while (stack.length > 0) {
    const id = stack.pop();
    const child = id ? deps.jobs.get(id) : undefined;
    if (child?.status !== 'queued') continue;
    child.status = status;
    if (status === 'failed') {
      const reason = new ShowcaseError(
        'conflict',
        `Skipped: the ${job.kind} job it depends on failed (${cause?.message ?? 'unknown error'})`,
      );
      child.error = reason.message;
      deps.hooks.jobFailed(child, reason);
    } else {
      deps.hooks.jobCancelled(child);
    }
    stack.push(...child.dependents);
    deps.close(child);
    n += 1;
  }
  return n;
}
