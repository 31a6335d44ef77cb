// Field groups: the unit of a sync merge. Each synced row carries one clock per group; merging two
// versions takes every group from the version whose clock for it is higher, so an approval on one
// workstation and a seed lock on another both survive, and only two edits of the same group conflict.
//
// The same rules run in SQLite (`mergeVersions`) and in the Postgres upsert (push.ts builds its SQL
// from `groupsOf`), so every station and the server end up with identical rows.
import { ShowcaseError } from '../../../shared/index.ts';
import { compareHlc, isHlc } from './hlc.ts';
import type { JsonValue } from './sql.ts';
import type { SyncedTable, SyncRow, TableSpec } from './tables.ts';

/** Group name → the columns it owns. `id` belongs to none; `updated_at` takes the later of the two. */
export type GroupMap = Readonly<Record<string, readonly string[]>>;

const GROUPS: Record<SyncedTable, GroupMap> = {
  product_galleries: {
    core: ['product_id', 'created_at'],
    copy: ['copy'],
    approval: ['approved'],
    seed: ['base_seed', 'seed_locked'],
    prompts: ['prompt_prefix', 'preset_id', 'family'],
    render: ['status', 'html_path', 'json_path', 'error'],
    publish: ['published_url'],
  },
  assets: {
    core: ['gallery_id', 'kind', 'idx'],
    approval: ['approved'],
    seed: ['seed', 'seed_locked'],
    prompts: ['prompt', 'template_id', 'params'],
    render: ['filename', 'sha256', 'width', 'height', 'local_path', 'status', 'attempts', 'error'],
    publish: ['remote_url'],
  },
  products: { core: ['handle', 'name', 'attributes', 'source_sheet'] },
  prompt_presets: { core: ['name', 'prefix', 'negative', 'style', 'lighting', 'params'] },
  model_usage_log: {
    core: [
      'job_id',
      'backend',
      'model',
      'phase',
      'queued_ms',
      'load_ms',
      'run_ms',
      'total_ms',
      'tokens_in',
      'tokens_out',
      'ok',
      'error',
      'at',
    ],
  },
  jobs: {
    core: [
      'gallery_id',
      'asset_id',
      'kind',
      'status',
      'attempts',
      'backend',
      'comfy_prompt_id',
      'depends_on',
      'error',
      'queued_at',
      'started_at',
      'finished_at',
    ],
  },
};

/** The column every table has that records when a version was written: merged as the later one. */
export const STAMP_COLUMN = 'updated_at';

export function groupsOf(table: SyncedTable): GroupMap {
  return GROUPS[table];
}

export function groupNames(table: SyncedTable): string[] {
  return Object.keys(GROUPS[table]);
}

/** The group owning `column`, or null for `id` and `updated_at`. */
export function groupOfColumn(table: SyncedTable, column: string): string | null {
  for (const [name, cols] of Object.entries(GROUPS[table])) if (cols.includes(column)) return name;
  return null;
}

/** Group → HLC. Missing groups are at the row's hlc. */
export type FieldClocks = Record<string, string>;

/** Every group's clock, filling the missing ones with the row's hlc. */
export function fullClocks(table: SyncedTable, hlc: string, clocks: FieldClocks | null): FieldClocks {
  const out: FieldClocks = {};
  for (const g of groupNames(table)) out[g] = clocks?.[g] ?? hlc;
  return out;
}

/** The stored form: null when every group is at the row's hlc (the common case costs no row). */
export function compactClocks(table: SyncedTable, hlc: string, clocks: FieldClocks): FieldClocks | null {
  const names = groupNames(table);
  return names.every((g) => (clocks[g] ?? hlc) === hlc) ? null : fullClocks(table, hlc, clocks);
}

/** The highest group clock: a row's hlc is always this. */
export function rowHlc(clocks: FieldClocks): string {
  let max = '';
  for (const v of Object.values(clocks)) if (v > max) max = v;
  return max;
}

/** Reads group clocks from the network or storage; names the field when malformed. */
export function parseClocks(table: SyncedTable, value: unknown, field: string): FieldClocks | null {
  if (value === null || value === undefined) return null;
  let v: unknown = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      v = undefined;
    }
  }
  const known = new Set(groupNames(table));
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ShowcaseError('invalid_input', `${field}: field clocks must be an object of HLCs`, {
      details: { fields: [field] },
    });
  }
  const out: FieldClocks = {};
  for (const [k, h] of Object.entries(v as Record<string, unknown>)) {
    // A group this app does not know (a newer app added it) is carried by its columns' owner: ignore.
    if (!known.has(k)) continue;
    if (typeof h !== 'string' || !isHlc(h)) {
      throw new ShowcaseError('invalid_input', `${field}.${k}: not an HLC timestamp`, {
        details: { fields: [`${field}.${k}`] },
      });
    }
    out[k] = h;
  }
  return out;
}

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Groups whose values differ between two versions of a row. */
export function changedGroups(table: SyncedTable, before: SyncRow, after: SyncRow): string[] {
  const out: string[] = [];
  for (const [name, cols] of Object.entries(GROUPS[table])) {
    if (cols.some((c) => !same(before[c], after[c]))) out.push(name);
  }
  return out;
}

/** Columns of `group` whose values differ between two versions (for naming a conflict's field). */
export function differingColumns(table: SyncedTable, group: string, a: SyncRow, b: SyncRow): string[] {
  return (GROUPS[table][group] ?? []).filter((c) => !same(a[c], b[c]));
}

export interface Version {
  row: SyncRow;
  clocks: FieldClocks;
}

/**
 * Merges two versions group by group (the higher clock wins each group; `updated_at` is the later
 * one). Commutative and idempotent, so applying versions in any order gives the same row.
 */
export function mergeVersions(spec: TableSpec<unknown>, a: Version, b: Version): Version {
  const table = spec.name;
  const row: SyncRow = { ...a.row };
  const clocks: FieldClocks = {};
  for (const [name, cols] of Object.entries(GROUPS[table])) {
    const ca = a.clocks[name] ?? '';
    const cb = b.clocks[name] ?? '';
    const fromB = compareHlc(cb, ca) > 0;
    clocks[name] = fromB ? cb : ca;
    if (fromB) for (const c of cols) row[c] = b.row[c] ?? null;
  }
  if (spec.columns.some((c) => c.name === STAMP_COLUMN)) {
    const ua = String(a.row[STAMP_COLUMN] ?? '');
    const ub = String(b.row[STAMP_COLUMN] ?? '');
    // ISO strings: the later one sorts last (strings, so not Math.max).
    row[STAMP_COLUMN] = [ua, ub].sort()[1] ?? ua;
  }
  return { row, clocks };
}
