// Side-by-side comparison of the two versions of a conflicted row: one line per field, flagged when the
// versions disagree. Nested objects (a product's `attributes`, a showcase's `copy`) are opened one
// level deep so the operator sees *which* attribute differs, not just that the JSON blob does.
import { type ConflictRecord, isRecord } from '../../../shared/index.ts';

type Version = ConflictRecord['local'];

export interface FieldDiff {
  /** Column name, or `column.key` for a key inside a JSON column. */
  field: string;
  local: unknown;
  remote: unknown;
  /** True when the field is missing on one side: then the version has no such column (or no row). */
  differs: boolean;
}

function flatten(version: Version, maxDepth: number): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (value: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [key, v] of Object.entries(value)) {
      const field = prefix ? `${prefix}.${key}` : key;
      if (isRecord(v) && depth < maxDepth && Object.keys(v).length > 0) walk(v, field, depth + 1);
      else out.set(field, v);
    }
  };
  if (version) walk(version, '', 0);
  return out;
}

/** Stable text for comparing JSON values (object key order does not matter). */
export function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Every field of either version, in the local version's column order, then fields only the remote has. */
export function diffVersions(local: Version, remote: Version, depth = 1): FieldDiff[] {
  const a = flatten(local, depth);
  const b = flatten(remote, depth);
  const fields = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  return fields.map((field) => {
    const l = a.get(field);
    const r = b.get(field);
    return { field, local: l, remote: r, differs: canonical(l) !== canonical(r) };
  });
}

/** How a field value is shown in a cell: strings as they are, everything else as compact JSON. */
export function displayValue(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

const TABLE_LABELS: Record<string, string> = {
  products: 'Product',
  product_galleries: 'Showcase',
  assets: 'Image',
  model_usage_log: 'Model usage',
  prompt_presets: 'Prompt preset',
  jobs: 'Job summary',
};

export function tableLabel(table: string): string {
  return TABLE_LABELS[table] ?? table;
}

/** Which version currently holds the row: the newer HLC wins (HLCs sort as text). */
export function winningSide(
  conflict: Pick<ConflictRecord, 'localHlc' | 'remoteHlc'>,
): 'local' | 'remote' | null {
  if (!conflict.localHlc || !conflict.remoteHlc)
    return conflict.remoteHlc ? 'remote' : conflict.localHlc ? 'local' : null;
  return conflict.localHlc > conflict.remoteHlc ? 'local' : 'remote';
}

/** Bookkeeping columns every write changes; the side headers show when each version was made instead. */
const BOOKKEEPING = new Set(['updated_at', 'hlc']);

/**
 * Only what the operator has to decide between: the fields whose values differ, opened two levels
 * deep so a changed bullet or prompt shows as `copy.bullets` / `copy.prompts.hero`, not the whole copy.
 */
export function differingFields(local: Version, remote: Version): FieldDiff[] {
  return diffVersions(local, remote, 2).filter((r) => r.differs && !BOOKKEEPING.has(r.field));
}

/** The workstation inside an HLC (`<ms>-<counter>-<node>`), or null. */
export function hlcStation(hlc: string | null): string | null {
  const m = hlc ? /^\d{13}-\d{5}-(.+)$/.exec(hlc) : null;
  return m?.[1] ?? null;
}

/** The wall-clock time inside an HLC (`<13-digit ms>-<counter>-<node>`), or null when it is not one. */
export function hlcTime(hlc: string | null): number | null {
  const m = hlc ? /^(\d{13})-\d{5}-/.exec(hlc) : null;
  return m ? Number(m[1]) : null;
}
