// `demo --products N` synthesises what the samples lack: the sheet must import as N distinct, valid products.
import { expect, it } from 'vitest';
import { syntheticSheet } from '../../../src/main/cli/synthetic.ts';
import { parseSheet } from '../../../src/main/engine/sheets/index.ts';

it('makes N distinct products that import without errors, numbered from the offset', () => {
  const parsed = parseSheet(syntheticSheet(189, 12), { filename: 'demo-products.json' });
  expect(parsed.errors).toEqual([]);
  expect(parsed.products).toHaveLength(189);
  expect(new Set(parsed.products.map((p) => p.id)).size).toBe(189);
  expect(parsed.products[0]?.id).toBe('demo-0012');
  expect(new Set(parsed.products.map((p) => p.name)).size).toBe(189);
  // Deterministic: the same demo twice makes the same catalog.
  expect(syntheticSheet(5)).toBe(syntheticSheet(5));
});
