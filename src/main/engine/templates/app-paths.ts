// Files shipped with the app (workflow templates, the offline object_info snapshot) are found relative
// to the installed code, never to the working directory: `showcase templates lint` and the
// `templates.lint` method must work from any folder.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<app root>/<relative>`, found by walking up from this module (works from `src/` and from a bundle in `out/`). */
export function findAppPath(relative: string, kind: 'file' | 'directory'): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) {
      const stat = statSync(candidate);
      if (kind === 'file' ? stat.isFile() : stat.isDirectory()) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

const OBJECT_INFO_SNAPSHOT = join('resources', 'object_info', 'comfyui-sim.json');

/** The offline `/object_info` snapshot `templates lint` checks against by default. */
export function defaultObjectInfoPath(): string {
  // When the app is installed without it, the error names where it was expected.
  return (
    findAppPath(OBJECT_INFO_SNAPSHOT, 'file') ??
    join(dirname(fileURLToPath(import.meta.url)), OBJECT_INFO_SNAPSHOT)
  );
}
