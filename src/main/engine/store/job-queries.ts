// The job journal's reads (JobRepository, jobs.ts, adds the writes). Rows come back as the contract's
// `Job`, validated on the way out; the queries a resume runs read thousands of rows in one statement.
import { type Job, type JobStatus, jobStatuses, ShowcaseError } from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { type JsonValue, type Paging, pageParams, parseJsonColumn, type Row, toInt } from './sql.ts';
import { jobsSummarySpec, rowToDomain } from './tables.ts';

/** A journal row with what the engine needs to (re)run it. */
export interface JobEntry {
  job: Job;
  payload: JsonValue;
  priority: number;
}

export interface JobListQuery extends Paging {
  galleryId?: string;
}

export class JobQueries {
  protected readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  get(id: string): Job | null {
    const row = this.row(id);
    return row ? rowToDomain(jobsSummarySpec, row) : null;
  }

  getEntry(id: string): JobEntry | null {
    const row = this.row(id);
    return row ? toEntry(row) : null;
  }

  /** The job that owns a ComfyUI prompt id (for routing WebSocket events). */
  findByComfyPromptId(comfyPromptId: string): Job | null {
    const row = this.core.prepare('SELECT * FROM jobs WHERE comfy_prompt_id = ?').get(comfyPromptId);
    return row ? rowToDomain(jobsSummarySpec, row) : null;
  }

  /** Jobs with the given status(es), in enqueue order. */
  listByStatus(status: JobStatus | readonly JobStatus[], query: JobListQuery = {}): Job[] {
    const params: Record<string, unknown> = {
      ...pageParams(query),
      statuses: JSON.stringify([status].flat()),
    };
    let where = 'status IN (SELECT value FROM json_each(@statuses))';
    if (query.galleryId !== undefined) {
      where += ' AND gallery_id = @galleryId';
      params.galleryId = query.galleryId;
    }
    return this.core
      .prepare(`SELECT * FROM jobs WHERE ${where} ORDER BY rowid LIMIT @limit OFFSET @offset`)
      .all(params)
      .map((row) => rowToDomain(jobsSummarySpec, row));
  }

  /** The most recently finished (done, failed or cancelled) jobs, newest first. */
  recentFinished(limit = 50): Job[] {
    return this.core
      .prepare(
        `SELECT * FROM jobs WHERE status IN ('done', 'failed', 'cancelled')
         ORDER BY finished_at DESC, rowid DESC LIMIT ?`,
      )
      .all(limit)
      .map((row) => rowToDomain(jobsSummarySpec, row));
  }

  /** A gallery's jobs in enqueue order. */
  listByGallery(galleryId: string): Job[] {
    return this.core
      .prepare('SELECT * FROM jobs WHERE gallery_id = ? ORDER BY rowid')
      .all(galleryId)
      .map((row) => rowToDomain(jobsSummarySpec, row));
  }

  /** How many jobs are in each status (every status present, zero when none). */
  counts(): Record<JobStatus, number> {
    const out = Object.fromEntries(jobStatuses.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const row of this.core.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status').all()) {
      const status = row.status as JobStatus;
      if (status in out) out[status] = toInt(row.n);
    }
    return out;
  }

  /**
   * The jobs with the given status(es) and what it takes to (re)run them, in enqueue order: one
   * query, for a resume that takes up thousands of journalled jobs at once.
   */
  listEntriesByStatus(status: JobStatus | readonly JobStatus[]): JobEntry[] {
    return this.core
      .prepare('SELECT * FROM jobs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY rowid')
      .all(JSON.stringify([status].flat()))
      .map(toEntry);
  }

  /**
   * Per gallery: its open jobs (queued or running) and its jobs not done (open, failed or
   * cancelled). For the named galleries (each listed, zeros included), or else for every gallery
   * with an open job, in the order of its first open job.
   */
  progressByGallery(
    galleryIds?: readonly string[],
  ): Array<{ galleryId: string; open: number; notDone: number }> {
    const counts = `SUM(status IN ('queued', 'running')) AS open, SUM(status != 'done') AS not_done`;
    const rows =
      galleryIds === undefined
        ? this.core
            .prepare(
              `SELECT gallery_id, ${counts} FROM jobs GROUP BY gallery_id HAVING open > 0
               ORDER BY MIN(CASE WHEN status IN ('queued', 'running') THEN rowid END)`,
            )
            .all()
        : this.core
            .prepare(
              `SELECT gallery_id, ${counts} FROM jobs
               WHERE gallery_id IN (SELECT value FROM json_each(?)) GROUP BY gallery_id`,
            )
            .all(JSON.stringify(galleryIds));
    const found = new Map(
      rows.map((r) => [String(r.gallery_id), { open: toInt(r.open), notDone: toInt(r.not_done) }]),
    );
    const ids = galleryIds ?? [...found.keys()];
    return ids.map((galleryId) => ({ galleryId, ...(found.get(galleryId) ?? { open: 0, notDone: 0 }) }));
  }

  /**
   * Galleries still `queued` or `running` that have jobs, none of them open: the process died
   * between a gallery's last job and settling it.
   */
  galleriesWithAllJobsEnded(): string[] {
    return this.core
      .prepare(
        `SELECT g.id FROM product_galleries g
         WHERE g.status IN ('queued', 'running')
           AND EXISTS (SELECT 1 FROM jobs j WHERE j.gallery_id = g.id)
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.gallery_id = g.id AND j.status IN ('queued', 'running'))
         ORDER BY g.rowid`,
      )
      .all()
      .map((r) => String(r.id));
  }

  // --- internals --------------------------------------------------------------------------------------

  protected row(id: string): Row | undefined {
    return this.core.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
  }

  protected requireRow(id: string): Row {
    const row = this.row(id);
    if (!row) throw new ShowcaseError('not_found', `Job ${id} does not exist`, { details: { jobId: id } });
    return row;
  }

  protected require(id: string): Job {
    return rowToDomain(jobsSummarySpec, this.requireRow(id));
  }
}

export function toEntry(row: Row): JobEntry {
  return {
    job: rowToDomain(jobsSummarySpec, row),
    payload: parseJsonColumn(row.payload, `jobs.payload of ${String(row.id)}`),
    priority: toInt(row.priority),
  };
}
