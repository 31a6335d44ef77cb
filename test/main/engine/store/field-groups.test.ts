// The field groups behind sync merges: every synced column belongs to exactly one group (or is the id
// or the stamp), and merging is commutative and idempotent — the property convergence rests on.
import { describe, expect, it } from 'vitest';
import {
  type FieldClocks,
  formatHlc,
  groupOfColumn,
  groupsOf,
  mergeVersions,
  STAMP_COLUMN,
  type SyncRow,
  syncedTables,
  tableSpecs,
} from '../../../../src/main/engine/store/index.ts';

const hlc = (ms: number, node: string) => formatHlc({ physical: ms, counter: 0, node });

describe('field groups', () => {
  it('cover every synced column exactly once (id and updated_at aside)', () => {
    for (const table of syncedTables) {
      const owned = Object.values(groupsOf(table)).flat();
      expect(new Set(owned).size).toBe(owned.length);
      for (const c of tableSpecs[table].columns) {
        if (c.name === 'id' || c.name === STAMP_COLUMN) expect(groupOfColumn(table, c.name)).toBeNull();
        else
          expect({ table, column: c.name, group: groupOfColumn(table, c.name) !== null }).toEqual({
            table,
            column: c.name,
            group: true,
          });
      }
    }
  });

  it('merge takes each group from the newer clock and the later stamp, in either order', () => {
    const spec = tableSpecs.product_galleries;
    const row = (over: Partial<SyncRow>): SyncRow => ({
      id: 'g1',
      product_id: 'p1',
      status: 'draft',
      copy: null,
      prompt_prefix: 'x',
      preset_id: null,
      base_seed: 1,
      seed_locked: false,
      family: 'qwen-image',
      html_path: null,
      json_path: null,
      published_url: null,
      approved: false,
      error: null,
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z',
      ...over,
    });
    const base = hlc(1000, 'a');
    const all = (h: string): FieldClocks =>
      Object.fromEntries(Object.keys(groupsOf('product_galleries')).map((g) => [g, h]));
    const a = {
      row: row({ approved: true, updated_at: '2025-01-02T00:00:00.000Z' }),
      clocks: { ...all(base), approval: hlc(2000, 'a') },
    };
    const b = {
      row: row({ seed_locked: true, base_seed: 9 }),
      clocks: { ...all(base), seed: hlc(3000, 'b') },
    };
    const ab = mergeVersions(spec, a, b);
    const ba = mergeVersions(spec, b, a);
    expect(ab).toEqual(ba);
    expect(ab.row).toMatchObject({
      approved: true,
      seed_locked: true,
      base_seed: 9,
      updated_at: '2025-01-02T00:00:00.000Z',
    });
    expect(mergeVersions(spec, ab, a)).toEqual(ab);
    expect(mergeVersions(spec, ab, b)).toEqual(ab);
  });
});
