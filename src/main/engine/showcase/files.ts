// Where a gallery's files live — the one module that knows the layout. Every gallery has its own
// folder under the output root, so two galleries of one product (a re-run with another preset, the
// n8n "via app" flow) never overwrite each other; inside it the file names keep the seed's convention:
//
//   galleries/<product id>/<gallery id>/product_{id}_hero.png … product_{id}.json, product_{id}.html
//   galleries/<product id>/<gallery id>/channels/<channel>/…   (channel variants, see channels/paths.ts)
//
// Paths here are relative to the output root with "/" separators: that is how rows store and sync
// them (store/local-paths.ts resolves them on each machine).
import { posix } from 'node:path';
import { type AssetKind, SafeIdSchema, ShowcaseError } from '../../../shared/index.ts';
import { toLocalPath, toStoredPath } from '../store/index.ts';
import { assetFileName, galleryFileNames } from './naming.ts';

export { toLocalPath, toStoredPath };

/** The folder that holds every gallery folder. */
export const GALLERIES_DIR = 'galleries';

function safe(id: string, field: string): string {
  if (!SafeIdSchema.safeParse(id).success) {
    throw new ShowcaseError('invalid_input', `${field}: "${id}" is not a safe id for a folder name`, {
      details: { fields: [field] },
    });
  }
  return id;
}

/** `galleries/<product>/<gallery>` */
export function galleryFolder(productId: string, galleryId: string): string {
  return posix.join(GALLERIES_DIR, safe(productId, 'productId'), safe(galleryId, 'galleryId'));
}

/** `galleries/<product>/<gallery>/product_{id}_{kind}.png` */
export function galleryAssetFile(productId: string, galleryId: string, kind: AssetKind, idx = 0): string {
  return posix.join(galleryFolder(productId, galleryId), assetFileName(productId, kind, idx));
}

/** The gallery's document and page: `galleries/<product>/<gallery>/product_{id}.json|html`. */
export function galleryDocumentFiles(productId: string, galleryId: string): { json: string; html: string } {
  const folder = galleryFolder(productId, galleryId);
  const names = galleryFileNames(productId);
  return { json: posix.join(folder, names.json), html: posix.join(folder, names.html) };
}

/** The folder part of a root-relative file path ('' for a file at the root). */
export function folderOf(file: string): string {
  const folder = posix.dirname(file.replace(/\\/g, '/'));
  return folder === '.' ? '' : folder;
}

/** A link from the page at `fromFile` to `toFile` (both root-relative), for relative URLs in pages. */
export function linkFrom(fromFile: string, toFile: string): string {
  return posix.relative(folderOf(fromFile) || '.', toFile.replace(/\\/g, '/')) || posix.basename(toFile);
}

/** True for a root-relative path in the gallery-folder layout (false: an older flat layout). */
export function inGalleryLayout(file: string): boolean {
  return file.replace(/\\/g, '/').startsWith(`${GALLERIES_DIR}/`);
}

/**
 * A file's path under the product's publishing prefix: `galleries/<product>/<gallery>/x` becomes
 * `<gallery>/x`, so each gallery keeps its own keys; older flat names stay as they are.
 */
export function publishedPath(file: string, productId: string): string {
  const f = file.replace(/\\/g, '/');
  const own = `${GALLERIES_DIR}/${productId}/`;
  return f.startsWith(own) ? f.slice(own.length) : f;
}
