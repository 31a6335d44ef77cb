// Helpers for file URLs: cache-busting by content hash and basenames of engine paths.

/** Appends `v=<sha256>` so a regenerated image with the same file name is fetched again. */
export function versionedUrl(url: string, version: string | null | undefined): string {
  if (!version) return url;
  return `${url}${url.includes('?') ? '&' : '?'}v=${encodeURIComponent(version)}`;
}

/** The last segment of a POSIX or Windows path. */
export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}
