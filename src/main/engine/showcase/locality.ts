// Whose files are these? A gallery pulled from a colleague carries paths relative to the output root,
// but its files were rendered on the colleague's workstation: here they do not exist. Such a gallery is
// shown from its published URLs, or marked as being on another workstation — never taken for a local
// file (and never written over by this station).
import { existsSync } from 'node:fs';

/** `local`: the file is on this machine; `published`: only its public URL; `elsewhere`: neither. */
export type Locality = 'local' | 'published' | 'elsewhere';

export function fileLocality(localPath: string | null, remoteUrl: string | null): Locality {
  if (localPath && existsSync(localPath)) return 'local';
  return remoteUrl ? 'published' : 'elsewhere';
}

/**
 * What the catalog shows as a product's thumbnail: the local file (its root-relative path, served by
 * the app), else the published URL, else nothing (the UI then says "on another workstation").
 */
export function thumbnailFor(
  file: string | null,
  localPath: string | null,
  remoteUrl: string | null,
): string | null {
  if (file && localPath && existsSync(localPath)) return file;
  return remoteUrl;
}

/** Where a gallery's images are, judged by its assets: local when any finished image is here. */
export function galleryLocality(
  assets: ReadonlyArray<{ status: string; localPath: string | null; remoteUrl: string | null }>,
): Locality {
  const done = assets.filter((a) => a.status === 'done');
  if (done.length === 0) return 'local';
  const each = done.map((a) => fileLocality(a.localPath, a.remoteUrl));
  if (each.includes('local')) return 'local';
  return each.every((l) => l === 'published') ? 'published' : 'elsewhere';
}
