// Where a gallery's channel files live. Everything else in this capability asks these functions and
// never builds a channel path itself. The layout itself belongs to showcase/files.ts: a gallery's
// images live in its own folder (`galleries/<product>/<gallery>/`), and its channel variants in
// `channels/` inside that folder.
import { posix } from 'node:path';
import type { ChannelName } from '../../../shared/index.ts';
import { folderOf } from '../showcase/index.ts';

/** What the paths need to know of a gallery: its document's name and its product id. */
export interface GalleryRef {
  files: { json: string };
  product: { id: string };
}

/** Relative POSIX folder of the gallery's rendered images under the output root ('' for the root). */
export function galleryImageFolder(document: Pick<GalleryRef, 'files'>): string {
  return folderOf(document.files.json);
}

function inGallery(document: Pick<GalleryRef, 'files'>, ...parts: string[]): string {
  return posix.join(galleryImageFolder(document), 'channels', ...parts);
}

/** `channels/<channel>/product_{id}_{kind}.<ext>` */
export function channelFile(document: GalleryRef, channel: ChannelName, kind: string, ext: string): string {
  return inGallery(document, channel, `product_${document.product.id}_${kind}.${ext}`);
}

/** `channels/product_{id}_compliance.json`: one report per gallery (each gallery has its own folder). */
export function complianceFile(document: GalleryRef): string {
  return inGallery(document, `product_${document.product.id}_compliance.json`);
}

/** `channels/renders/product_{id}_hero_white.png`: the white-background render of the hero. */
export function whiteRenderFile(document: GalleryRef): string {
  return inGallery(document, 'renders', `product_${document.product.id}_hero_white.png`);
}

/** `hero`, `lifestyle`, `variation_2`: the kind part of a channel file name. */
export function variantKind(asset: { kind: string; idx: number }): string {
  return asset.kind === 'variation' ? `variation_${asset.idx}` : asset.kind;
}
