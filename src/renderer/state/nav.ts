// Which view is shown, kept in the URL fragment (`#/showcase/<galleryId>`) so a reload stays put.
import { create } from 'zustand';

export const views = [
  'catalog',
  'showcase',
  'queue',
  'team',
  'templates',
  'presets',
  'publish',
  'conflicts',
  'settings',
] as const;
export type View = (typeof views)[number];

export interface Route {
  view: View;
  /** The open gallery in the Showcase view. */
  galleryId: string | null;
}

export function parseRoute(hash: string): Route {
  const [first, second] = hash.replace(/^#\/?/, '').split('/');
  const view = (views as readonly string[]).includes(first ?? '') ? (first as View) : 'catalog';
  const galleryId = view === 'showcase' && second ? decodeURIComponent(second) : null;
  return { view, galleryId };
}

export function routeHash(route: Route): string {
  return route.view === 'showcase' && route.galleryId
    ? `#/showcase/${encodeURIComponent(route.galleryId)}`
    : `#/${route.view}`;
}

interface NavState extends Route {
  /** The last gallery opened, so the Showcase nav item returns to it. */
  lastGalleryId: string | null;
  go(view: View): void;
  openShowcase(galleryId: string): void;
  syncFromLocation(): void;
}

export const useNav = create<NavState>()((set, get) => ({
  view: 'catalog',
  galleryId: null,
  lastGalleryId: null,
  go(view) {
    const galleryId = view === 'showcase' ? get().lastGalleryId : null;
    navigate({ view, galleryId });
  },
  openShowcase(galleryId) {
    navigate({ view: 'showcase', galleryId });
  },
  syncFromLocation() {
    const route = parseRoute(window.location.hash);
    set({ ...route, lastGalleryId: route.galleryId ?? get().lastGalleryId });
  },
}));

function navigate(route: Route): void {
  const hash = routeHash(route);
  if (window.location.hash !== hash) window.history.pushState(null, '', hash);
  useNav.getState().syncFromLocation();
}

export function startNavigation(): () => void {
  const onPop = () => useNav.getState().syncFromLocation();
  window.addEventListener('popstate', onPop);
  window.addEventListener('hashchange', onPop);
  onPop();
  return () => {
    window.removeEventListener('popstate', onPop);
    window.removeEventListener('hashchange', onPop);
  };
}
