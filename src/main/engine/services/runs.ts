// What the journal says about earlier runs, for the operator's two questions after a crash or an
// outage: "is there an unfinished run of these products?" (the guard of a forgotten --resume) and
// "which assets of the last run failed?" (the re-run). Store reads; every status change goes
// through the lifecycle. The caller hands the resulting jobs to the scheduler.
import { type Settings, ShowcaseError, type TemplateFamily, toShowcaseError } from '../../../shared/index.ts';
import type { JobLifecycle } from '../jobs/index.ts';
import type { BackendPool } from '../pipeline/backends.ts';
import { JobPayloadSchema, type PlannedJob } from '../showcase/index.ts';
import { planRerun } from '../showcase/rerun.ts';
import type { Store } from '../store/index.ts';

export interface UnfinishedRun {
  /** Latest gallery per product that is still queued or running in the journal. */
  galleryIds: string[];
  productIds: string[];
  /** Jobs not done (queued or running). */
  openJobs: number;
}

/** The unfinished showcases of these products (their latest gallery is queued or running). */
export function unfinishedRun(store: Store, productIds: readonly string[]): UnfinishedRun {
  const galleryIds: string[] = [];
  const products: string[] = [];
  let openJobs = 0;
  for (const productId of productIds) {
    const gallery = store.galleries.latestForProduct(productId);
    if (!gallery || (gallery.status !== 'queued' && gallery.status !== 'running')) continue;
    const open = store.jobs
      .listByGallery(gallery.id)
      .filter((j) => j.status === 'queued' || j.status === 'running').length;
    if (open === 0) continue;
    galleryIds.push(gallery.id);
    products.push(productId);
    openJobs += open;
  }
  return { galleryIds, productIds: products, openJobs };
}

/**
 * `--restart`: ends an unfinished run on purpose. Its open jobs are cancelled in the journal and
 * its galleries marked cancelled; prompts it had sent are taken off their ComfyUI server (deleted
 * when pending, interrupted when running; best effort) so they do not render for nobody.
 */
export async function discardRun(
  lifecycle: JobLifecycle,
  pool: BackendPool,
  galleryIds: readonly string[],
): Promise<number> {
  const { cancelled, prompts } = lifecycle.discard(
    galleryIds,
    'discarded by --restart',
    'Discarded by --restart',
  );
  await Promise.all(
    prompts.map(async ({ backend, promptId }) => {
      const client = pool.byLane(backend)?.client;
      if (!client) return;
      const signal = AbortSignal.timeout(5_000);
      await client.deletePending([promptId], { signal }).catch((err: unknown) => toShowcaseError(err));
      await client.interrupt(promptId, { signal }).catch((err: unknown) => toShowcaseError(err));
    }),
  );
  return cancelled;
}

/** The latest gallery of each product that ended partial or failed (what `rerun` picks up). */
export function failedShowcases(store: Store, productIds?: readonly string[]): string[] {
  const ids =
    productIds ?? store.products.latestGalleryIds().map((g) => store.galleries.get(g)?.productId ?? '');
  const out: string[] = [];
  for (const productId of new Set(ids)) {
    if (!productId) continue;
    const gallery = store.galleries.latestForProduct(productId);
    if (gallery && (gallery.status === 'partial' || gallery.status === 'failed')) out.push(gallery.id);
  }
  return out;
}

/**
 * Journals the re-run of these galleries in one transaction: the jobs for what failed, their
 * assets back to `queued`, the galleries `running` again. Returns the jobs for the scheduler.
 */
/** Whether a showcase's images were sent to the team (its re-renders go there too). */
export function renderedByTeam(store: Store, galleryId: string): boolean {
  return store.jobs.listByGallery(galleryId).some((j) => {
    const parsed = JobPayloadSchema.safeParse(store.jobs.getEntry(j.id)?.payload);
    return parsed.success && parsed.data.type === 'image' && parsed.data.target === 'team';
  });
}

/** A re-planned job of a team showcase: images to the team, the thumbnail scaled here. */
function onTeam(job: PlannedJob): PlannedJob {
  const p = job.payload;
  if (p.type === 'image') return { ...job, payload: { ...p, target: 'team' } };
  if (p.type === 'thumbnail' && p.mode === 'comfy')
    return { ...job, payload: { ...p, mode: 'sharp', templateId: null } };
  return job;
}

export function journalRerun(
  store: Store,
  lifecycle: JobLifecycle,
  galleryIds: readonly string[],
  settings: Settings,
): Array<{ job: PlannedJob; family: TemplateFamily }> {
  const out: Array<{ job: PlannedJob; family: TemplateFamily }> = [];
  store.transaction(() => {
    for (const galleryId of galleryIds) {
      const gallery = store.galleries.get(galleryId);
      const product = gallery ? store.products.get(gallery.productId) : null;
      if (!gallery || !product)
        throw new ShowcaseError('not_found', `Gallery ${galleryId} or its product is gone`);
      const team = renderedByTeam(store, galleryId);
      const planned = planRerun(product, gallery, store.assets.listByGallery(galleryId), settings).map((j) =>
        team ? onTeam(j) : j,
      );
      lifecycle.reopen(galleryId, planned);
      for (const job of planned) out.push({ job, family: gallery.family });
    }
  });
  return out;
}
