// Moves a store written before gallery folders into them: `product_{id}_*.png`, `product_{id}.json|html`
// and the product's channel files at the output root go to `galleries/<product>/<gallery>/` (files.ts),
// and the rows' file names and paths follow. Idempotent and crash-safe: each file is moved by one
// rename, a file already in place is left alone, and the rows change in one transaction afterwards —
// after a crash in between, the next run finds the files moved and only updates the rows.
//
// Before gallery folders a product's galleries shared one set of files, so only its latest gallery
// still had its own: that one takes them; the older galleries' rows point into their own (empty)
// folders, which is what they really have.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Asset, Gallery } from '../../../shared/index.ts';
import type { Store } from '../store/index.ts';
import { galleryAssetFile, galleryDocumentFiles, galleryFolder, inGalleryLayout } from './files.ts';
import { writeFileAtomic } from './gallery.ts';
import { galleryFileNames } from './naming.ts';

export interface LayoutMigrationResult {
  /** Galleries whose rows were moved to the folder layout. */
  galleries: number;
  /** Files moved into gallery folders. */
  moved: number;
}

function moveFile(from: string, to: string): boolean {
  if (existsSync(to) || !existsSync(from)) return false;
  mkdirSync(dirname(to), { recursive: true });
  renameSync(from, to);
  return true;
}

/** Flat-layout channel files of a product: `channels/<…>/product_{id}_*` and its compliance report. */
function channelFiles(root: string, productId: string): string[] {
  const base = join(root, 'channels');
  if (!existsSync(base)) return [];
  const prefix = `product_${productId}_`;
  return readdirSync(base, { recursive: true })
    .map(String)
    .filter((f) => (f.split(/[\\/]/).pop() ?? '').startsWith(prefix))
    .map((f) => `channels/${f.replace(/\\/g, '/')}`);
}

/** Rewrites the moved document's own file references (it names its files relative to the root). */
async function rewriteDocument(
  path: string,
  folder: string,
  files: { json: string; html: string },
): Promise<void> {
  if (!existsSync(path)) return;
  const doc = JSON.parse(readFileSync(path, 'utf8')) as {
    files?: { json: string; html: string };
    assets?: Array<{ filename: string }>;
    status?: { failed?: Array<{ filename: string }> };
  };
  const inFolder = (f: string) => (inGalleryLayout(f) ? f : `${folder}/${f.replace(/^.*[\\/]/, '')}`);
  doc.files = files;
  for (const a of doc.assets ?? []) a.filename = inFolder(a.filename);
  for (const a of doc.status?.failed ?? []) a.filename = inFolder(a.filename);
  await writeFileAtomic(path, `${JSON.stringify(doc, null, 2)}\n`);
}

async function migrateGallery(store: Store, root: string, gallery: Gallery, owner: boolean): Promise<number> {
  const assets: Asset[] = store.assets.listByGallery(gallery.id);
  const folder = galleryFolder(gallery.productId, gallery.id);
  const docs = galleryDocumentFiles(gallery.productId, gallery.id);
  let moved = 0;
  if (owner) {
    for (const a of assets) {
      if (inGalleryLayout(a.filename)) continue;
      const to = join(root, galleryAssetFile(gallery.productId, gallery.id, a.kind, a.idx));
      if (moveFile(join(root, a.filename), to)) moved += 1;
    }
    const flat = galleryFileNames(gallery.productId);
    if (moveFile(join(root, flat.json), join(root, docs.json))) moved += 1;
    if (moveFile(join(root, flat.html), join(root, docs.html))) moved += 1;
    for (const f of channelFiles(root, gallery.productId)) {
      if (moveFile(join(root, f), join(root, folder, f))) moved += 1;
    }
    const compliance = join(root, folder, 'channels', `product_${gallery.productId}_compliance.json`);
    if (existsSync(compliance)) {
      const text = readFileSync(compliance, 'utf8').replaceAll('"channels/', `"${folder}/channels/`);
      await writeFileAtomic(compliance, text);
    }
    await rewriteDocument(join(root, docs.json), folder, docs);
  }
  const here = (rel: string) => join(root, rel);
  store.transaction(() => {
    for (const a of assets) {
      if (inGalleryLayout(a.filename)) continue;
      const filename = galleryAssetFile(gallery.productId, gallery.id, a.kind, a.idx);
      store.assets.update(a.id, { filename, localPath: a.localPath === null ? null : here(filename) });
    }
    store.galleries.update(gallery.id, {
      htmlPath: gallery.htmlPath === null ? null : here(docs.html),
      jsonPath: gallery.jsonPath === null ? null : here(docs.json),
    });
  });
  return moved;
}

/** Moves every gallery of the flat layout into its folder (see the file comment). */
export async function migrateLayout(store: Store, outputRoot: string): Promise<LayoutMigrationResult> {
  const result: LayoutMigrationResult = { galleries: 0, moved: 0 };
  for (const id of store.galleries.inFlatLayout()) {
    const g = store.galleries.get(id);
    if (!g) continue;
    // The product's latest gallery is the one whose files are still at the root.
    const owner = store.galleries.latestForProduct(g.productId)?.id === g.id;
    result.moved += await migrateGallery(store, outputRoot, g, owner);
    result.galleries += 1;
  }
  return result;
}
