import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assetFileName,
  galleryFileNames,
  IdAllocator,
  MAX_ID_LENGTH,
  resolveInside,
  sanitizeId,
} from '../../../../src/main/engine/showcase/naming.ts';
import { SafeIdSchema, ShowcaseError } from '../../../../src/shared/index.ts';

const hostile = [
  '../../etc/passwd',
  '..\\..\\Windows\\System32',
  'a/b/c',
  'say "cheese"',
  "it's",
  'nul\0byte',
  '🔥 Hot Mug 🔥',
  '茶杯',
  'CON',
  'x'.repeat(500),
  '   ',
  '',
  '-_-',
  'Crème Brûlée',
  '.hidden',
  'C:\\temp\\x',
];

describe('sanitizeId', () => {
  it('keeps safe characters and maps the rest to single dashes', () => {
    expect(sanitizeId('summer-mug_01')).toBe('summer-mug_01');
    expect(sanitizeId('Summer Mug  01')).toBe('Summer-Mug-01');
    expect(sanitizeId('a/b\\c')).toBe('a-b-c');
    expect(sanitizeId('say "cheese"')).toBe('say-cheese');
    expect(sanitizeId('a\0b')).toBe('a-b');
  });

  it('never produces a path traversal', () => {
    expect(sanitizeId('../../etc/passwd')).toBe('etc-passwd');
    expect(sanitizeId('..\\..\\Windows\\System32')).toBe('Windows-System32');
    expect(sanitizeId('..')).toBe('product');
    expect(sanitizeId('.hidden')).toBe('hidden');
  });

  it('transliterates accented Latin letters', () => {
    expect(sanitizeId('Crème')).toBe('Creme');
    expect(sanitizeId('Crème Brûlée')).toBe('Creme-Brulee');
    expect(sanitizeId('Straße Ærø Łódź')).toBe('Strasse-AEro-Lodz');
    expect(sanitizeId('Ｆｕｌｌｗｉｄｔｈ')).toBe('Fullwidth');
  });

  it('drops emoji and scripts without a Latin form, falling back to "product"', () => {
    expect(sanitizeId('🔥 Hot Mug 🔥')).toBe('Hot-Mug');
    expect(sanitizeId('茶杯')).toBe('product');
    expect(sanitizeId('茶杯 v2')).toBe('v2');
    expect(sanitizeId('')).toBe('product');
    expect(sanitizeId('   ')).toBe('product');
    expect(sanitizeId('---')).toBe('product');
  });

  it('caps the length at 64 without leaving a trailing dash', () => {
    expect(sanitizeId('x'.repeat(500))).toBe('x'.repeat(MAX_ID_LENGTH));
    const cut = sanitizeId(`${'a'.repeat(63)} b`);
    expect(cut).toBe('a'.repeat(63));
  });

  it('keeps Windows device names: every file name built from an id carries a prefix', () => {
    expect(sanitizeId('CON')).toBe('CON');
    expect(assetFileName('CON', 'hero')).toBe('product_CON_hero.png');
    expect(galleryFileNames('NUL').html).toBe('product_NUL.html');
  });

  it('always yields a valid SafeId and is idempotent', () => {
    for (const raw of hostile) {
      const id = sanitizeId(raw);
      expect(SafeIdSchema.safeParse(id).success, raw).toBe(true);
      expect(sanitizeId(id)).toBe(id);
    }
  });
});

describe('IdAllocator', () => {
  it('disambiguates collisions deterministically', () => {
    const ids = new IdAllocator();
    expect(['mug', 'mug', 'Mug', 'mug!', 'cup', 'mug'].map((r) => ids.allocate(r))).toEqual([
      'mug',
      'mug-2',
      'Mug-3',
      'mug-4',
      'cup',
      'mug-5',
    ]);
  });

  it('treats ids that differ only in case as taken (case-insensitive file systems)', () => {
    const ids = new IdAllocator(['MUG']);
    expect(ids.has('mug')).toBe(true);
    expect(ids.allocate('mug')).toBe('mug-2');
  });

  it('can be seeded with already-taken ids, including suffixed ones', () => {
    const ids = new IdAllocator(['mug', 'mug-2']);
    expect(ids.allocate('mug')).toBe('mug-3');
    expect(ids.allocate('mug-2')).toBe('mug-2-2');
  });

  it('respects the length cap when adding a suffix', () => {
    const ids = new IdAllocator();
    const long = 'y'.repeat(100);
    const first = ids.allocate(long);
    const second = ids.allocate(long);
    const many = Array.from({ length: 12 }, () => ids.allocate(long));
    expect(first).toHaveLength(MAX_ID_LENGTH);
    expect(second).toBe(`${'y'.repeat(MAX_ID_LENGTH - 2)}-2`);
    expect(many.at(-1)).toBe(`${'y'.repeat(MAX_ID_LENGTH - 3)}-14`);
    for (const id of [first, second, ...many]) expect(id.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
    expect(new Set([first, second, ...many].map((i) => i.toLowerCase())).size).toBe(14);
  });

  it('does not leave a dash before the suffix when the cut lands on one', () => {
    const ids = new IdAllocator();
    const raw = `${'a'.repeat(61)}-bcd`; // 65 chars → capped to 64: a×61 + "-bc"
    ids.allocate(raw);
    expect(ids.allocate(raw)).toBe(`${'a'.repeat(61)}-2`);
  });

  it('stays fast for thousands of identical names', () => {
    const ids = new IdAllocator();
    const start = performance.now();
    let last = '';
    for (let i = 0; i < 20_000; i++) last = ids.allocate('茶杯');
    expect(last).toBe('product-20000');
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe('file names', () => {
  it('names every asset kind', () => {
    expect(assetFileName('mug', 'hero')).toBe('product_mug_hero.png');
    expect(assetFileName('mug', 'lifestyle', 0)).toBe('product_mug_lifestyle.png');
    expect(assetFileName('mug', 'variation', 1)).toBe('product_mug_variation_1.png');
    expect(assetFileName('mug', 'variation', 4)).toBe('product_mug_variation_4.png');
    expect(assetFileName('mug', 'thumbnail')).toBe('product_mug_thumbnail.png');
    expect(galleryFileNames('mug')).toEqual({ json: 'product_mug.json', html: 'product_mug.html' });
  });

  it('refuses unsanitised ids and bad variation indexes', () => {
    expect(() => assetFileName('../mug', 'hero')).toThrow(ShowcaseError);
    expect(() => galleryFileNames('a/b')).toThrow(ShowcaseError);
    expect(() => assetFileName('mug', 'variation', 0)).toThrow(/variation index/);
    expect(() => assetFileName('mug', 'variation', 1.5)).toThrow(/variation index/);
  });
});

describe('resolveInside', () => {
  const root = path.join(os.tmpdir(), 'showcase-out');

  it('resolves names and relative sub-paths inside the root', () => {
    expect(resolveInside(root, 'product_mug_hero.png')).toBe(path.join(root, 'product_mug_hero.png'));
    expect(resolveInside(root, 'assets/x.png')).toBe(path.join(root, 'assets', 'x.png'));
    expect(resolveInside(`${root}/`, 'a/../b.png')).toBe(path.join(root, 'b.png'));
  });

  it.each([
    '../escape.png',
    '../../etc/passwd',
    'a/../../escape.png',
    '..\\escape.png',
    'a\\..\\..\\escape.png',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    'c:evil.png',
    'x\0.png',
    '',
    '.',
    'a/..',
  ])('refuses %j', (name) => {
    let caught: unknown;
    try {
      resolveInside(root, name);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ShowcaseError);
    expect((caught as ShowcaseError).code).toBe('invalid_input');
  });

  it('accepts every name built from a sanitised hostile id', () => {
    for (const raw of hostile) {
      const id = sanitizeId(raw);
      const file = resolveInside(root, assetFileName(id, 'variation', 2));
      expect(path.dirname(file)).toBe(path.resolve(root));
    }
  });

  it('does not confuse a sibling folder that shares the prefix with the root', () => {
    expect(() => resolveInside(root, '../showcase-out-evil/x.png')).toThrow(ShowcaseError);
  });
});
