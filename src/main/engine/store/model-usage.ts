import { randomUUID } from 'node:crypto';
import { type ModelPhase, type ModelUsage, ModelUsageSchema, parseOrThrow } from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { type Paging, pageParams } from './sql.ts';
import { modelUsageSpec, rowToDomain } from './tables.ts';

/** A usage record to log; `id` defaults to a UUID and `at` to now. */
export type ModelUsageDraft = Omit<ModelUsage, 'id' | 'at'> & { id?: string; at?: string };

export interface ModelUsageQuery extends Paging {
  jobId?: string;
  backend?: string;
  phase?: ModelPhase;
  /** Only records at or after this ISO time. */
  since?: string;
  /** Only rows this station wrote (not pulled from a colleague's by sync: their backends are theirs). */
  localOnly?: boolean;
  /** By `at`; `asc` (default) is oldest first. */
  order?: 'asc' | 'desc';
}

export class ModelUsageRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  insert(draft: ModelUsageDraft): ModelUsage {
    return this.core.tx('log model usage', () => {
      const usage = parseOrThrow(
        ModelUsageSchema,
        { ...draft, id: draft.id ?? randomUUID(), at: draft.at ?? this.core.nowIso() },
        'modelUsage',
      );
      this.core.writeSynced(modelUsageSpec, usage, 'insert');
      return usage;
    });
  }

  list(query: ModelUsageQuery = {}): ModelUsage[] {
    const where: string[] = [];
    const params: Record<string, unknown> = pageParams(query);
    for (const [key, column] of [
      ['jobId', 'job_id'],
      ['backend', 'backend'],
      ['phase', 'phase'],
    ] as const) {
      if (query[key] !== undefined) {
        where.push(`${column} = @${key}`);
        params[key] = query[key];
      }
    }
    if (query.since !== undefined) {
      where.push('at >= @since');
      params.since = query.since;
    }
    if (query.localOnly) {
      // The HLC ends with the writing node's id (hlc.ts).
      where.push("hlc LIKE '%-' || @node");
      params.node = this.core.clock.nodeId;
    }
    const dir = query.order === 'desc' ? 'DESC' : 'ASC';
    const sql = `SELECT * FROM model_usage_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at ${dir}, rowid ${dir} LIMIT @limit OFFSET @offset`;
    return this.core
      .prepare(sql)
      .all(params)
      .map((row) => rowToDomain(modelUsageSpec, row));
  }
}
