import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from '../../../../src/renderer/state/nav.ts';
import {
  canonical,
  differingFields,
  diffVersions,
  displayValue,
  hlcStation,
  hlcTime,
  tableLabel,
  winningSide,
} from '../../../../src/renderer/views/conflicts/diff.ts';

describe('conflict versions side by side', () => {
  it('lists every field once, flagging only the ones that differ (JSON columns opened one level)', () => {
    const local = {
      id: 'p1',
      name: 'Matte black',
      attributes: { brand: 'A', materials: ['steel'], price: { amount: 10, currency: 'EUR' } },
      updated_at: '2025-01-01T00:00:00.000Z',
    };
    const remote = {
      id: 'p1',
      name: 'Brushed steel',
      attributes: {
        materials: ['steel'],
        brand: 'A',
        price: { currency: 'EUR', amount: 12 },
        colors: ['grey'],
      },
      updated_at: '2025-01-01T00:00:00.000Z',
    };
    const rows = diffVersions(local, remote);
    expect(rows.map((r) => [r.field, r.differs])).toEqual([
      ['id', false],
      ['name', true],
      ['attributes.brand', false],
      ['attributes.materials', false],
      ['attributes.price', true],
      ['updated_at', false],
      ['attributes.colors', true],
    ]);
    expect(rows.find((r) => r.field === 'attributes.colors')).toMatchObject({
      local: undefined,
      remote: ['grey'],
    });
  });

  it('shows a missing version as all fields differing', () => {
    const rows = diffVersions(null, { id: 'x', ok: true });
    expect(rows).toEqual([
      { field: 'id', local: undefined, remote: 'x', differs: true },
      { field: 'ok', local: undefined, remote: true, differs: true },
    ]);
    expect(diffVersions(null, null)).toEqual([]);
  });

  it('compares JSON regardless of key order but not of array order or type', () => {
    expect(canonical({ b: 1, a: [1, { y: 2, x: 1 }] })).toBe(canonical({ a: [1, { x: 1, y: 2 }], b: 1 }));
    expect(canonical([1, 2])).not.toBe(canonical([2, 1]));
    expect(canonical('1')).not.toBe(canonical(1));
    expect(canonical(null)).not.toBe(canonical(undefined));
  });

  it('formats values, tables and HLCs for the operator', () => {
    expect(displayValue(undefined)).toBe('—');
    expect(displayValue(null)).toBe('null');
    expect(displayValue('')).toBe('""');
    expect(displayValue('text')).toBe('text');
    expect(displayValue({ a: 1 })).toBe('{"a":1}');
    expect(tableLabel('product_galleries')).toBe('Showcase');
    expect(tableLabel('other')).toBe('other');
    expect(hlcTime('1735787045000-00003-node_1')).toBe(1735787045000);
    expect(hlcTime('nope')).toBeNull();
    expect(hlcTime(null)).toBeNull();
  });

  it('knows which version holds the row now (the newer HLC)', () => {
    const older = '1735787045000-00000-a';
    const newer = '1735787045000-00001-b';
    expect(winningSide({ localHlc: older, remoteHlc: newer })).toBe('remote');
    expect(winningSide({ localHlc: newer, remoteHlc: older })).toBe('local');
    expect(winningSide({ localHlc: null, remoteHlc: newer })).toBe('remote');
    expect(winningSide({ localHlc: null, remoteHlc: null })).toBeNull();
  });

  it('has a route of its own', () => {
    expect(routeHash({ view: 'conflicts', galleryId: null })).toBe('#/conflicts');
    expect(parseRoute('#/conflicts')).toEqual({ view: 'conflicts', galleryId: null });
  });
});

describe('only the fields that differ', () => {
  it('drops equal fields and bookkeeping, and opens the copy two levels deep', () => {
    const base = {
      id: 'g1',
      status: 'complete',
      approved: false,
      copy: { title: 'Oak Stool', bullets: ['a', 'b', 'c'], prompts: { hero: 'oak', lifestyle: 'room' } },
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    const other = {
      ...base,
      approved: true,
      copy: { ...base.copy, prompts: { hero: 'oak', lifestyle: 'garden' } },
      updated_at: '2026-01-02T00:00:00.000Z',
    };
    expect(differingFields(base, other).map((r) => [r.field, r.local, r.remote])).toEqual([
      ['approved', false, true],
      ['copy.prompts.lifestyle', 'room', 'garden'],
    ]);
    expect(differingFields(base, { ...base })).toEqual([]);
  });

  it('reads the station out of an HLC', () => {
    expect(hlcStation('1767225600000-00003-station-b')).toBe('station-b');
    expect(hlcStation('not an hlc')).toBeNull();
    expect(hlcStation(null)).toBeNull();
  });
});
