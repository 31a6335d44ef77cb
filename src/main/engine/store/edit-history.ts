// The local edit history (who changed which preset or prompt set, when, and to what) and the source
// each derived image was made from. Local tables (migration 3): never queued for sync.

import { z } from 'zod';
import {
  type EditAction,
  type EditSubject,
  type EditVersion,
  EditVersionSchema,
  type ParamValue,
  ParamValueSchema,
  parseOrThrow,
} from '../../../shared/index.ts';

const ParamsSchema = z.record(z.string(), ParamValueSchema);

import type { StoreCore } from './core.ts';
import { type JsonObject, toInt } from './sql.ts';

export interface VersionDraft {
  subject: EditSubject;
  subjectId: string;
  action: EditAction;
  author: string;
  changed: string[];
  rollbackOf?: number | null;
  data: JsonObject;
}

export interface DerivedSource {
  assetId: string;
  galleryId: string;
  sourceAssetId: string;
  sourceSha256: string;
  kept: boolean;
  recordedAt: string;
}

export class EditHistoryRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  /** Appends the next version of a subject (numbered 1, 2, 3 …). */
  append(draft: VersionDraft): EditVersion {
    return this.core.tx(`record ${draft.subject} version ${draft.subjectId}`, () => {
      const row = this.core
        .prepare('SELECT max(version) AS v FROM edit_versions WHERE subject = ? AND subject_id = ?')
        .get(draft.subject, draft.subjectId) as { v: unknown };
      const version = row.v === null ? 1 : toInt(row.v) + 1;
      const stored = parseOrThrow(
        EditVersionSchema,
        {
          subject: draft.subject,
          subjectId: draft.subjectId,
          version,
          action: draft.action,
          author: draft.author,
          at: this.core.nowIso(),
          changed: draft.changed,
          rollbackOf: draft.rollbackOf ?? null,
          data: draft.data,
        },
        'version',
      );
      this.core
        .prepare(
          `INSERT INTO edit_versions (subject, subject_id, version, action, author, at, changed, rollback_of, data)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          stored.subject,
          stored.subjectId,
          stored.version,
          stored.action,
          stored.author,
          stored.at,
          JSON.stringify(stored.changed),
          stored.rollbackOf,
          JSON.stringify(stored.data),
        );
      return stored;
    });
  }

  /** Every version of a subject, oldest first. */
  list(subject: EditSubject, subjectId: string): EditVersion[] {
    return this.core
      .prepare('SELECT * FROM edit_versions WHERE subject = ? AND subject_id = ? ORDER BY version')
      .all(subject, subjectId)
      .map(toVersion);
  }

  get(subject: EditSubject, subjectId: string, version: number): EditVersion | null {
    const row = this.core
      .prepare('SELECT * FROM edit_versions WHERE subject = ? AND subject_id = ? AND version = ?')
      .get(subject, subjectId, version);
    return row ? toVersion(row) : null;
  }

  latest(subject: EditSubject, subjectId: string): EditVersion | null {
    const row = this.core
      .prepare(
        'SELECT * FROM edit_versions WHERE subject = ? AND subject_id = ? ORDER BY version DESC LIMIT 1',
      )
      .get(subject, subjectId);
    return row ? toVersion(row) : null;
  }

  /** Subjects whose latest version is a delete (a synced preset row may come back; it stays hidden). */
  deleted(subject: EditSubject): Set<string> {
    const rows = this.core
      .prepare(
        `SELECT v.subject_id AS id FROM edit_versions v
         WHERE v.subject = ? AND v.action = 'delete'
           AND v.version = (SELECT max(version) FROM edit_versions w WHERE w.subject = v.subject AND w.subject_id = v.subject_id)`,
      )
      .all(subject) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  // -- derived images ------------------------------------------------------------------------------

  /** Records that `assetId` was just made from the source whose bytes hash to `sourceSha256`. */
  recordSource(source: Omit<DerivedSource, 'recordedAt' | 'kept'> & { kept?: boolean }): void {
    this.core.tx('record derived source', () => {
      this.core
        .prepare(
          `INSERT INTO derived_sources (asset_id, gallery_id, source_asset_id, source_sha256, kept, recorded_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (asset_id) DO UPDATE SET source_asset_id = excluded.source_asset_id,
             source_sha256 = excluded.source_sha256, kept = excluded.kept, recorded_at = excluded.recorded_at`,
        )
        .run(
          source.assetId,
          source.galleryId,
          source.sourceAssetId,
          source.sourceSha256,
          source.kept ? 1 : 0,
          this.core.nowIso(),
        );
    });
  }

  /** Galleries with a finished derived image made from a hero other than the current one (one query). */
  staleGalleries(): Set<string> {
    const rows = this.core
      .prepare(
        `SELECT DISTINCT d.gallery_id AS id FROM derived_sources d
         JOIN assets a ON a.id = d.asset_id AND a.status = 'done'
         JOIN assets h ON h.gallery_id = d.gallery_id AND h.kind = 'hero' AND h.idx = 0 AND h.status = 'done'
         WHERE h.sha256 IS NOT NULL AND h.sha256 <> d.source_sha256`,
      )
      .all() as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  /** Render parameters chosen for a showcase at its start (empty when none). */
  showcaseParams(galleryId: string): Record<string, ParamValue> {
    const row = this.core.prepare('SELECT params FROM showcase_params WHERE gallery_id = ?').get(galleryId);
    return row ? parseOrThrow(ParamsSchema, JSON.parse(String(row.params)), 'stored showcase params') : {};
  }

  setShowcaseParams(galleryId: string, params: Record<string, ParamValue>): void {
    this.core.tx('save showcase params', () => {
      this.core
        .prepare(
          `INSERT INTO showcase_params (gallery_id, params, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (gallery_id) DO UPDATE SET params = excluded.params, updated_at = excluded.updated_at`,
        )
        .run(galleryId, JSON.stringify(params), this.core.nowIso());
    });
  }

  sources(galleryId: string): DerivedSource[] {
    return this.core
      .prepare('SELECT * FROM derived_sources WHERE gallery_id = ? ORDER BY asset_id')
      .all(galleryId)
      .map((r) => ({
        assetId: String(r.asset_id),
        galleryId: String(r.gallery_id),
        sourceAssetId: String(r.source_asset_id),
        sourceSha256: String(r.source_sha256),
        kept: toInt(r.kept) === 1,
        recordedAt: String(r.recorded_at),
      }));
  }
}

function toVersion(row: Record<string, unknown>): EditVersion {
  return parseOrThrow(
    EditVersionSchema,
    {
      subject: row.subject,
      subjectId: row.subject_id,
      version: toInt(row.version),
      action: row.action,
      author: row.author,
      at: row.at,
      changed: JSON.parse(String(row.changed)),
      rollbackOf: row.rollback_of === null ? null : toInt(row.rollback_of),
      data: JSON.parse(String(row.data)),
    },
    'stored version',
  );
}
