// Engine: the composition root. Opens the store and the template library, builds the backends,
// the scheduler, the lifecycle and the executor, and hands an EngineContext to the services that
// do the work (services/). Adapters — the Electron shell, the HTTP server, the CLI — call the
// contract's `handlers`; the few methods below are the same services for in-process callers.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type {
  MethodHandlers,
  QueueStatus,
  Settings,
  SettingsPatch,
  Showcase,
  StartOptions,
  SyncStatus,
  TemplateFamily,
} from '../../shared/index.ts';
import { ChannelService } from './channels/index.ts';
import {
  type BackendWatchOptions,
  JobLifecycle,
  type JobResult,
  type JobSource,
  LocalJournalSource,
  Scheduler,
} from './jobs/index.ts';
import type { BackendPool, BackendPoolOptions } from './pipeline/backends.ts';
import { JobExecutor } from './pipeline/executor.ts';
import { Preflight } from './pipeline/preflight.ts';
import type { GalleryPublishResult } from './publish/index.ts';
import { BackendService, createBackendPool, reachableComfy } from './services/backends.ts';
import { CatalogService } from './services/catalog.ts';
import { type EngineContext, type EngineListener, EventHub, SettingsReader } from './services/context.ts';
import { GalleryFinisher } from './services/galleries.ts';
import { createHandlers } from './services/handlers.ts';
import { jobHooks } from './services/job-hooks.ts';
import { laneCosts } from './services/placement-costs.ts';
import { PublishService } from './services/publishing.ts';
import type { UnfinishedRun } from './services/runs.ts';
import { ShowcaseService } from './services/showcases.ts';
import { SyncController } from './services/sync-controller.ts';
import { type TeamOptions, TeamService } from './services/team.ts';
import type { GalleryDocument } from './showcase/index.ts';
import { migrateLayout } from './showcase/index.ts';
import { openStore, type Store } from './store/index.ts';
import { loadTemplates, type TemplateLibrary } from './templates/index.ts';

export type { StartOptions } from '../../shared/index.ts';
export type { EngineContext, EngineListener } from './services/context.ts';

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
  /** Why `overrides` hold (e.g. "started with --demo"), shown in Settings beside the fields they fix. */
  overrideReason?: string;
  /** The team queue's schema and timings (tests shorten them); its database is the sync setting's. */
  team?: TeamOptions;
}

export class Engine {
  readonly store: Store;
  readonly templates: TemplateLibrary;
  readonly outputRoot: string;
  readonly context: EngineContext;
  readonly pool: BackendPool;
  readonly scheduler: Scheduler<JobResult>;
  /** The only writer of job, asset and gallery status. */
  readonly lifecycle: JobLifecycle;
  /** Where resumed work comes from (the local journal; a team queue next). */
  readonly sources: JobSource[];
  /** Channel exports (variants, compliance reports, the white-background render). */
  readonly channels: ChannelService;
  readonly catalog: CatalogService;
  readonly showcases: ShowcaseService;
  readonly galleries: GalleryFinisher;
  readonly publishing: PublishService;
  readonly sync: SyncController;
  readonly backends: BackendService;
  /** The team queue: `--team` runs' image jobs, the Team view. */
  readonly team: TeamService;
  /** The contract, implemented: what every adapter calls. */
  readonly handlers: MethodHandlers;
  private readonly events = new EventHub();
  private closed = false;

  private constructor(options: EngineOptions, store: Store, templates: TemplateLibrary) {
    this.store = store;
    this.templates = templates;
    this.outputRoot = resolve(options.outputRoot);
    const reader = new SettingsReader(store, options.overrides ?? {});
    const ctx: EngineContext = {
      store,
      templates,
      outputRoot: this.outputRoot,
      settings: () => reader.get(),
      emit: (event, payload) => this.events.emit(event, payload),
      log: (line) => options.log?.(line),
    };
    this.context = ctx;
    const pool = createBackendPool(ctx, options.backendOptions);
    this.pool = pool;
    this.sync = new SyncController(ctx);
    const changed = () => this.sync.changed();
    this.lifecycle = new JobLifecycle(ctx);
    this.sources = [new LocalJournalSource(store, this.lifecycle, () => ctx.settings().family)];
    this.channels = new ChannelService({
      outputRoot: this.outputRoot,
      templates,
      galleries: store.galleries,
      comfy: () => reachableComfy(pool),
      templateParams: () => ctx.settings().templateParams.edit ?? {},
      log: ctx.log,
    });
    this.galleries = new GalleryFinisher(ctx, this.lifecycle, this.channels, changed);
    const executor = new JobExecutor({ ...ctx, pool });
    this.team = new TeamService(ctx, options.team);
    const costs = laneCosts(ctx, pool);
    const hooks = jobHooks(ctx, {
      pool,
      team: this.team,
      executor,
      lifecycle: this.lifecycle,
      finisher: this.galleries,
      lanes: () => this.scheduler.lanes,
      costs,
    });
    this.scheduler = new Scheduler([...pool.lanes(), this.team.lane], hooks, {
      costs,
      maxAttempts: options.maxAttempts ?? 3,
      backoffMs: options.backoffMs ?? 500,
      backendWatch: {
        probeInitialMs: 250,
        probeMaxMs: 5_000,
        downLimitMs: ctx.settings().timeouts.backendDownSec * 1000,
        ...options.backendWatch,
      },
    });
    this.catalog = new CatalogService(ctx);
    this.showcases = new ShowcaseService(ctx, {
      pool,
      preflight: new Preflight(pool, templates, ctx.log),
      scheduler: this.scheduler,
      lifecycle: this.lifecycle,
      sources: this.sources,
      finisher: this.galleries,
      team: this.team,
    });
    this.publishing = new PublishService(ctx, this.channels, this.galleries, changed);
    this.backends = new BackendService(ctx, {
      pool,
      scheduler: this.scheduler,
      downLimitMs: options.backendWatch?.downLimitMs,
      settingsChanged: () => this.sync.configure(),
      extraLanes: [this.team.lane],
    });
    this.handlers = createHandlers(ctx, {
      catalog: this.catalog,
      showcases: this.showcases,
      finisher: this.galleries,
      publishing: this.publishing,
      channels: this.channels,
      sync: this.sync,
      backends: this.backends,
      team: this.team,
      pool,
      scheduler: this.scheduler,
      objectInfoPath: options.objectInfoPath,
      subscribe: (listener) => this.events.subscribe(listener),
      overrides: { fields: Object.keys(options.overrides ?? {}), reason: options.overrideReason ?? null },
    });
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
      engine.sync.configure();
      return engine;
    } catch (err) {
      store.close();
      throw err;
    }
  }

  settings(): Settings {
    return this.context.settings();
  }

  subscribe(listener: EngineListener): () => void {
    return this.events.subscribe(listener);
  }

  // -- the services, for in-process callers (the CLI, tests, the benchmark) ------------------------

  importSheet(...args: Parameters<CatalogService['importSheet']>) {
    return this.catalog.importSheet(...args);
  }

  addProducts(inputs: readonly unknown[]) {
    return this.catalog.addProducts(inputs);
  }

  start(productIds: readonly string[], options: StartOptions = {}): Promise<string[]> {
    return this.showcases.start(productIds, options);
  }

  resume(): Promise<number> {
    return this.showcases.resume();
  }

  unfinishedRun(productIds: readonly string[]): UnfinishedRun {
    return this.showcases.unfinishedRun(productIds);
  }

  discardRun(galleryIds: readonly string[]): Promise<number> {
    return this.showcases.discardRun(galleryIds);
  }

  rerunFailed(productIds?: readonly string[]): Promise<string[]> {
    return this.showcases.rerunFailed(productIds);
  }

  regenerate(assetId: string, seedMode: 'same' | 'new'): Promise<string> {
    return this.showcases.regenerate(assetId, seedMode);
  }

  checkModels(family: TemplateFamily): Promise<void> {
    return this.showcases.checkModels(family);
  }

  showcase(galleryId: string): Showcase {
    return this.showcases.showcase(galleryId);
  }

  /** Resolves when no job is open and every finished gallery and the catalog index are written. */
  async whenIdle(): Promise<void> {
    await this.scheduler.whenIdle();
    await this.galleries.whenWritten();
  }

  writeCatalogIndex(): Promise<string | null> {
    return this.galleries.writeCatalogIndex();
  }

  galleryDocument(galleryId: string): Promise<GalleryDocument | null> {
    return this.galleries.galleryDocument(galleryId);
  }

  publish(
    galleryIds: readonly string[],
    onProgress?: (line: string) => void,
  ): Promise<GalleryPublishResult[]> {
    return this.publishing.publish(galleryIds, onProgress);
  }

  exportShopify(input: Parameters<PublishService['exportShopify']>[0]) {
    return this.publishing.exportShopify(input);
  }

  email(galleryId: string, to: string[], smtpUrl?: string) {
    return this.publishing.email(galleryId, to, smtpUrl);
  }

  queueStatus(): QueueStatus {
    return this.backends.queueStatus();
  }

  syncStatus(): SyncStatus {
    return this.sync.status();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.stop();
    await this.team.close();
    await this.galleries.close();
    await this.sync.close();
    await this.pool.close();
    this.store.close();
  }
}
