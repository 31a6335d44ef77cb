import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from '../../../src/renderer/state/nav.ts';

describe('routes in the URL fragment', () => {
  it('round-trips every view and the open gallery', () => {
    expect(parseRoute(routeHash({ view: 'showcase', galleryId: 'a b/c' }))).toEqual({
      view: 'showcase',
      galleryId: 'a b/c',
    });
    expect(parseRoute('#/queue')).toEqual({ view: 'queue', galleryId: null });
    expect(routeHash({ view: 'settings', galleryId: 'ignored' })).toBe('#/settings');
  });

  it('falls back to the catalog for an empty or unknown fragment', () => {
    expect(parseRoute('')).toEqual({ view: 'catalog', galleryId: null });
    expect(parseRoute('#/nope')).toEqual({ view: 'catalog', galleryId: null });
  });
});
