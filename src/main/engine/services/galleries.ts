// GalleryFinisher: what happens after a gallery's last job — decide complete/partial/failed/
// cancelled, write its pages and JSON, settle its status through the lifecycle — and the catalog
// index rewritten behind it (debounced: a big catalog makes every rewrite longer).
import {
  type Asset,
  type GalleryStatus,
  type Job,
  type Showcase,
  ShowcaseError,
  toShowcaseError,
} from '../../../shared/index.ts';
import type { ChannelService } from '../channels/index.ts';
import type { GallerySettlement, JobLifecycle } from '../jobs/index.ts';
import {
  composeCatalogIndex,
  composeGallery,
  derivedState,
  type GalleryDocument,
  galleryDocumentFiles,
  readGalleryDocument,
} from '../showcase/index.ts';
import type { EngineContext } from './context.ts';

const CATALOG_INDEX_MIN_DELAY_MS = 250;

export class GalleryFinisher {
  private readonly ctx: EngineContext;
  private readonly lifecycle: JobLifecycle;
  private readonly channels: ChannelService;
  private readonly changed: () => void;
  /** Per asset id: wall-clock ms of the last successful render (for the gallery timings). */
  private readonly timings = new Map<string, number>();
  /** When this process started (or re-opened) each gallery, for its total time. */
  private readonly started = new Map<string, number>();
  /** Galleries being finalised (files written after their last job). */
  private readonly finishing = new Set<Promise<void>>();
  /** Gallery documents written or read by this process, by gallery id (for the catalog index). */
  private readonly documents = new Map<string, GalleryDocument>();
  private indexTimer: NodeJS.Timeout | null = null;
  /** How long the last catalog index rewrite took (it grows with the catalog). */
  private indexWriteMs = 0;
  private indexWrite: Promise<void> = Promise.resolve();

  constructor(ctx: EngineContext, lifecycle: JobLifecycle, channels: ChannelService, changed: () => void) {
    this.ctx = ctx;
    this.lifecycle = lifecycle;
    this.channels = channels;
    this.changed = changed;
  }

  /** Galleries (re)started now; `keep` leaves an earlier start time in place (a resume). */
  markStarted(galleryIds: Iterable<string>, keep = false): void {
    const now = Date.now();
    for (const id of galleryIds) if (!keep || !this.started.has(id)) this.started.set(id, now);
  }

  recordRenderTime(assetId: string, ms: number): void {
    this.timings.set(assetId, ms);
  }

  /** Every job of the gallery ended: finish it in the background (`whenIdle` waits for it). */
  galleryFinished(galleryId: string): void {
    const done: Promise<void> = this.finish(galleryId)
      .catch((err: unknown) => this.ctx.log(`gallery ${galleryId}: ${toShowcaseError(err).message}`))
      .finally(() => this.finishing.delete(done));
    this.finishing.add(done);
  }

  /**
   * Galleries still `queued`/`running` whose jobs are all finished (the process died between the
   * last job and writing the gallery): decide their status and write their files now, so no run
   * leaves a gallery `running` forever.
   */
  async finishStale(): Promise<void> {
    const { store } = this.ctx;
    // Asked of the journal in one query: a resume of thousands of open galleries must not read
    // every gallery's jobs before its first prompt.
    for (const galleryId of store.jobs.galleriesWithAllJobsEnded()) {
      await this.finish(galleryId).catch((err: unknown) =>
        this.ctx.log(`gallery ${galleryId}: ${toShowcaseError(err).message}`),
      );
    }
  }

  /** Decides complete/partial/failed, writes the gallery files and schedules the catalog index. */
  async finish(galleryId: string): Promise<void> {
    const showcase = this.showcase(galleryId);
    const outcome = settlementOf(showcase, this.ctx.store.jobs.listByGallery(galleryId));
    const { status } = outcome;
    const { assets } = showcase;
    const started = this.started.get(galleryId);
    const totalMs = started !== undefined ? Date.now() - started : null;
    if (status !== 'cancelled' && status !== 'failed') {
      const composed = await composeGallery({
        showcase: { ...showcase, gallery: { ...showcase.gallery, status } },
        outputRoot: this.ctx.outputRoot,
        timings: {
          assets: Object.fromEntries(assets.map((a) => [a.id, this.timings.get(a.id) ?? 0])),
          totalMs,
        },
        catalogHref: 'index.html',
        staleAssetIds: derivedState(this.ctx.store, galleryId).stale.map((s) => s.assetId),
        channels: await this.channels.badgesFor({
          files: galleryDocumentFiles(showcase.product.id, galleryId),
          product: showcase.product,
          assets,
        }),
      });
      outcome.htmlPath = composed.htmlPath;
      outcome.jsonPath = composed.jsonPath;
      this.documents.set(galleryId, composed.document);
    }
    this.lifecycle.settle(galleryId, outcome);
    this.scheduleCatalogIndex();
    this.changed();
  }

  private showcase(galleryId: string): Showcase {
    const { store } = this.ctx;
    const gallery = store.galleries.get(galleryId);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`);
    const product = store.products.get(gallery.productId);
    if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} does not exist`);
    return { product, gallery, assets: store.assets.listByGallery(galleryId) };
  }

  /** A document this process just wrote or published (the catalog index reads it from here). */
  remember(galleryId: string, document: GalleryDocument): void {
    this.documents.set(galleryId, document);
  }

  private scheduleCatalogIndex(): void {
    if (this.indexTimer) return;
    // A big catalog makes every rewrite longer: space rewrites so they take at most ~1/8 of the time.
    const delay = Math.max(CATALOG_INDEX_MIN_DELAY_MS, 8 * this.indexWriteMs);
    this.indexTimer = setTimeout(() => {
      this.indexTimer = null;
      this.indexWrite = this.indexWrite
        .then(async () => {
          const started = performance.now();
          await this.writeCatalogIndex();
          this.indexWriteMs = performance.now() - started;
        })
        .catch((err: unknown) => this.ctx.log(`index: ${toShowcaseError(err).message}`));
    }, delay);
  }

  /** index.html over the latest finished gallery of every product. */
  async writeCatalogIndex(): Promise<string | null> {
    const documents = await this.latestDocuments();
    if (documents.length === 0) return null;
    const index = await composeCatalogIndex({ outputRoot: this.ctx.outputRoot, documents });
    return index.htmlPath;
  }

  /** The documents of the latest finished gallery of every product (cached by gallery id). */
  async latestDocuments(): Promise<GalleryDocument[]> {
    const { store } = this.ctx;
    const documents: GalleryDocument[] = [];
    for (const galleryId of store.products.latestGalleryIds()) {
      // Finished documents are cached by gallery id: the index is rewritten after every gallery,
      // and re-reading every JSON file each time would make a catalog run quadratic.
      let doc = this.documents.get(galleryId);
      if (!doc) {
        const gallery = store.galleries.get(galleryId);
        if (!gallery?.jsonPath) continue;
        doc = await readGalleryDocument(gallery.jsonPath).catch(() => undefined);
        if (!doc) continue; // a gallery whose files were removed is simply not listed
        this.documents.set(galleryId, doc);
      }
      documents.push(doc);
    }
    return documents;
  }

  async galleryDocument(galleryId: string): Promise<GalleryDocument | null> {
    const gallery = this.ctx.store.galleries.get(galleryId);
    if (!gallery?.jsonPath) return null;
    return readGalleryDocument(gallery.jsonPath);
  }

  /** Resolves when every finished gallery and the catalog index are written. */
  async whenWritten(): Promise<void> {
    while (this.finishing.size > 0) await Promise.allSettled([...this.finishing]);
    if (this.indexTimer) {
      clearTimeout(this.indexTimer);
      this.indexTimer = null;
      this.indexWrite = this.indexWrite.then(() => this.writeCatalogIndex().then(() => undefined));
    }
    await this.indexWrite.catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.indexTimer) clearTimeout(this.indexTimer);
    await this.indexWrite.catch(() => undefined);
  }
}

/** The outcome of a gallery whose jobs all ended, from its assets and jobs as journalled. */
export function settlementOf(showcase: Showcase, jobs: Job[]): GallerySettlement {
  const { assets } = showcase;
  const done = assets.filter((a) => a.status === 'done');
  const cancelled =
    jobs.length > 0 &&
    jobs.every((j) => j.status === 'cancelled' || j.status === 'done') &&
    jobs.some((j) => j.status === 'cancelled');
  let status: GalleryStatus;
  if (done.length === assets.length) status = 'complete';
  else if (cancelled) status = 'cancelled';
  else if (done.length === 0 || !done.some((a) => a.kind === 'hero')) status = 'failed';
  else status = 'partial';
  const failedNames = assets.filter((a) => a.status !== 'done').map((a) => a.filename);
  const copyError = jobs.find((j) => j.kind === 'copy' && j.status === 'failed')?.error;
  const error =
    status === 'complete'
      ? null
      : copyError
        ? `Copy failed: ${copyError}`
        : failedNames.length > 0
          ? `Not rendered: ${failedNames.join(', ')}${firstError(assets) ? ` — ${firstError(assets)}` : ''}`
          : null;
  return { status, error, htmlPath: showcase.gallery.htmlPath, jsonPath: showcase.gallery.jsonPath };
}

function firstError(assets: Asset[]): string | null {
  return assets.find((a) => a.error && a.error !== 'cancelled')?.error ?? null;
}
