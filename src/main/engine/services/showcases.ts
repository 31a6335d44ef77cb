// ShowcaseService: plans showcases and submits their jobs (start, resume from the job sources,
// re-run what failed, regenerate one image), with the pre-flight every run gets whatever adapter
// asked for it. Status writes go through the lifecycle; the scheduler gets the jobs.
import { randomUUID } from 'node:crypto';
import {
  type ImportRowError,
  type MethodOutput,
  type MethodParsedInput,
  type Showcase,
  ShowcaseError,
  type StartOptions,
  type TemplateFamily,
} from '../../../shared/index.ts';
import { type JobLifecycle, type JobResult, type JobSource, jobRef, type Scheduler } from '../jobs/index.ts';
import type { BackendPool } from '../pipeline/backends.ts';
import { type SchedulableJob, schedulable } from '../pipeline/lanes.ts';
import type { Preflight } from '../pipeline/preflight.ts';
import {
  galleryLocality,
  imageJobPayload,
  type JobPayload,
  type PlannedJob,
  REFERENCE_IMAGE_HINT,
  rerollSeed,
  ShowcasePlanner,
  templateIdFor,
  toStoredPath,
} from '../showcase/index.ts';
import { checkFamilyParams } from '../templates/index.ts';
import type { CatalogService } from './catalog.ts';
import type { EngineContext } from './context.ts';
import type { GalleryFinisher } from './galleries.ts';
import {
  discardRun,
  failedShowcases,
  journalRerun,
  renderedByTeam,
  type UnfinishedRun,
  unfinishedRun,
} from './runs.ts';
import type { TeamService } from './team.ts';

export interface ShowcaseDeps {
  pool: BackendPool;
  preflight: Preflight;
  scheduler: Scheduler<JobResult>;
  lifecycle: JobLifecycle;
  sources: readonly JobSource[];
  finisher: GalleryFinisher;
  team: TeamService;
}

export class ShowcaseService {
  private readonly ctx: EngineContext;
  private readonly deps: ShowcaseDeps;
  private readonly planner = new ShowcasePlanner();

  constructor(ctx: EngineContext, deps: ShowcaseDeps) {
    this.ctx = ctx;
    this.deps = deps;
  }

  /** Plans a showcase per product, journals it and hands the jobs to the scheduler. */
  async start(productIds: readonly string[], options: StartOptions = {}): Promise<string[]> {
    const { store } = this.ctx;
    const settings = this.ctx.settings();
    const products = store.products.getMany([...productIds]);
    const missing = productIds.filter((id) => !products.some((p) => p.id === id));
    if (missing.length > 0) {
      throw new ShowcaseError('not_found', `Unknown product id(s): ${missing.slice(0, 5).join(', ')}`, {
        hint: 'Import the product sheet first (catalog.import)',
      });
    }
    const runFamily = options.family ?? settings.family;
    // A sheet's `family` column picks the family per product; the run's (or the studio's) is the default.
    const familyOf = (p: { family?: TemplateFamily | undefined }): TemplateFamily => p.family ?? runFamily;
    const families = [...new Set(products.map(familyOf))];
    const target = options.target ?? 'local';
    const copyTarget =
      target === 'team'
        ? await this.deps.team.copyTarget(this.deps.pool.ollama, this.deps.pool.ollamaUrl)
        : 'local';
    const presetId = options.presetId ?? settings.presetId;
    const preset = presetId ? this.resolvePreset(presetId) : null;
    if (options.params)
      for (const family of families) checkFamilyParams(this.ctx.templates, family, options.params);
    if (families.includes('edit')) {
      // One message naming every product that cannot be restyled, before anything is journaled.
      const without = products.filter((p) => familyOf(p) === 'edit' && !p.referenceImage).map((p) => p.id);
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
    for (const family of families) await this.prepareRun(family, target);
    const galleryIds: string[] = [];
    const jobs: SchedulableJob[] = [];
    store.transaction(() => {
      for (const product of products) {
        const previous = store.galleries.latestForProduct(product.id);
        // A locked showcase keeps its base seed on every re-run.
        const lockedSeed = previous?.seedLocked ? previous.baseSeed : undefined;
        const family = familyOf(product);
        const plan = this.planner.plan(product, {
          family,
          target,
          copyTarget,
          variations: options.variations ?? settings.variations,
          // The team renders images only: a thumbnail is scaled here (sharp), not on a ComfyUI server.
          thumbnailMode: target === 'team' ? 'sharp' : settings.thumbnailMode,
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
          templateParams: options.params ?? {},
        });
        this.deps.lifecycle.openShowcase(plan);
        // Kept with the showcase: re-rendering one image later uses the same parameters.
        if (options.params) store.edits.setShowcaseParams(plan.gallery.id, options.params);
        galleryIds.push(plan.gallery.id);
        for (const j of plan.jobs) jobs.push(this.toQueued(j, family));
      }
    });
    this.schedule(galleryIds, jobs);
    return galleryIds;
  }

  /**
   * `showcase.submit`: products in (a sheet, product objects or catalog ids), then the showcases
   * started — after the unfinished-run policy: start anyway, refuse, or cancel that run first.
   */
  async submit(
    input: MethodParsedInput<'showcase.submit'>,
    catalog: CatalogService,
  ): Promise<MethodOutput<'showcase.submit'>> {
    const productIds: string[] = [...(input.productIds ?? [])];
    const errors: ImportRowError[] = [];
    const warnings: ImportRowError[] = [];
    if (input.sheet) {
      const { content, filename, format, sheetDir, currency, language } = input.sheet;
      const r = catalog.importSheet(content, filename, format, sheetDir, {
        ...(currency ? { currency } : {}),
        ...(language ? { language } : {}),
      });
      productIds.push(...r.imported.map((p) => p.id));
      errors.push(...r.errors);
      warnings.push(...r.warnings);
    }
    const inputs = [...(input.product ? [input.product] : []), ...(input.products ?? [])];
    if (inputs.length > 0) {
      const r = catalog.addProducts(inputs);
      productIds.push(...r.imported.map((p) => p.id));
      errors.push(...r.errors);
    }
    const unique = [...new Set(productIds)];
    if (unique.length === 0) {
      throw new ShowcaseError('invalid_input', 'No valid product in the request', { details: { errors } });
    }
    let restarted: MethodOutput<'showcase.submit'>['restarted'] = null;
    const unfinished = input.ifUnfinished === 'start' ? null : this.unfinishedRun(unique);
    if (unfinished && unfinished.galleryIds.length > 0) {
      if (input.ifUnfinished === 'refuse') {
        throw new ShowcaseError(
          'conflict',
          `${unfinished.galleryIds.length} showcase(s) of these products are unfinished (${unfinished.openJobs} job(s) not done); nothing was started`,
          {
            hint: 'Resume the unfinished run, or submit again with ifUnfinished "restart" to discard it',
            details: { ...unfinished },
          },
        );
      }
      const cancelledJobs = await this.discardRun(unfinished.galleryIds);
      restarted = { galleryIds: unfinished.galleryIds, cancelledJobs };
    }
    const galleryIds = await this.start(unique, input.options);
    return { galleryIds, productIds: unique, errors, warnings, restarted };
  }

  /** `models.preflight`: every ComfyUI server and the model files of the family it lacks. */
  async modelReport(family: TemplateFamily | undefined): Promise<MethodOutput<'models.preflight'>> {
    const wanted = family ?? this.ctx.settings().family;
    return { family: wanted, servers: await this.deps.preflight.report(wanted) };
  }

  /** Re-attaches to every job source after a crash or a stop: recovers running jobs, re-queues the rest. */
  async resume(): Promise<number> {
    await this.deps.finisher.finishStale();
    let total = 0;
    for (const source of this.deps.sources) {
      const { jobs: sourced, recovered } = await source.take();
      if (sourced.length === 0) continue;
      const jobs = sourced.map(({ job, family }) => this.toQueued(job, family));
      // Only work for this station's ComfyUI needs it; copy and sharp thumbnails need none.
      const families = (lane: string) =>
        new Set(jobs.flatMap((j, i) => (j.lane === lane ? [sourced[i]?.family ?? null] : [])));
      for (const family of families('comfy')) if (family) await this.prepareRun(family, 'local');
      for (const family of families('team')) if (family) await this.prepareRun(family, 'team');
      this.deps.finisher.markStarted(
        jobs.map((j) => j.galleryId),
        true,
      );
      this.deps.scheduler.add(jobs);
      this.ctx.log(
        `resumed ${jobs.length} job(s) from the ${source.name} (${recovered} were running when the last session stopped)`,
      );
      total += jobs.length;
    }
    return total;
  }

  /** The unfinished showcases of these products in the journal (a run that was killed, say). */
  unfinishedRun(productIds: readonly string[]): UnfinishedRun {
    return unfinishedRun(this.ctx.store, productIds);
  }

  /** Ends an unfinished run on purpose (`--restart`): its open jobs are cancelled. */
  async discardRun(galleryIds: readonly string[]): Promise<number> {
    return discardRun(this.deps.lifecycle, this.deps.pool, galleryIds);
  }

  /**
   * Re-runs what failed in the latest partial or failed showcase of each product (all of them
   * when none is named): the missing copy, then every asset that is not done, in the same gallery
   * with the same seeds. Returns the galleries re-opened.
   */
  async rerunFailed(productIds?: readonly string[]): Promise<string[]> {
    const { store } = this.ctx;
    const galleryIds = failedShowcases(store, productIds);
    if (galleryIds.length === 0) return [];
    // Each showcase re-renders where it was rendered: on this station, or on the team.
    const targets = new Set(
      galleryIds.map(
        (id) => `${this.showcase(id).gallery.family}|${renderedByTeam(store, id) ? 'team' : 'local'}`,
      ),
    );
    for (const target of targets) {
      const [family, where] = target.split('|') as [TemplateFamily, 'local' | 'team'];
      await this.prepareRun(family, where);
    }
    const jobs = journalRerun(store, this.deps.lifecycle, galleryIds, this.ctx.settings()).map(
      ({ job, family }) => this.toQueued(job, family),
    );
    this.schedule(galleryIds, jobs);
    return galleryIds;
  }

  async regenerate(assetId: string, seedMode: 'same' | 'new'): Promise<string> {
    const { store } = this.ctx;
    const asset = store.assets.get(assetId);
    if (!asset) throw new ShowcaseError('not_found', `Asset ${assetId} does not exist`);
    const gallery = store.galleries.get(asset.galleryId);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${asset.galleryId} does not exist`);
    if (!gallery.copy) throw new ShowcaseError('conflict', 'This showcase has no copy yet; start it first');
    const open = store.jobs
      .listByGallery(gallery.id)
      .find((j) => j.assetId === assetId && (j.status === 'queued' || j.status === 'running'));
    if (open) throw new ShowcaseError('conflict', `The ${asset.kind} image is already being rendered`);
    const seeds = new Map<string, number>();
    if (seedMode === 'new') {
      if (asset.seedLocked || gallery.seedLocked) {
        throw new ShowcaseError('conflict', 'The seed is locked', {
          hint: 'Unlock the seed to render with a new one',
        });
      }
      seeds.set(asset.id, rerollSeed(asset.seed, asset.attempts + (Date.now() % 997)));
    }
    const settings = this.ctx.settings();
    const hero = store.assets.getBySlot(gallery.id, 'hero', 0);
    const team = renderedByTeam(store, gallery.id);
    let payload: JobPayload;
    if (asset.kind === 'thumbnail') {
      if (!hero) throw new ShowcaseError('conflict', 'The hero image is missing');
      const mode = team ? 'sharp' : settings.thumbnailMode;
      payload = {
        type: 'thumbnail',
        mode,
        size: settings.thumbnailSize,
        templateId: mode === 'comfy' ? templateIdFor(gallery.family, 'thumbnail') : null,
        sourceAssetId: hero.id,
      };
    } else {
      if (asset.kind === 'variation' && hero?.status !== 'done')
        throw new ShowcaseError('conflict', 'Render the hero first');
      const product = store.products.get(gallery.productId);
      if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} does not exist`);
      const image = imageJobPayload(
        product,
        gallery.family,
        asset.kind,
        asset.kind === 'variation' ? (hero?.id ?? null) : null,
        store.edits.showcaseParams(gallery.id),
      );
      payload = team && image.type === 'image' ? { ...image, target: 'team' } : image;
    }
    const job: PlannedJob = {
      id: randomUUID(),
      galleryId: gallery.id,
      assetId: asset.id,
      kind: asset.kind,
      status: 'queued',
      attempts: 0,
      backend: null,
      comfyPromptId: null,
      dependsOn: [],
      error: null,
      queuedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      payload,
    };
    this.deps.lifecycle.reopen(gallery.id, [job], seeds);
    await this.prepareRun(gallery.family, team ? 'team' : 'local');
    this.schedule([gallery.id], [this.toQueued(job, gallery.family)]);
    return job.id;
  }

  showcase(galleryId: string): Showcase {
    const { store } = this.ctx;
    const gallery = store.galleries.get(galleryId);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`);
    const product = store.products.get(gallery.productId);
    if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} does not exist`);
    const assets = store.assets.listByGallery(galleryId);
    // A colleague's gallery (pulled, rendered elsewhere) is marked, never taken for local files.
    const pageFile = toStoredPath(this.ctx.outputRoot, gallery.htmlPath);
    return { product, gallery, assets, locality: galleryLocality(assets), pageFile };
  }

  /**
   * Checks the family's templates against every reachable ComfyUI server's /object_info; refuses,
   * with ONE message naming each server and every missing model file and its folder, when none of
   * them has all the files (instead of every showcase failing the same way).
   */
  async checkModels(family: TemplateFamily): Promise<void> {
    await this.deps.preflight.checkModels(family);
  }

  /** Journalled jobs go to the scheduler, announced as queued. */
  private schedule(galleryIds: readonly string[], jobs: SchedulableJob[]): void {
    this.deps.finisher.markStarted(galleryIds);
    for (const j of jobs) this.ctx.emit('job.queued', jobRef(j));
    this.deps.scheduler.add(jobs);
  }

  private toQueued(job: PlannedJob, family: TemplateFamily): SchedulableJob {
    return schedulable(this.ctx.templates, job, family);
  }

  /**
   * The pre-flight of every run, whatever adapter started it: probes every backend, checks the
   * family's model files on each ComfyUI server (work is routed away from a server that lacks
   * them), and decides whether copy and images must take turns on the GPU.
   */
  private async prepareRun(family: TemplateFamily, target: 'local' | 'team'): Promise<void> {
    if (target === 'team') {
      // The images render on the team's GPUs: no local ComfyUI is needed, the team database and bucket are.
      await this.deps.team.checkReady([family]);
      return;
    }
    const online = await this.deps.preflight.probe();
    await this.deps.preflight.checkModels(family, online);
    const gating = this.deps.pool.needsPhaseGating(family);
    this.deps.scheduler.setPhaseGating(gating);
    if (gating)
      this.ctx.log('VRAM too small for the LLM and the image model together: copy first, then images');
  }

  private resolvePreset(idOrName: string) {
    const presets = this.ctx.store.presets.list();
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
}
