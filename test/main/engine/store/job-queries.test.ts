// The journal reads a resume runs over thousands of jobs in one statement each: they must say what
// the per-row reads they replace say.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../../src/main/engine/store/index.ts';
import { galleryDraft, product, type TempStores, tempStores } from './helpers.ts';

let t: TempStores;
let store: Store;

/** g1: copy done, hero failed, two variations queued · g2: every job done · g3: one job running. */
function seed(): void {
  store.products.upsertMany([product('p1'), product('p2', { name: 'Walnut Desk' }), product('p3')]);
  store.galleries.create(galleryDraft('g1', 'p1', { status: 'running' }));
  store.galleries.create(galleryDraft('g2', 'p2', { status: 'running', family: 'sdxl' }));
  store.galleries.create(galleryDraft('g3', 'p3', { status: 'queued' }));
  store.galleries.create(galleryDraft('g4', 'p3', { status: 'queued' }));
  store.galleries.create(galleryDraft('g5', 'p3', { status: 'complete' }));
  store.jobs.enqueue([
    { id: 'g1-copy', galleryId: 'g1', kind: 'copy', payload: { n: 1 } },
    { id: 'g2-copy', galleryId: 'g2', kind: 'copy' },
    { id: 'g1-hero', galleryId: 'g1', kind: 'hero', dependsOn: ['g1-copy'], payload: { n: 2 } },
    { id: 'g1-var1', galleryId: 'g1', kind: 'variation', payload: { n: 3 } },
    { id: 'g3-copy', galleryId: 'g3', kind: 'copy' },
    { id: 'g1-var2', galleryId: 'g1', kind: 'variation', priority: 5 },
    { id: 'g5-copy', galleryId: 'g5', kind: 'copy' },
  ]);
  for (const id of ['g1-copy', 'g2-copy', 'g5-copy']) {
    store.jobs.markRunning(id);
    store.jobs.markDone(id);
  }
  store.jobs.markRunning('g1-hero');
  store.jobs.markFailed('g1-hero', 'out of memory');
  store.jobs.markRunning('g3-copy', { backend: 'ollama' });
}

beforeEach(async () => {
  t = await tempStores();
  store = t.open();
  seed();
});
afterEach(async () => {
  await t.cleanup();
});

describe('journal reads for a resume', () => {
  it('listEntriesByStatus: the jobs with their payloads, as getEntry reads them one by one', () => {
    const entries = store.jobs.listEntriesByStatus('queued');
    expect(entries.map((e) => e.job.id)).toEqual(['g1-var1', 'g1-var2']);
    const oneByOne = store.jobs.listByStatus('queued', { limit: 100 }).map((j) => store.jobs.getEntry(j.id));
    expect(entries).toEqual(oneByOne);
    expect(entries[0]?.payload).toEqual({ n: 3 });
    expect(entries[1]?.priority).toBe(5);
    expect(store.jobs.listEntriesByStatus(['running', 'failed']).map((e) => e.job.id)).toEqual([
      'g1-hero',
      'g3-copy',
    ]);
  });

  it('progressByGallery: open and not-done counts, every gallery with open jobs in order', () => {
    expect(store.jobs.progressByGallery()).toEqual([
      { galleryId: 'g1', open: 2, notDone: 3 },
      { galleryId: 'g3', open: 1, notDone: 1 },
    ]);
    // Named galleries come back as named, zeros for one without jobs or without open ones.
    expect(store.jobs.progressByGallery(['g2', 'g4', 'g1', 'nope'])).toEqual([
      { galleryId: 'g2', open: 0, notDone: 0 },
      { galleryId: 'g4', open: 0, notDone: 0 },
      { galleryId: 'g1', open: 2, notDone: 3 },
      { galleryId: 'nope', open: 0, notDone: 0 },
    ]);
  });

  it('galleriesWithAllJobsEnded: open galleries whose jobs all ended, not those with none', () => {
    expect(store.jobs.galleriesWithAllJobsEnded()).toEqual(['g2']);
    store.jobs.markDone('g3-copy');
    expect(store.jobs.galleriesWithAllJobsEnded()).toEqual(['g2', 'g3']);
  });

  it('galleries.labels: family and product name per gallery, unknown ids left out', () => {
    const labels = store.galleries.labels(['g2', 'g1', 'missing']);
    expect([...labels.keys()].sort()).toEqual(['g1', 'g2']);
    expect(labels.get('g2')).toEqual({ family: 'sdxl', productName: 'Walnut Desk' });
    expect(labels.get('g1')?.family).toBe('qwen-image');
  });
});
