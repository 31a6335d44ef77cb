// Product ids become parts of file names (`product_{id}_hero.png`) and URLs, so they are reduced to a
// small safe alphabet here, and every path built from them is checked to stay inside the output root.
import path from 'node:path';
import { type AssetKind, SafeIdSchema, ShowcaseError } from '../../../shared/index.ts';

export const MAX_ID_LENGTH = 64;
export const FALLBACK_ID = 'product';

// Latin letters that NFKD does not decompose into base letter + combining mark.
const LATIN_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  ł: 'l',
  Ł: 'L',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
};
const LATIN_FOLD_PATTERN = new RegExp(`[${Object.keys(LATIN_FOLDS).join('')}]`, 'g');

function trimDashes(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 45) start++;
  while (end > start && text.charCodeAt(end - 1) === 45) end--;
  return text.slice(start, end);
}

/**
 * Reduces any text to a file-name-safe id: `[A-Za-z0-9_-]`, at most 64 chars, never empty.
 * Accented Latin letters are transliterated ("Crème" → "Creme"); every other character (spaces, dots,
 * slashes, quotes, NUL, emoji, CJK …) becomes "-", runs of "-" collapse and are trimmed at both ends.
 * Text with nothing usable left becomes "product". Idempotent: `sanitizeId(sanitizeId(x)) === sanitizeId(x)`.
 */
export function sanitizeId(raw: string): string {
  const folded = raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(LATIN_FOLD_PATTERN, (ch) => LATIN_FOLDS[ch] ?? '-');
  const mapped = trimDashes(folded.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-'));
  const capped = trimDashes(mapped.slice(0, MAX_ID_LENGTH));
  return capped === '' ? FALLBACK_ID : capped;
}

/**
 * Hands out unique ids: the first product named "Mug" gets `mug`'s sanitised form, later ones get
 * `-2`, `-3` … (the base shortened so the whole id stays within 64 chars). Deterministic for a given
 * sequence of requests. Uniqueness is case-insensitive because the ids become file names and macOS /
 * Windows file systems do not distinguish `Mug` from `mug`.
 */
export class IdAllocator {
  readonly #taken = new Set<string>();
  // Next suffix to try per base, so N identical names cost O(N) rather than O(N²).
  readonly #nextSuffix = new Map<string, number>();

  constructor(taken: Iterable<string> = []) {
    for (const id of taken) this.#taken.add(id.toLowerCase());
  }

  /** True when `id` (compared case-insensitively) is already allocated or was seeded as taken. */
  has(id: string): boolean {
    return this.#taken.has(id.toLowerCase());
  }

  /** Sanitises `raw` and returns the first free id among `base`, `base-2`, `base-3` … */
  allocate(raw: string): string {
    const base = sanitizeId(raw);
    const baseKey = base.toLowerCase();
    if (!this.#taken.has(baseKey)) {
      this.#taken.add(baseKey);
      return base;
    }
    let n = this.#nextSuffix.get(baseKey) ?? 2;
    for (;;) {
      const suffix = `-${n}`;
      const stem = trimDashes(base.slice(0, MAX_ID_LENGTH - suffix.length));
      const candidate = `${stem}${suffix}`;
      n++;
      if (!this.#taken.has(candidate.toLowerCase())) {
        this.#nextSuffix.set(baseKey, n);
        this.#taken.add(candidate.toLowerCase());
        return candidate;
      }
    }
  }
}

function assertSafeId(productId: string): void {
  if (!SafeIdSchema.safeParse(productId).success) {
    throw new ShowcaseError('invalid_input', `"${productId}" is not a sanitised product id`, {
      hint: 'Pass the id through sanitizeId() first.',
      details: { field: 'productId' },
    });
  }
}

/**
 * The file name of one generated image: `product_{id}_hero.png`, `product_{id}_lifestyle.png`,
 * `product_{id}_variation_{idx}.png` (idx 1…N) or `product_{id}_thumbnail.png`. `idx` only matters for
 * variations. The `product_` prefix also means a name can never be a Windows device name like `CON`.
 */
export function assetFileName(productId: string, kind: AssetKind, idx = 0): string {
  assertSafeId(productId);
  if (kind !== 'variation') return `product_${productId}_${kind}.png`;
  if (!Number.isInteger(idx) || idx < 1) {
    throw new ShowcaseError('invalid_input', `variation index must be an integer ≥ 1, got ${idx}`, {
      details: { field: 'idx' },
    });
  }
  return `product_${productId}_variation_${idx}.png`;
}

/** The gallery document and page of one product: `product_{id}.json` and `product_{id}.html`. */
export function galleryFileNames(productId: string): { json: string; html: string } {
  assertSafeId(productId);
  return { json: `product_${productId}.json`, html: `product_${productId}.html` };
}

/**
 * Resolves `fileName` (a name or a relative path) against `root` and throws `invalid_input` when the
 * result would not be strictly inside `root`: `..` segments, absolute paths, NUL bytes and backslash
 * separators (treated as separators on every platform, so a sheet made on Windows cannot escape on
 * Linux either). A lexical check: defence in depth behind sanitised ids, not a symlink guard.
 */
export function resolveInside(root: string, fileName: string): string {
  const refuse = (why: string): never => {
    throw new ShowcaseError('invalid_input', `refusing file name "${fileName}": ${why}`, {
      hint: 'Generated files must stay inside the output folder.',
      details: { field: 'fileName', root },
    });
  };
  if (fileName.includes('\0')) refuse('it contains a NUL byte');
  const normalised = fileName.replace(/\\/g, '/');
  if (normalised.trim() === '') refuse('it is empty');
  if (path.isAbsolute(normalised) || /^[A-Za-z]:/.test(normalised)) refuse('it is an absolute path');
  const resolvedRoot = path.resolve(root);
  const resolved = path.resolve(resolvedRoot, normalised);
  const relative = path.relative(resolvedRoot, resolved);
  if (
    relative === '' ||
    relative === '..' ||
    relative.startsWith(`..${path.sep}`) ||
    path.isAbsolute(relative)
  ) {
    refuse('it resolves outside the output folder');
  }
  return resolved;
}
