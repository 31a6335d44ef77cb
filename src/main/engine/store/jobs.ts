// The job journal. A job's row (and its client-made comfy_prompt_id) is committed before the job is sent
// anywhere, so after a crash `recoverInterrupted` hands back exactly the jobs that were in flight.
// Only the lifecycle (engine/jobs/lifecycle.ts) calls the methods that change a status; it checks each
// transition first. The scheduler (engine/jobs/scheduler.ts) is the one queue model: it decides what
// runs next and cascades failures to dependents, each through the lifecycle.
//
// Dependencies: `job_deps` holds one edge per (dependency, dependent) and `blocked_by` counts the
// dependencies that are not `done`. Every status change into or out of `done` adjusts the dependents'
// counters, so a queued job with unmet dependencies is refused `running` by the journal itself.

import { z } from 'zod';
import { type Job, JobSchema, type JobStatus, parseOrThrow, ShowcaseError } from '../../../shared/index.ts';
import { assertAcyclic } from './job-graph.ts';
import { type JobEntry, JobQueries, toEntry } from './job-queries.ts';
import { type JsonValue, jsonText, toInt } from './sql.ts';
import { jobsSummarySpec, rowToDomain } from './tables.ts';

/** A job to enqueue. Status starts `queued`, attempts 0. */
export type JobDraft = Pick<Job, 'id' | 'galleryId' | 'kind'> &
  Partial<Pick<Job, 'assetId' | 'dependsOn' | 'backend'>> & {
    /** Engine data for running the job (template params, prompt …); stored as JSON, never synced. */
    payload?: JsonValue;
    /** Higher runs first; equal priorities run in enqueue order. */
    priority?: number;
  };

export type { JobEntry, JobListQuery } from './job-queries.ts';

const JobPrioritySchema = z.number().int().min(-1_000_000).max(1_000_000);

export class JobRepository extends JobQueries {
  /**
   * Adds jobs in one transaction. `dependsOn` may name jobs of the same batch (in any order) or existing
   * jobs. Throws `invalid_input` for duplicate ids, self-dependencies and cycles, `not_found` for an
   * unknown dependency or gallery, `conflict` for an id already in the journal.
   */
  enqueue(drafts: readonly JobDraft[]): Job[] {
    return this.core.tx('enqueue jobs', () => {
      const now = this.core.nowIso();
      const batch = new Map<string, JobDraft>();
      for (const [i, d] of drafts.entries()) {
        if (batch.has(d.id)) {
          throw new ShowcaseError('invalid_input', `jobs.${i}.id: ${d.id} appears twice in the batch`, {
            details: { fields: [`jobs.${i}.id`] },
          });
        }
        batch.set(d.id, d);
      }
      assertAcyclic(batch);
      const statusStmt = this.core.prepare('SELECT status FROM jobs WHERE id = ?');
      const statusOf = (id: string) => statusStmt.get(id)?.status;
      const insertJob = this.core.prepare(
        `INSERT INTO jobs (id, gallery_id, asset_id, kind, status, attempts, backend, depends_on, blocked_by,
                           priority, payload, queued_at)
         VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)`,
      );
      const insertDep = this.core.prepare('INSERT INTO job_deps (depends_on_id, job_id) VALUES (?, ?)');
      const out: Job[] = [];
      for (const [i, d] of drafts.entries()) {
        const dependsOn = [...new Set(d.dependsOn ?? [])];
        const job = parseOrThrow(
          JobSchema,
          {
            id: d.id,
            galleryId: d.galleryId,
            assetId: d.assetId ?? null,
            kind: d.kind,
            status: 'queued',
            attempts: 0,
            backend: d.backend ?? null,
            comfyPromptId: null,
            dependsOn,
            error: null,
            queuedAt: now,
            startedAt: null,
            finishedAt: null,
          },
          `jobs.${i}`,
        );
        const payload = jsonText(d.payload ?? null, `jobs.${i}.payload`);
        const priority = parseOrThrow(JobPrioritySchema, d.priority ?? 0, `jobs.${i}.priority`);
        if (statusOf(job.id) !== undefined) {
          throw new ShowcaseError('conflict', `Job ${job.id} is already in the journal`, {
            details: { jobId: job.id },
          });
        }
        let blockedBy = 0;
        for (const dep of dependsOn) {
          if (dep === job.id) {
            throw new ShowcaseError('invalid_input', `jobs.${i}.dependsOn: job ${job.id} depends on itself`, {
              details: { fields: [`jobs.${i}.dependsOn`] },
            });
          }
          if (batch.has(dep)) {
            blockedBy += 1;
            continue;
          }
          const status = statusOf(dep);
          if (status === undefined) {
            throw new ShowcaseError('not_found', `jobs.${i}.dependsOn: job ${dep} does not exist`, {
              details: { fields: [`jobs.${i}.dependsOn`], jobId: dep },
            });
          }
          if (status !== 'done') blockedBy += 1;
        }
        insertJob.run(
          job.id,
          job.galleryId,
          job.assetId,
          job.kind,
          job.backend,
          JSON.stringify(dependsOn),
          blockedBy,
          priority,
          payload,
          now,
        );
        out.push(job);
      }
      // Edges after all rows exist: a batch may list a dependent before its dependency.
      for (const job of out) for (const dep of job.dependsOn) insertDep.run(dep, job.id);
      return out;
    });
  }

  /**
   * Marks a job `running` (a queued job the scheduler starts, or an interrupted job this session
   * adopted). A queued job must be runnable. Running jobs just take the new backend / prompt id.
   */
  markRunning(id: string, options: { backend?: string; comfyPromptId?: string } = {}): Job {
    return this.core.tx(`mark job ${id} running`, () => {
      // The guard is in the WHERE clause: one statement on the hot path, a diagnosis only on refusal.
      const row = this.core
        .prepare(
          `UPDATE jobs SET status = 'running',
                  attempts = attempts + (CASE WHEN status = 'queued' THEN 1 ELSE 0 END),
                  started_at = CASE WHEN status = 'queued' THEN @now ELSE started_at END,
                  finished_at = NULL, backend = coalesce(@backend, backend),
                  comfy_prompt_id = coalesce(@promptId, comfy_prompt_id), run_session = @session
           WHERE id = @id AND (status = 'running' OR (status = 'queued' AND blocked_by = 0))
           RETURNING *`,
        )
        .get({
          id,
          now: this.core.nowIso(),
          backend: options.backend ?? null,
          promptId: options.comfyPromptId ?? null,
          session: this.core.sessionId,
        });
      if (row) return rowToDomain(jobsSummarySpec, row);
      const current = this.requireRow(id);
      const status = current.status as JobStatus;
      if (status === 'queued') {
        throw new ShowcaseError(
          'conflict',
          `Job ${id} still waits for ${toInt(current.blocked_by)} dependencies`,
          { details: { jobId: id } },
        );
      }
      throw badTransition(id, status, 'running');
    });
  }

  /**
   * Records the client-made ComfyUI prompt id. Call it — and let it return — before submitting the
   * prompt: after a crash the id is what lets the engine ask `/history/{id}` instead of running twice.
   */
  setComfyPromptId(id: string, comfyPromptId: string, backend?: string): Job {
    return this.core.tx(`set prompt id of job ${id}`, () => {
      const row = this.core
        .prepare(
          `UPDATE jobs SET comfy_prompt_id = ?, backend = coalesce(?, backend)
           WHERE id = ? AND status IN ('queued', 'running') RETURNING *`,
        )
        .get(comfyPromptId, backend ?? null, id);
      if (row) return rowToDomain(jobsSummarySpec, row);
      const status = this.requireRow(id).status as JobStatus;
      throw badTransition(id, status, status, 'cannot take a prompt id');
    });
  }

  /** running (or queued) → done; unblocks its dependents. */
  markDone(id: string): Job {
    return this.core.tx(`mark job ${id} done`, () => this.finish(id, 'done', null));
  }

  /**
   * running/queued → failed. Its dependents are not touched here: the scheduler ends them, each
   * through the lifecycle, so every transition is journalled once.
   */
  markFailed(id: string, error: string): Job {
    return this.core.tx(`mark job ${id} failed`, () => this.finish(id, 'failed', error));
  }

  /** queued/running → cancelled (dependents: as for `markFailed`). */
  markCancelled(id: string, reason = 'cancelled'): Job {
    return this.core.tx(`cancel job ${id}`, () => this.finish(id, 'cancelled', reason));
  }

  /**
   * Puts a job back in the queue (a retry, or a regenerate of a finished one): clears its prompt id and
   * times, keeps `attempts`. Re-queuing a `done` job blocks its not-yet-run dependents again.
   */
  requeue(
    id: string,
    options: { error?: string | null; priority?: number; refundAttempt?: boolean } = {},
  ): Job {
    return this.core.tx(`requeue job ${id}`, () => {
      const current = this.requireRow(id);
      const from = current.status as JobStatus;
      if (from === 'queued') throw badTransition(id, from, 'queued');
      const priority =
        options.priority === undefined ? null : parseOrThrow(JobPrioritySchema, options.priority, 'priority');
      this.core
        .prepare(
          `UPDATE jobs SET status = 'queued', comfy_prompt_id = NULL, started_at = NULL, finished_at = NULL,
                  run_session = NULL, error = ?, priority = coalesce(?, priority), queued_at = ?,
                  attempts = max(0, attempts - ?)
           WHERE id = ?`,
        )
        // A retry that was not the job's fault (its backend was down) gives the attempt back.
        .run(options.error ?? null, priority, this.core.nowIso(), options.refundAttempt ? 1 : 0, id);
      if (from === 'done') this.adjustDependents(id, +1);
      return this.require(id);
    });
  }

  /**
   * Jobs left `running` by an earlier session (the app crashed or was killed mid-job), oldest first. They
   * stay `running` and are adopted by this session, so a second call returns nothing; for each, the
   * engine asks the backend (`comfyPromptId` → `/history/{id}`) and then calls `markDone` or `requeue`.
   */
  recoverInterrupted(): JobEntry[] {
    return this.core.tx('recover interrupted jobs', () => {
      const session = this.core.sessionId;
      const rows = this.core
        .prepare(
          `SELECT * FROM jobs WHERE status = 'running' AND (run_session IS NULL OR run_session != ?)
           ORDER BY started_at, rowid`,
        )
        .all(session);
      this.core
        .prepare(
          `UPDATE jobs SET run_session = ? WHERE status = 'running' AND (run_session IS NULL OR run_session != ?)`,
        )
        .run(session, session);
      return rows.map(toEntry);
    });
  }

  /** Moves a queued/running job to a terminal status and queues its summary for sync. */
  private finish(id: string, to: 'done' | 'failed' | 'cancelled', error: string | null): Job {
    // Only terminal states are pushed: claims and retries would flood the outbox with noise.
    const hlc = this.core.clock.now();
    const row = this.core
      .prepare(
        `UPDATE jobs SET status = ?, error = ?, finished_at = ?, run_session = NULL, hlc = ?
         WHERE id = ? AND status IN ('queued', 'running') RETURNING *`,
      )
      .get(to, error, this.core.nowIso(), hlc, id);
    if (!row) throw badTransition(id, this.requireRow(id).status as JobStatus, to);
    if (to === 'done') this.adjustDependents(id, -1);
    const job = rowToDomain(jobsSummarySpec, row);
    this.core.enqueueOutbox('jobs', id, jobsSummarySpec.toSyncRow(job), hlc);
    return job;
  }

  private adjustDependents(id: string, delta: 1 | -1): void {
    this.core
      .prepare(
        'UPDATE jobs SET blocked_by = blocked_by + ? WHERE id IN (SELECT job_id FROM job_deps WHERE depends_on_id = ?)',
      )
      .run(delta, id);
  }
}

function badTransition(id: string, from: JobStatus, to: JobStatus, what?: string): ShowcaseError {
  return new ShowcaseError('conflict', `Job ${id} is ${from} and ${what ?? `cannot become ${to}`}`, {
    details: { jobId: id, from, to },
  });
}
