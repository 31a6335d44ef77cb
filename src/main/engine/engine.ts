// Engine: the composition root. Owns the store, the template library, the backends, the scheduler
// and the job runner, implements every method of the contract and emits its typed events. The
// Electron shell, the HTTP server and the CLI are thin adapters over this one object.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  type Asset,
  type EventName,
  type EventPayload,
  type GalleryStatus,
  type MethodHandlers,
  type QueueStatus,
  redactSettings,
  restoreMaskedPatch,
  type Settings,
  type SettingsPatch,
  SettingsSchema,
  type Showcase,
  ShowcaseError,
  type TemplateFamily,
  toShowcaseError,
} from '../../shared/index.ts';
import { CHANNEL_RULES, ChannelService, latestFinishedGalleries } from './channels/index.ts';
import { backendWaitingEvent, backendWaitingLine } from './pipeline/backend-waiting.ts';
import { BackendPool, type BackendPoolOptions } from './pipeline/backends.ts';
import { type SchedulableJob, schedulable } from './pipeline/lanes.ts';
import { previewsOffNotice } from './pipeline/notices.ts';
import { Preflight } from './pipeline/preflight.ts';
import { resolveReferencePath } from './pipeline/reference.ts';
import { JobRunner } from './pipeline/runner.ts';
import { clientOptionsFrom } from './pipeline/timeouts.ts';
import { type GalleryPublishResult, publishGalleries, sendGalleryEmail } from './publish/index.ts';
import {
  type BackendWatchOptions,
  type Lane,
  type LaneKind,
  type QueuedJob,
  Scheduler,
  type SchedulerHooks,
} from './queue/index.ts';
import { discardRun, failedShowcases, journalRerun, type UnfinishedRun, unfinishedRun } from './runs.ts';
import { parseSheet, productsFromInputs, shopifyCatalogCsv } from './sheets/index.ts';
import {
  composeCatalogIndex,
  composeGallery,
  type GalleryDocument,
  galleryDocumentFiles,
  galleryLocality,
  imageJobPayload,
  type JobPayload,
  JobPayloadSchema,
  migrateLayout,
  type PlannedJob,
  REFERENCE_IMAGE_HINT,
  readGalleryDocument,
  rerollSeed,
  ShowcasePlanner,
  templateIdFor,
  thumbnailFor,
  toStoredPath,
} from './showcase/index.ts';
import { conflictRecord, openStore, type Store } from './store/index.ts';
import { SyncEngine } from './sync/index.ts';
import {
  defaultObjectInfoPath,
  instantiate,
  lintLibrary,
  loadTemplates,
  parseObjectInfo,
  readObjectInfoFile,
  type TemplateLibrary,
} from './templates/index.ts';

export type EngineListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EngineOptions {
  /** SQLite file (created when missing). */
  dbPath: string;
  /** Where galleries are written. */
  outputRoot: string;
  /** Settings for this process only (CLI flags); not persisted. */
  overrides?: SettingsPatch;
  templatesDir?: string;
  /** Offline object_info snapshot for `templates.lint`. */
  objectInfoPath?: string;
  /** Client timeouts etc. (tests use short ones). */
  backendOptions?: Pick<BackendPoolOptions, 'comfy' | 'ollama' | 'pipelineDepth' | 'cpuConcurrency'>;
  /** Retry policy of the scheduler. */
  maxAttempts?: number;
  backoffMs?: number;
  /** Waiting for a backend that went away (default from the `timeouts` setting). */
  backendWatch?: Partial<BackendWatchOptions>;
  log?: (line: string) => void;
}

export interface StartOptions {
  family?: TemplateFamily;
  presetId?: string;
  seed?: number;
  lockSeed?: boolean;
  variations?: number;
}

const CATALOG_INDEX_MIN_DELAY_MS = 250;
const TERMINAL: ReadonlySet<GalleryStatus> = new Set(['complete', 'partial', 'failed', 'cancelled']);

export class Engine {
  readonly store: Store;
  readonly templates: TemplateLibrary;
  readonly pool: BackendPool;
  readonly scheduler: Scheduler;
  readonly outputRoot: string;
  readonly handlers: MethodHandlers;
  /** Channel exports (variants, compliance reports, the white-background render). */
  readonly channels: ChannelService;
  private readonly options: EngineOptions;
  private readonly runner: JobRunner;
  private readonly preflight: Preflight;
  private readonly planner = new ShowcasePlanner();
  private readonly listeners = new Set<EngineListener>();
  private readonly timings = new Map<string, number>();
  private readonly galleryStarted = new Map<string, number>();
  private overrides: SettingsPatch;
  private indexTimer: NodeJS.Timeout | null = null;
  /** How long the last catalog index rewrite took (it grows with the catalog). */
  private indexWriteMs = 0;
  private indexWrite: Promise<void> = Promise.resolve();
  /** Galleries being finalised (files written after their last job). */
  private readonly finishing = new Set<Promise<void>>();
  /** Gallery documents written or read by this process, by gallery id (for the catalog index). */
  private readonly documents = new Map<string, GalleryDocument>();
  private closed = false;
  private sync: SyncEngine | null = null;
  private syncUrl: string | null = null;
  private syncError: string | null = null;

  private constructor(options: EngineOptions, store: Store, templates: TemplateLibrary) {
    this.options = options;
    this.store = store;
    this.templates = templates;
    this.outputRoot = resolve(options.outputRoot);
    this.overrides = options.overrides ?? {};
    const settings = this.settings();
    const clients = clientOptionsFrom(settings.timeouts, options.backendOptions);
    this.pool = new BackendPool({
      comfyUrls: settings.comfyUrls,
      ollamaUrl: settings.ollamaUrl,
      ollamaModel: settings.ollamaModel,
      ...options.backendOptions,
      ...clients,
      comfy: {
        // Read per prompt, so a change in Settings applies to the next prompt.
        previewMethod: () => this.settings().comfyPreviewMethod,
        onPreviewsMissing: (missing) => {
          const backend = this.pool.comfy.find((b) => b.url === missing.url);
          if (backend) this.emit('backend.notice', previewsOffNotice(backend, missing));
        },
        ...clients.comfy,
      },
      onStatus: (status) => this.emit('backend.status', status),
    });
    this.preflight = new Preflight(this.pool, templates, (line) => this.log(line));
    this.runner = new JobRunner({
      store,
      pool: this.pool,
      templates,
      outputRoot: this.outputRoot,
      settings: () => this.settings(),
      emit: (event, payload) => this.emit(event, payload),
      timings: this.timings,
    });
    this.scheduler = new Scheduler(this.pool.lanes(), this.hooks(), {
      maxAttempts: options.maxAttempts ?? 3,
      backoffMs: options.backoffMs ?? 500,
      backendWatch: {
        probeInitialMs: 250,
        probeMaxMs: 5_000,
        downLimitMs: settings.timeouts.backendDownSec * 1000,
        ...options.backendWatch,
      },
    });
    this.channels = new ChannelService({
      outputRoot: this.outputRoot,
      templates,
      galleries: store.galleries,
      comfy: () => this.reachableComfy(),
      templateParams: () => this.settings().templateParams.edit ?? {},
      log: (line) => this.log(line),
    });
    this.handlers = this.createHandlers();
  }

  /** A ComfyUI server that answers now (for work outside the job queue), or why there is none. */
  private async reachableComfy() {
    await this.pool.probe().catch(() => undefined);
    const backend = this.pool.comfy.find((b) => b.lane.online);
    if (backend) return { client: backend.client, url: backend.url };
    const why = this.pool.comfy[0]?.status.error;
    return {
      unavailable: `no ComfyUI server is reachable (${this.pool.comfy.map((b) => b.url).join(', ')})${why ? `: ${why}` : ''}`,
    };
  }

  static async open(options: EngineOptions): Promise<Engine> {
    await mkdir(dirname(resolve(options.dbPath)), { recursive: true });
    await mkdir(resolve(options.outputRoot), { recursive: true });
    // Paths in synced rows are relative to the output root; the store resolves them for this machine.
    const store = openStore(options.dbPath, { outputRoot: resolve(options.outputRoot) });
    try {
      store.presets.seedDefaults();
      // A store from before gallery folders: its files move into them, once (idempotent, crash-safe).
      await migrateLayout(store, resolve(options.outputRoot));
      const templates = await loadTemplates(options.templatesDir);
      const engine = new Engine(options, store, templates);
      engine.configureSync();
      return engine;
    } catch (err) {
      store.close();
      throw err;
    }
  }

  settings(): Settings {
    const stored = this.store.settings.get();
    // The overrides object may be changed in place by its owner (the Electron host's unsealed secrets).
    const overrides = JSON.stringify(this.overrides);
    const cache = this.settingsCache;
    if (cache?.stored === stored && cache.overrides === overrides) return cache.merged;
    const merged = SettingsSchema.parse({ ...stored, ...this.overrides });
    this.settingsCache = { stored, overrides, merged };
    return merged;
  }

  /** The merged settings, for the stored object (cached by the store per change) and overrides they came from. */
  private settingsCache: { stored: Settings; overrides: string; merged: Settings } | null = null;

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A failing listener (a closed socket) must not break the pipeline.
      }
    }
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  // -- catalog ------------------------------------------------------------------------------------

  /**
   * Imports a sheet's products. `sheetDir`, when the sheet is a file, makes relative reference-photo
   * paths absolute (a sheet sent as text through the API has no folder).
   */
  importSheet(
    content: string,
    filename: string,
    format: 'csv' | 'json' | 'shopify' | 'auto' = 'auto',
    sheetDir?: string,
    sheet: { currency?: string; language?: string } = {},
  ) {
    const parsed = parseSheet(content, {
      filename,
      format,
      defaultCurrency: sheet.currency ?? this.settings().currency,
      ...(sheet.language ? { language: sheet.language } : {}),
    });
    const products =
      sheetDir === undefined
        ? parsed.products
        : parsed.products.map((p) =>
            p.referenceImage ? { ...p, referenceImage: resolveReferencePath(p.referenceImage, sheetDir) } : p,
          );
    const saved = this.store.products.upsertMany(products);
    return { imported: saved.products, errors: parsed.errors, warnings: parsed.warnings };
  }

  addProducts(inputs: readonly unknown[]) {
    const parsed = productsFromInputs(inputs, { sourceSheet: 'api' });
    const saved = this.store.products.upsertMany(parsed.products);
    return { imported: saved.products, errors: parsed.errors };
  }

  // -- showcases ----------------------------------------------------------------------------------

  /** Plans a showcase per product, journals it and hands the jobs to the scheduler. */
  async start(productIds: readonly string[], options: StartOptions = {}): Promise<string[]> {
    const settings = this.settings();
    const products = this.store.products.getMany([...productIds]);
    const missing = productIds.filter((id) => !products.some((p) => p.id === id));
    if (missing.length > 0) {
      throw new ShowcaseError('not_found', `Unknown product id(s): ${missing.slice(0, 5).join(', ')}`, {
        hint: 'Import the product sheet first (catalog.import)',
      });
    }
    const family = options.family ?? settings.family;
    const presetId = options.presetId ?? settings.presetId;
    const preset = presetId ? this.resolvePreset(presetId) : null;
    if (family === 'edit') {
      // One message naming every product that cannot be restyled, before anything is journaled.
      const without = products.filter((p) => !p.referenceImage).map((p) => p.id);
      if (without.length > 0) {
        throw new ShowcaseError(
          'invalid_input',
          `The edit (style-transfer) family restyles each product's reference photo; ${without.length} product(s) have none: ${without.slice(0, 10).join(', ')}${without.length > 10 ? ' …' : ''}`,
          {
            hint: REFERENCE_IMAGE_HINT,
            details: { field: 'referenceImage', products: without },
          },
        );
      }
    }
    await this.prepareRun(family);
    const galleryIds: string[] = [];
    const jobs: Array<PlannedJob & { lane: LaneKind; model: string | null }> = [];
    this.store.transaction(() => {
      for (const product of products) {
        const previous = this.store.galleries.latestForProduct(product.id);
        // A locked showcase keeps its base seed on every re-run.
        const lockedSeed = previous?.seedLocked ? previous.baseSeed : undefined;
        const plan = this.planner.plan(product, {
          family,
          variations: options.variations ?? settings.variations,
          thumbnailMode: settings.thumbnailMode,
          thumbnailSize: settings.thumbnailSize,
          ollamaModel: settings.ollamaModel,
          // A product's own language (its sheet's `language` column) beats the studio-wide setting.
          language: product.language ?? settings.copyLanguage,
          promptPrefix: preset?.prefix ?? '',
          presetId: preset?.id ?? null,
          ...(options.seed !== undefined
            ? { baseSeed: options.seed }
            : lockedSeed !== undefined
              ? { baseSeed: lockedSeed }
              : {}),
          lockSeed: options.lockSeed ?? previous?.seedLocked ?? false,
          templateParams: {},
        });
        this.store.galleries.create(plan.gallery);
        this.store.assets.createSet(
          plan.gallery.id,
          plan.assets.map(({ galleryId: _g, updatedAt: _u, ...a }) => a),
        );
        this.store.jobs.enqueue(
          plan.jobs.map((j) => ({
            id: j.id,
            galleryId: j.galleryId,
            kind: j.kind,
            assetId: j.assetId,
            dependsOn: j.dependsOn,
            payload: j.payload,
          })),
        );
        galleryIds.push(plan.gallery.id);
        for (const j of plan.jobs) jobs.push(this.toQueued(j, family));
      }
    });
    const now = Date.now();
    for (const id of galleryIds) this.galleryStarted.set(id, now);
    for (const j of jobs) this.emit('job.queued', this.runner.ref(j as QueuedJob));
    this.scheduler.add(jobs);
    return galleryIds;
  }

  /** Re-attaches to the journal after a crash or a stop: recovers running jobs, re-queues the rest. */
  async resume(): Promise<number> {
    await this.finishStaleGalleries();
    const recovered = this.store.jobs.recoverInterrupted();
    const queued = this.store.jobs.listByStatus('queued', { limit: 1_000_000 });
    const entries = [
      ...recovered.map((r) => ({ job: r.job, payload: r.payload })),
      ...queued.map((job) => ({ job, payload: this.store.jobs.getEntry(job.id)?.payload })),
    ];
    if (entries.length === 0) return 0;
    const families = new Set<TemplateFamily>();
    const jobs = entries.map(({ job, payload }) => {
      const gallery = this.store.galleries.get(job.galleryId);
      const family = gallery?.family ?? this.settings().family;
      families.add(family);
      // Recovered jobs re-enter as queued; the runner first asks the backend about their prompt id.
      return this.toQueued({ ...job, status: 'queued', payload: JobPayloadSchema.parse(payload) }, family);
    });
    for (const family of families) await this.prepareRun(family);
    const now = Date.now();
    for (const j of jobs)
      if (!this.galleryStarted.has(j.galleryId)) this.galleryStarted.set(j.galleryId, now);
    this.scheduler.add(jobs);
    this.log(
      `resumed ${jobs.length} job(s) (${recovered.length} were running when the last session stopped)`,
    );
    return jobs.length;
  }

  /**
   * Galleries still `queued`/`running` whose jobs are all finished (the process died between the
   * last job and writing the gallery): decide their status and write their files now, so no run
   * leaves a gallery `running` forever.
   */
  private async finishStaleGalleries(): Promise<void> {
    const open = this.store.galleries.list({ status: ['queued', 'running'], limit: 1_000_000 });
    for (const gallery of open) {
      const jobs = this.store.jobs.listByGallery(gallery.id);
      if (jobs.length === 0 || jobs.some((j) => j.status === 'queued' || j.status === 'running')) continue;
      await this.finishGallery(gallery.id).catch((err: unknown) =>
        this.log(`gallery ${gallery.id}: ${toShowcaseError(err).message}`),
      );
    }
  }

  /** The unfinished showcases of these products in the journal (a run that was killed, say). */
  unfinishedRun(productIds: readonly string[]): UnfinishedRun {
    return unfinishedRun(this.store, productIds);
  }

  /** Ends an unfinished run on purpose (`--restart`): its open jobs are cancelled. */
  async discardRun(galleryIds: readonly string[]): Promise<number> {
    const n = await discardRun(this.store, this.pool, galleryIds);
    for (const id of galleryIds) {
      const gallery = this.store.galleries.get(id);
      if (gallery) this.emit('showcase.updated', { galleryId: id, gallery });
    }
    return n;
  }

  /**
   * Re-runs what failed in the latest partial or failed showcase of each product (all of them
   * when none is named): the missing copy, then every asset that is not done, in the same gallery
   * with the same seeds. Returns the galleries re-opened.
   */
  async rerunFailed(productIds?: readonly string[]): Promise<string[]> {
    const galleryIds = failedShowcases(this.store, productIds);
    if (galleryIds.length === 0) return [];
    const families = new Set(galleryIds.map((id) => this.showcase(id).gallery.family));
    for (const family of families) await this.prepareRun(family);
    const jobs = journalRerun(this.store, galleryIds, this.settings()).map(({ job, family }) =>
      this.toQueued(job, family),
    );
    const now = Date.now();
    for (const id of galleryIds) this.galleryStarted.set(id, now);
    for (const j of jobs) this.emit('job.queued', this.runner.ref(j as QueuedJob));
    this.scheduler.add(jobs);
    return galleryIds;
  }

  /** Resolves when no job is open and every finished gallery and the catalog index are written. */
  async whenIdle(): Promise<void> {
    await this.scheduler.whenIdle();
    while (this.finishing.size > 0) await Promise.allSettled([...this.finishing]);
    if (this.indexTimer) {
      clearTimeout(this.indexTimer);
      this.indexTimer = null;
      this.indexWrite = this.indexWrite.then(() => this.writeCatalogIndex().then(() => undefined));
    }
    await this.indexWrite.catch(() => undefined);
  }

  private toQueued(job: PlannedJob, family: TemplateFamily): SchedulableJob {
    return schedulable(this.templates, job, family);
  }

  /**
   * The pre-flight of every run, whatever adapter started it: probes every backend, checks the
   * family's model files on each ComfyUI server (work is routed away from a server that lacks
   * them), and decides whether copy and images must take turns on the GPU.
   */
  private async prepareRun(family: TemplateFamily): Promise<void> {
    const online = await this.preflight.probe();
    await this.preflight.checkModels(family, online);
    const gating = this.pool.needsPhaseGating(family);
    this.scheduler.setPhaseGating(gating);
    if (gating) this.log('VRAM too small for the LLM and the image model together: copy first, then images');
  }

  /**
   * Checks the family's templates against every reachable ComfyUI server's /object_info; refuses,
   * with ONE message naming each server and every missing model file and its folder, when none of
   * them has all the files (instead of every showcase failing the same way).
   */
  async checkModels(family: TemplateFamily): Promise<void> {
    await this.preflight.checkModels(family);
  }

  private resolvePreset(idOrName: string) {
    const presets = this.store.presets.list();
    const wanted = idOrName.trim().toLowerCase();
    const preset =
      presets.find((p) => p.id.toLowerCase() === wanted) ??
      presets.find((p) => p.name.toLowerCase() === wanted) ??
      presets.find((p) => p.name.toLowerCase().replace(/\s+/g, '-') === wanted);
    if (!preset) {
      throw new ShowcaseError('invalid_input', `Unknown preset "${idOrName}"`, {
        hint: `Known presets: ${presets.map((p) => `${p.name} (${p.id})`).join(', ')}`,
        details: { fields: ['presetId'] },
      });
    }
    return preset;
  }

  showcase(galleryId: string): Showcase {
    const gallery = this.store.galleries.get(galleryId);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`);
    const product = this.store.products.get(gallery.productId);
    if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} does not exist`);
    const assets = this.store.assets.listByGallery(galleryId);
    // A colleague's gallery (pulled, rendered elsewhere) is marked, never taken for local files.
    const pageFile = toStoredPath(this.outputRoot, gallery.htmlPath);
    return { product, gallery, assets, locality: galleryLocality(assets), pageFile };
  }

  async regenerate(assetId: string, seedMode: 'same' | 'new'): Promise<string> {
    const asset = this.store.assets.get(assetId);
    if (!asset) throw new ShowcaseError('not_found', `Asset ${assetId} does not exist`);
    const gallery = this.store.galleries.get(asset.galleryId);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${asset.galleryId} does not exist`);
    if (!gallery.copy) throw new ShowcaseError('conflict', 'This showcase has no copy yet; start it first');
    const open = this.store.jobs
      .listByGallery(gallery.id)
      .find((j) => j.assetId === assetId && (j.status === 'queued' || j.status === 'running'));
    if (open) throw new ShowcaseError('conflict', `The ${asset.kind} image is already being rendered`);
    if (seedMode === 'new') {
      if (asset.seedLocked || gallery.seedLocked) {
        throw new ShowcaseError('conflict', 'The seed is locked', {
          hint: 'Unlock the seed to render with a new one',
        });
      }
      this.store.assets.update(asset.id, {
        seed: rerollSeed(asset.seed, asset.attempts + (Date.now() % 997)),
      });
    }
    const settings = this.settings();
    const hero = this.store.assets.getBySlot(gallery.id, 'hero', 0);
    let payload: JobPayload;
    if (asset.kind === 'thumbnail') {
      if (!hero) throw new ShowcaseError('conflict', 'The hero image is missing');
      payload = {
        type: 'thumbnail',
        mode: settings.thumbnailMode,
        size: settings.thumbnailSize,
        templateId: settings.thumbnailMode === 'comfy' ? templateIdFor(gallery.family, 'thumbnail') : null,
        sourceAssetId: hero.id,
      };
    } else {
      if (asset.kind === 'variation' && hero?.status !== 'done')
        throw new ShowcaseError('conflict', 'Render the hero first');
      const product = this.store.products.get(gallery.productId);
      if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} does not exist`);
      payload = imageJobPayload(
        product,
        gallery.family,
        asset.kind,
        asset.kind === 'variation' ? (hero?.id ?? null) : null,
      );
    }
    const jobId = randomUUID();
    this.store.transaction(() => {
      this.store.jobs.enqueue([
        { id: jobId, galleryId: gallery.id, kind: asset.kind, assetId: asset.id, payload },
      ]);
      this.store.assets.update(asset.id, { status: 'queued', error: null });
      this.store.galleries.update(gallery.id, { status: 'running' });
    });
    await this.prepareRun(gallery.family);
    const job = this.store.jobs.get(jobId);
    if (!job) throw new ShowcaseError('internal', 'The journal lost a job it just wrote');
    const queued = this.toQueued({ ...job, payload }, gallery.family);
    this.galleryStarted.set(gallery.id, Date.now());
    this.emit('job.queued', this.runner.ref(queued as QueuedJob));
    this.scheduler.add([queued]);
    return jobId;
  }

  // -- scheduler hooks ----------------------------------------------------------------------------

  /** Journal writes that may race a cascade the store already applied are safe to skip. */
  private journal(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const e = toShowcaseError(err);
      if (e.code !== 'conflict') this.log(`journal: ${e.message}`);
    }
  }

  private hooks(): SchedulerHooks {
    return {
      execute: (job, lane, signal) => this.runner.run(job, lane.id, signal),
      enterImagePhase: async () => {
        const model = this.settings().ollamaModel;
        this.log(`unloading ${model} before the image phase`);
        this.runner.copy.budget.unloaded(model);
        await this.pool.ollama
          .freeVram(model)
          .catch((err: unknown) => this.log(`unload failed: ${toShowcaseError(err).message}`));
      },
      enterCopyPhase: async (lanes: Lane[]) => {
        await Promise.all(
          lanes.map((lane) =>
            this.pool
              .byLane(lane.id)
              ?.client.free({ unloadModels: true })
              .catch(() => undefined),
          ),
        );
      },
      recoverFromOom: async (lane) => {
        this.log(`out of memory on ${lane.id}: freeing VRAM and continuing one prompt at a time`);
        await this.pool.byLane(lane.id)?.client.free({ unloadModels: true, freeMemory: true });
        if (lane.sharedWithLlm)
          await this.pool.ollama.freeVram(this.settings().ollamaModel).catch(() => undefined);
      },
      jobStarted: (job, lane) => {
        // A recovered job keeps the backend that holds its prompt, whichever lane follows it.
        const backend = job.comfyPromptId ? {} : { backend: lane.id };
        this.journal(() => this.store.jobs.markRunning(job.id, backend));
        this.emit('job.started', { ...this.runner.ref(job), backend: lane.id });
      },
      jobRetrying: (job, error, info) => {
        job.comfyPromptId = null;
        this.journal(() =>
          this.store.jobs.requeue(job.id, { error: error.message, refundAttempt: info?.free ?? false }),
        );
        const lane = info?.free ? this.scheduler.lanes.find((l) => l.kind === job.lane && !l.online) : null;
        if (lane) {
          this.emit('job.status', {
            ...this.runner.ref(job),
            state: 'waiting-for-backend',
            backend: lane.id,
            detail: `waiting for ${lane.label ?? lane.id}${lane.url ? ` at ${lane.url}` : ''} to come back (no attempt spent)`,
          });
        }
        const stored = this.store.jobs.get(job.id);
        if (stored)
          this.emit('job.failed', {
            ...this.runner.ref(job),
            job: stored,
            error: error.message,
            errorInfo: error.toJSON(),
            willRetry: true,
          });
      },
      jobSucceeded: (job) => {
        const saved = this.runner.journaledDone.get(job.id);
        if (saved) {
          this.runner.journaledDone.delete(job.id);
          this.emit('job.completed', { ...this.runner.ref(job), job: saved.job, asset: saved.asset });
          return;
        }
        this.journal(() => this.store.jobs.markDone(job.id));
        const stored = this.store.jobs.get(job.id);
        const asset = job.assetId ? this.store.assets.get(job.assetId) : null;
        if (stored) this.emit('job.completed', { ...this.runner.ref(job), job: stored, asset });
      },
      jobFailed: (job, error) => {
        this.journal(() => this.store.jobs.markFailed(job.id, error.message, { cascade: false }));
        if (job.assetId)
          this.journal(() =>
            this.store.assets.update(job.assetId ?? '', { status: 'failed', error: error.message }),
          );
        const stored = this.store.jobs.get(job.id);
        if (stored)
          this.emit('job.failed', {
            ...this.runner.ref(job),
            job: stored,
            error: error.message,
            errorInfo: error.toJSON(),
            willRetry: false,
          });
        if (job.kind === 'copy') {
          this.journal(() => this.store.galleries.update(job.galleryId, { error: error.message }));
        }
      },
      jobCancelled: (job) => {
        this.journal(() => this.store.jobs.markCancelled(job.id, job.error ?? 'cancelled'));
        if (job.assetId)
          this.journal(() =>
            this.store.assets.update(job.assetId ?? '', { status: 'failed', error: 'cancelled' }),
          );
      },
      probeLane: (lane) => this.pool.probeLane(lane, this.settings().timeouts.comfyPollSec * 1000),
      laneStatus: (lane, state) => {
        const event = backendWaitingEvent(lane, state);
        this.emit('backend.waiting', event);
        // Once when it goes down, then every few probes, and when it is back: not one line per probe.
        if (state.online || !state.down || state.down.probes % 5 === 0) this.log(backendWaitingLine(event));
      },
      galleryFinished: (galleryId) => {
        const done: Promise<void> = this.finishGallery(galleryId)
          .catch((err: unknown) => this.log(`gallery ${galleryId}: ${toShowcaseError(err).message}`))
          .finally(() => this.finishing.delete(done));
        this.finishing.add(done);
      },
    };
  }

  /** Decides complete/partial/failed, writes the gallery files and schedules the catalog index. */
  private async finishGallery(galleryId: string): Promise<void> {
    const showcase = this.showcase(galleryId);
    const jobs = this.store.jobs.listByGallery(galleryId);
    const assets = showcase.assets;
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
    const started = this.galleryStarted.get(galleryId);
    const totalMs = started !== undefined ? Date.now() - started : null;
    let htmlPath: string | null = showcase.gallery.htmlPath;
    let jsonPath: string | null = showcase.gallery.jsonPath;
    if (status !== 'cancelled' && status !== 'failed') {
      const composed = await composeGallery({
        showcase: { ...showcase, gallery: { ...showcase.gallery, status } },
        outputRoot: this.outputRoot,
        timings: {
          assets: Object.fromEntries(assets.map((a) => [a.id, this.timings.get(a.id) ?? 0])),
          totalMs,
        },
        catalogHref: 'index.html',
        channels: await this.channels.badgesFor({
          files: galleryDocumentFiles(showcase.product.id, galleryId),
          product: showcase.product,
          assets,
        }),
      });
      htmlPath = composed.htmlPath;
      jsonPath = composed.jsonPath;
      this.documents.set(galleryId, composed.document);
    }
    const gallery = this.store.galleries.update(galleryId, { status, error, htmlPath, jsonPath });
    this.emit('showcase.updated', { galleryId, gallery });
    this.scheduleCatalogIndex();
    this.changed();
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
        .catch((err: unknown) => this.log(`index: ${toShowcaseError(err).message}`));
    }, delay);
  }

  /** index.html over the latest finished gallery of every product. */
  async writeCatalogIndex(): Promise<string | null> {
    const documents = await this.latestDocuments();
    if (documents.length === 0) return null;
    const index = await composeCatalogIndex({ outputRoot: this.outputRoot, documents });
    return index.htmlPath;
  }

  /** The documents of the latest finished gallery of every product (cached by gallery id). */
  private async latestDocuments(): Promise<GalleryDocument[]> {
    const documents: GalleryDocument[] = [];
    for (const galleryId of this.store.products.latestGalleryIds()) {
      // Finished documents are cached by gallery id: the index is rewritten after every gallery,
      // and re-reading every JSON file each time would make a catalog run quadratic.
      let doc = this.documents.get(galleryId);
      if (!doc) {
        const gallery = this.store.galleries.get(galleryId);
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
    const gallery = this.store.galleries.get(galleryId);
    if (!gallery?.jsonPath) return null;
    return readGalleryDocument(gallery.jsonPath);
  }

  /** Publishes finished galleries to S3/MinIO and records the public URLs (they sync to the team). */
  async publish(
    galleryIds: readonly string[],
    onProgress?: (line: string) => void,
  ): Promise<GalleryPublishResult[]> {
    const s3 = this.settings().s3;
    if (!s3) {
      throw new ShowcaseError('invalid_input', 'S3 publishing is not configured', {
        hint: 'Set the S3 endpoint, bucket and keys in Settings (or pass --endpoint/--bucket/--access-key/--secret-key)',
        details: { fields: ['s3'] },
      });
    }
    const galleries = galleryIds.map((galleryId) => {
      const gallery = this.store.galleries.get(galleryId);
      if (!gallery) throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`);
      if (!gallery.jsonPath) {
        throw new ShowcaseError(
          'conflict',
          `Gallery ${galleryId} has no finished files to publish (status ${gallery.status})`,
        );
      }
      return { galleryId, jsonPath: gallery.jsonPath };
    });
    const { results } = await publishGalleries({
      s3,
      outputRoot: this.outputRoot,
      galleries,
      channelFiles: (document) => this.channels.publishableFiles(document),
      catalogDocuments: () => this.latestDocuments(),
      ...(onProgress ? { onProgress } : {}),
      onGallery: (result) => {
        const { galleryId } = result;
        this.documents.set(galleryId, result.document);
        this.store.transaction(() => {
          const updated = this.store.galleries.update(galleryId, { publishedUrl: result.url });
          for (const asset of result.assets) {
            const row = this.store.assets.getBySlot(galleryId, asset.kind, asset.idx);
            if (row) this.store.assets.update(row.id, { remoteUrl: asset.url });
          }
          this.emit('showcase.updated', { galleryId, gallery: updated });
        });
      },
    });
    this.changed();
    return results;
  }

  /** The Shopify product CSV of the chosen galleries (sheets/shopify-catalog.ts). */
  async exportShopify(input: {
    galleryIds?: string[] | undefined;
    all?: boolean | undefined;
    currency?: string | undefined;
  }) {
    const galleries = input.all
      ? latestFinishedGalleries(this.store.galleries.list({ limit: 1_000_000 }))
      : (input.galleryIds ?? []).map((id) => {
          const gallery = this.store.galleries.get(id);
          if (!gallery) throw new ShowcaseError('not_found', `Gallery ${id} does not exist`);
          return gallery;
        });
    return shopifyCatalogCsv({
      galleries,
      product: (id) => this.store.products.get(id),
      channelImages: (document) => this.channels.shopifyImages(document),
      currency: input.currency ?? this.settings().currency,
    });
  }

  async email(galleryId: string, to: string[], smtpUrl?: string) {
    const settings = this.settings();
    const smtp = smtpUrl
      ? { url: smtpUrl, from: settings.smtp?.from ?? 'showcase@localhost' }
      : settings.smtp;
    if (!smtp) {
      throw new ShowcaseError('invalid_input', 'E-mail is not configured', {
        hint: 'Set the SMTP URL and sender in Settings (or pass --smtp URL)',
        details: { fields: ['smtp'] },
      });
    }
    const gallery = this.store.galleries.get(galleryId);
    if (!gallery?.jsonPath)
      throw new ShowcaseError('not_found', `Gallery ${galleryId} has no finished files`);
    const sent = await sendGalleryEmail({
      jsonPath: gallery.jsonPath,
      outputRoot: this.outputRoot,
      to,
      smtp,
      channelLinks: await this.channels.publishedLinks(gallery.jsonPath),
    });
    return { messageId: sent.messageId, accepted: sent.accepted };
  }

  private lastProbe = 0;

  /** Fresh VRAM / loaded-model / queue figures for the Queue view, at most one probe per 2 s. */
  private async refreshBackends(): Promise<void> {
    if (Date.now() - this.lastProbe < 2_000) return;
    this.lastProbe = Date.now();
    await this.pool.probe(AbortSignal.timeout(3_000)).catch(() => undefined);
  }

  private galleryFlags(galleryId: string | null): { publishedUrl: string | null; approved: boolean } {
    const gallery = galleryId ? this.store.galleries.get(galleryId) : null;
    return { publishedUrl: gallery?.publishedUrl ?? null, approved: gallery?.approved ?? false };
  }

  queueStatus(): QueueStatus {
    return {
      paused: this.scheduler.isPaused,
      counts: this.store.jobs.counts(),
      backends: this.pool.statuses(),
      running: this.scheduler
        .runningJobs()
        .map(
          ({
            seq: _s,
            remainingDeps: _r,
            dependents: _d,
            lane: _l,
            model: _m,
            notBefore: _n,
            payload: _p,
            ...job
          }) => job,
        ),
      recent: this.store.jobs.recentFinished(50),
    };
  }

  // -- contract -----------------------------------------------------------------------------------

  private createHandlers(): MethodHandlers {
    const h: MethodHandlers = {
      'catalog.import': async (input) => {
        const r = this.importSheet(input.content, input.filename, input.format, input.sheetDir, {
          ...(input.currency ? { currency: input.currency } : {}),
          ...(input.language ? { language: input.language } : {}),
        });
        return { imported: r.imported, errors: r.errors };
      },
      'catalog.add': async (input) => this.addProducts(input.products),
      'catalog.list': async (input) => {
        const page = this.store.products.list({
          ...(input.status ? { status: input.status as never } : {}),
          ...(input.search ? { search: input.search } : {}),
          offset: input.offset,
          limit: input.limit,
        });
        return {
          total: page.total,
          items: page.items.map((i) => ({
            product: i.product,
            galleryId: i.galleryId,
            status: i.status,
            // The local file (served by the app itself): a presigned S3 URL expires and the UI's CSP
            // only allows its own origin. The public page URL is in publishedUrl.
            thumbnailUrl: thumbnailFor(i.thumbnailFile, i.thumbnailLocalPath, i.thumbnailRemoteUrl),
            ...this.galleryFlags(i.galleryId),
          })),
        };
      },
      'showcase.start': async (input) => ({
        galleryIds: await this.start(input.productIds, stripUndefined(input)),
      }),
      'showcase.get': async (input) => this.showcase(input.galleryId),
      'showcase.regenerateAsset': async (input) => ({
        jobId: await this.regenerate(input.assetId, input.seed),
      }),
      'showcase.updateCopy': async (input) => {
        const { gallery } = this.showcase(input.galleryId);
        if (!gallery.copy) throw new ShowcaseError('conflict', 'This showcase has no copy yet');
        const copy = { ...gallery.copy, ...stripUndefined(input.copy), source: 'edited' as const };
        const updated = this.store.galleries.update(gallery.id, { copy });
        this.emit('showcase.updated', { galleryId: gallery.id, gallery: updated });
        if (TERMINAL.has(updated.status) && updated.htmlPath) await this.finishGallery(gallery.id);
        this.changed();
        return this.store.galleries.get(gallery.id) ?? updated;
      },
      'showcase.lockSeed': async (input) => {
        const { gallery, assets } = this.showcase(input.galleryId);
        this.store.transaction(() => {
          if (input.assetId) {
            if (!assets.some((a) => a.id === input.assetId))
              throw new ShowcaseError('not_found', `Asset ${input.assetId} is not in this showcase`);
            this.store.assets.update(input.assetId, { seedLocked: input.locked });
          } else {
            this.store.galleries.update(gallery.id, { seedLocked: input.locked });
            for (const a of assets) this.store.assets.update(a.id, { seedLocked: input.locked });
          }
        });
        return this.showcase(gallery.id);
      },
      'showcase.approve': async (input) => {
        const { gallery, assets } = this.showcase(input.galleryId);
        if (input.assetId) {
          const asset = assets.find((a) => a.id === input.assetId);
          if (!asset) throw new ShowcaseError('not_found', `Asset ${input.assetId} is not in this showcase`);
          if (input.approved && asset.status !== 'done')
            throw new ShowcaseError('conflict', 'Only a rendered image can be approved');
          this.store.assets.update(asset.id, { approved: input.approved });
        } else {
          const updated = this.store.galleries.update(gallery.id, { approved: input.approved });
          this.emit('showcase.updated', { galleryId: gallery.id, gallery: updated });
        }
        return this.showcase(gallery.id);
      },
      'queue.status': async () => {
        await this.refreshBackends();
        return this.queueStatus();
      },
      'queue.pause': async () => {
        this.scheduler.pause();
        return this.queueStatus();
      },
      'queue.resume': async () => {
        this.scheduler.resume();
        return this.queueStatus();
      },
      'queue.cancel': async (input) => {
        if (!input.jobId && !input.galleryId)
          throw new ShowcaseError('invalid_input', 'Give a jobId or a galleryId', {
            details: { fields: ['jobId'] },
          });
        return { cancelled: this.scheduler.cancel(stripUndefined(input)) };
      },
      'presets.list': async () => this.store.presets.list(),
      'templates.list': async (input) => this.templates.list(input.family),
      'templates.lint': async (input) => {
        if (input.live) {
          const backend = this.pool.comfy[0];
          if (!backend) throw new ShowcaseError('invalid_input', 'No ComfyUI server configured');
          const info = parseObjectInfo(await backend.client.objectInfo());
          return { issues: lintLibrary(this.templates, info), source: backend.url };
        }
        const path = this.options.objectInfoPath ?? defaultObjectInfoPath();
        return { issues: lintLibrary(this.templates, await readObjectInfoFile(path)), source: path };
      },
      'gallery.publish': async (input) => ({
        results: (await this.publish(input.galleryIds)).map(
          ({ galleryId, url, access, uploaded, skipped, expiresAt, indexUrl }) => ({
            galleryId,
            url,
            access,
            uploaded,
            skipped,
            expiresAt,
            indexUrl,
          }),
        ),
      }),
      'channels.rules': async () =>
        Object.values(CHANNEL_RULES).map((r) => ({
          channel: r.name,
          label: r.label,
          frame: r.recommended,
          whiteMain: r.main.whiteBackground,
          sources: [...r.sources],
        })),
      'channels.export': async (input) =>
        this.channels.export({
          ...(input.galleryIds ? { galleryIds: input.galleryIds } : {}),
          all: input.all === true,
          channels: input.channels,
          render: input.render,
        }),
      'channels.report': async (input) => this.channels.report(input.galleryId),
      'catalog.exportShopify': async (input) => this.exportShopify(input),
      'gallery.email': async (input) => this.email(input.galleryId, input.to),
      'sync.status': async () => this.syncStatus(),
      'sync.now': async () => {
        const sync = this.sync;
        if (!sync) {
          throw new ShowcaseError('invalid_input', 'No team database is configured', {
            hint: 'Set the PostgreSQL URL in Settings (postgres://user@host:5432/db)',
            details: { fields: ['postgresUrl'] },
          });
        }
        const r = await sync.syncOnce();
        return { pushed: r.pushed, pulled: r.pulled, conflicts: r.conflicts };
      },
      'sync.conflicts': async (input) =>
        this.store.conflicts
          .list({ limit: input.limit, ...(input.resolved === undefined ? {} : { resolved: input.resolved }) })
          .map(conflictRecord),
      'sync.resolveConflict': async (input) => {
        const resolved = this.store.conflicts.resolveWith(input.conflictId, input.keep);
        if (resolved.table === 'product_galleries') {
          const gallery = this.store.galleries.get(resolved.rowId);
          if (gallery) this.emit('showcase.updated', { galleryId: gallery.id, gallery });
        }
        // The kept version is a new local write: push it soon, and let the indicator drop the count.
        this.changed();
        this.emit('sync.status', this.syncStatus());
        return conflictRecord(resolved);
      },
      'settings.get': async () => redactSettings({ ...this.settings(), outputDir: this.outputRoot }),
      'settings.update': async (input) => {
        // The renderer echoes the mask for secrets it never saw: keep the values in use.
        const patch = restoreMaskedPatch(input, this.settings());
        if (patch.templateParams) {
          for (const [family, params] of Object.entries(patch.templateParams))
            this.checkTemplateParams(family, params);
        }
        this.store.settings.update(patch);
        this.configureSync();
        this.applyBackendSettings();
        return redactSettings(this.settings());
      },
    };
    return h;
  }

  /**
   * Settings reach a running engine: new ComfyUI/Ollama URLs rebuild the backend pool (servers that
   * stay keep their clients and the prompts they follow) and new timeouts apply to the next calls.
   */
  private applyBackendSettings(): void {
    const settings = this.settings();
    if (this.pool.reconfigure({ comfyUrls: settings.comfyUrls, ollamaUrl: settings.ollamaUrl })) {
      this.scheduler.replaceLanes(this.pool.lanes());
      this.log(`backends now: ComfyUI ${settings.comfyUrls.join(', ')}; Ollama ${settings.ollamaUrl}`);
    }
    this.scheduler.setBackendWatch({
      downLimitMs: this.options.backendWatch?.downLimitMs ?? settings.timeouts.backendDownSec * 1000,
    });
  }

  /**
   * Starts (or restarts, when the URL changed) background sync to the team Postgres when one is
   * configured. Sync failures never reach local drafting: they only change the sync status.
   */
  private configureSync(): void {
    const settings = this.settings();
    const url = settings.postgresUrl;
    if (url === this.syncUrl) return;
    const previous = this.sync;
    this.sync = null;
    this.syncUrl = url;
    if (previous) void previous.close().catch(() => undefined);
    if (!url) {
      this.emit('sync.status', this.syncStatus());
      return;
    }
    let sync: SyncEngine;
    try {
      sync = new SyncEngine(this.store, {
        url,
        onStatus: (status) => this.emit('sync.status', status),
        log: (level, message) => {
          if (level !== 'debug') this.log(`sync: ${message}`);
        },
      });
    } catch (err) {
      // A bad URL must not break local work (nor the settings save): it shows in the sync status.
      const error = toShowcaseError(err);
      this.log(`sync disabled: ${error.message}`);
      this.syncError = error.message;
      this.emit('sync.status', this.syncStatus());
      return;
    }
    this.syncError = null;
    sync.start({ intervalMs: settings.syncIntervalSec * 1000 });
    this.sync = sync;
  }

  syncStatus() {
    return (
      this.sync?.status() ?? {
        configured: this.syncUrl !== null,
        online: false,
        pendingOps: this.store.outbox.count(),
        lastSyncAt: null,
        conflicts: this.store.conflicts.count({ resolved: false }),
        error: this.syncError,
      }
    );
  }

  /** Local writes that others should see soon (a debounced sync round when sync is on). */
  private changed(): void {
    this.sync?.notifyChange();
  }

  /** Rejects a template override outside the ranges the family's templates declare. */
  private checkTemplateParams(family: string, params: Record<string, string | number | boolean>): void {
    const templates = this.templates.all().filter((t) => t.family === family);
    if (templates.length === 0)
      throw new ShowcaseError('invalid_input', `Unknown template family "${family}"`, {
        details: { fields: ['templateParams'] },
      });
    for (const t of templates) {
      const relevant = Object.fromEntries(Object.entries(params).filter(([k]) => k in t.params));
      const filled = Object.fromEntries(
        Object.entries(t.params)
          .filter(([, spec]) => spec.default === undefined)
          .map(([k, spec]) => [
            k,
            spec.type === 'image' ? 'x.png' : spec.type === 'string' ? 'x' : (spec.min ?? 1),
          ]),
      );
      instantiate(t, { ...filled, ...relevant }, { unknownParams: 'ignore' });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.indexTimer) clearTimeout(this.indexTimer);
    this.scheduler.stop();
    await this.sync?.close().catch(() => undefined);
    await this.indexWrite.catch(() => undefined);
    await this.pool.close();
    this.store.close();
  }
}

function firstError(assets: Asset[]): string | null {
  return assets.find((a) => a.error && a.error !== 'cancelled')?.error ?? null;
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
