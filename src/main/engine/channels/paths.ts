// Where a gallery's channel files live. Everything else in this capability asks these functions and
// never builds a channel path itself. The only layout knowledge is `galleryImageFolder`: the folder
// (relative to the output root) that holds the gallery's rendered images — today the folder of the
// gallery document, which is where the composer writes the images too. When galleries move into their
// own folders, point this one function at the owner of that layout.
import { posix } from 'node:path';
import type { ChannelName } from '../../../shared/index.ts';

/** What the paths need to know of a gallery: its document's name and its product id. */
export interface GalleryRef {
  files: { json: string };
  product: { id: string };
}

/** Relative POSIX folder of the gallery's rendered images under the output root ('' for the root). */
export function galleryImageFolder(document: Pick<GalleryRef, 'files'>): string {
  const folder = posix.dirname(document.files.json.replace(/\\/g, '/'));
  return folder === '.' ? '' : folder;
}

function inGallery(document: Pick<GalleryRef, 'files'>, ...parts: string[]): string {
  return posix.join(galleryImageFolder(document), 'channels', ...parts);
}

/** `channels/<channel>/product_{id}_{kind}.<ext>` */
export function channelFile(document: GalleryRef, channel: ChannelName, kind: string, ext: string): string {
  return inGallery(document, channel, `product_${document.product.id}_${kind}.${ext}`);
}

/** `channels/product_{id}_compliance.json`: one report per gallery (named per product while galleries share a folder). */
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
