// Fixtures for the store tests: real SQLite files in a fresh temp dir, a controllable wall clock, and
// domain objects that pass the shared schemas.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type {
  AssetDraft,
  GalleryDraft,
  OpenStoreOptions,
  ProductUpsert,
  Store,
} from '../../../../src/main/engine/store/index.ts';
import { openStore } from '../../../../src/main/engine/store/index.ts';
import { type AssetKind, ShowcaseError } from '../../../../src/shared/index.ts';

export interface TempStores {
  dir: string;
  /** Opens (or reopens) `name` in the temp dir; every store opened here is closed by `cleanup`. */
  open(name?: string, options?: OpenStoreOptions): Store;
  path(name?: string): string;
  cleanup(): Promise<void>;
}

export async function tempStores(): Promise<TempStores> {
  const dir = await mkdtemp(join(tmpdir(), 'showcase-store-'));
  const opened: Store[] = [];
  const path = (name = 'showcase.db') => join(dir, name);
  return {
    dir,
    path,
    open(name, options) {
      const store = openStore(path(name), options);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const s of opened) s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A wall clock the test moves by hand. */
export function fakeClock(start = Date.UTC(2025, 0, 2, 3, 4, 5)) {
  let t = start;
  return {
    now: () => t,
    set(ms: number) {
      t = ms;
    },
    advance(ms: number) {
      t += ms;
    },
  };
}

export function product(id: string, extra: Partial<ProductUpsert> = {}): ProductUpsert {
  return {
    id,
    handle: `handle-${id}`,
    name: `Product ${id}`,
    materials: [],
    colors: [],
    tags: [],
    attributes: {},
    ...extra,
  };
}

export function galleryDraft(id: string, productId: string, extra: Partial<GalleryDraft> = {}): GalleryDraft {
  return {
    id,
    productId,
    status: 'draft',
    copy: null,
    promptPrefix: 'studio white',
    presetId: null,
    baseSeed: 42,
    seedLocked: false,
    family: 'qwen-image',
    htmlPath: null,
    jsonPath: null,
    publishedUrl: null,
    approved: false,
    error: null,
    ...extra,
  };
}

export function assetDraft(
  id: string,
  kind: AssetKind,
  idx = 0,
  extra: Partial<AssetDraft> = {},
): AssetDraft {
  return {
    id,
    kind,
    idx,
    filename: `product_x_${kind}${idx ? `_${idx}` : ''}.png`,
    sha256: null,
    width: null,
    height: null,
    seed: 1000 + idx,
    seedLocked: false,
    prompt: `a ${kind} shot`,
    templateId: `qwen-image-${kind}`,
    params: { cfg: 2.5, steps: 20, sampler: 'euler' },
    localPath: null,
    remoteUrl: null,
    status: 'pending',
    approved: false,
    attempts: 0,
    error: null,
    ...extra,
  };
}

/** A store with one product and one gallery, the parent rows most tests need. */
export function seedGallery(store: Store, galleryId = 'g1', productId = 'p1') {
  if (!store.products.get(productId)) store.products.upsertMany([product(productId)]);
  return store.galleries.create(galleryDraft(galleryId, productId));
}

/** Runs `fn`, expecting a ShowcaseError with `code` (and a message matching `pattern`); returns it. */
export function expectCode(fn: () => unknown, code: ShowcaseError['code'], pattern?: RegExp): ShowcaseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShowcaseError);
    expect((err as ShowcaseError).code).toBe(code);
    if (pattern) expect((err as ShowcaseError).message).toMatch(pattern);
    return err as ShowcaseError;
  }
  throw new Error(`expected a ShowcaseError with code ${code}`);
}

/** A row's HLC as stored in the file, read through a separate read-only connection. */
export function rowHlc(path: string, table: string, id: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT hlc FROM ${table} WHERE id = ?`).get(id) as { hlc: string }).hlc;
  } finally {
    db.close();
  }
}
