// Field-level differences between two versions of a flat record (a preset, a prompt set, a synced
// row): only the top-level fields whose JSON values differ, in a stable order.
import type { FieldDiff } from '../../../shared/index.ts';
import type { JsonValue } from '../store/index.ts';

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The fields of `before` and `after` whose values differ (missing counts as null). */
export function fieldDiff(
  before: Readonly<Record<string, JsonValue>>,
  after: Readonly<Record<string, JsonValue>>,
  ignore: readonly string[] = [],
): FieldDiff[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => !ignore.includes(k),
  );
  const out: FieldDiff[] = [];
  for (const field of keys) {
    const a = before[field] ?? null;
    const b = after[field] ?? null;
    if (canonicalJson(a) !== canonicalJson(b)) out.push({ field, before: a, after: b });
  }
  return out;
}

export function changedFields(
  before: Readonly<Record<string, JsonValue>> | null,
  after: Readonly<Record<string, JsonValue>>,
): string[] {
  if (!before) return Object.keys(after).sort();
  return fieldDiff(before, after).map((d) => d.field);
}
