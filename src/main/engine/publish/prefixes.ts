// Object key prefixes: the per-gallery template (`products/{id}/`) and the checks every prefix passes.
import { ShowcaseError } from '../../../shared/index.ts';

const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Checks a key prefix: relative, `/`-separated safe segments, no `.`/`..`; adds the trailing `/`. */
export function normalisePrefix(prefix: string, field = 'prefix'): string {
  if (prefix === '') return '';
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const segments = trimmed.split('/');
  for (const s of segments) {
    if (!PREFIX_SEGMENT.test(s) || s === '.' || s === '..') {
      throw new ShowcaseError(
        'invalid_input',
        `Invalid ${field} "${prefix}": use "/"-separated names of letters, digits, ".", "_" and "-"`,
        { details: { field } },
      );
    }
  }
  return `${trimmed}/`;
}

/** `products/{id}/` for product `mug` → `products/mug/`. */
export function resolvePrefix(template: string, productId: string): string {
  return normalisePrefix(template.replaceAll('{id}', productId));
}

/** The part of a prefix template before `{id}`: what every gallery's keys share (`products/`). */
export function staticPrefix(template: string): string {
  const cut = template.indexOf('{id}');
  const head = cut === -1 ? template : template.slice(0, cut);
  const dir = head.slice(0, head.lastIndexOf('/') + 1);
  return dir === '' ? '' : normalisePrefix(dir);
}
