// The channel export as the engine offers it: pick the galleries, find a ComfyUI server for the
// white-background renders when one is needed, export each gallery, refresh its internal page with the
// badges, and sum up the pass rates. Every fault ends in the report or in `skipped` with its cause.
import {
  type ChannelExportResult,
  type ChannelName,
  type ComplianceReport,
  type Gallery,
  type ParamValue,
  ShowcaseError,
  toShowcaseError,
} from '../../../shared/index.ts';
import type { ComfyClient } from '../comfy/index.ts';
import {
  type GalleryDocument,
  readGalleryDocument,
  renderGalleryHtml,
  resolveInside,
} from '../showcase/index.ts';
import type { TemplateLibrary } from '../templates/index.ts';
import {
  exportGalleryChannels,
  prepareWhiteBackground,
  readComplianceReport,
  writeBytesAtomic,
  writeComplianceReport,
} from './export.ts';
import { complianceFile, type GalleryRef } from './paths.ts';
import { channelBadges, passRates } from './report.ts';
import { CHANNEL_RULES } from './rules.ts';
import { comfyWhiteRenderer, type WhiteBackgroundRenderer } from './white-background.ts';

export interface ChannelServiceContext {
  outputRoot: string;
  templates: TemplateLibrary;
  galleries: {
    get(id: string): Gallery | null;
    list(query: { limit: number }): Gallery[];
  };
  /** A reachable ComfyUI server for the white-background render, or why there is none. */
  comfy(): Promise<{ client: ComfyClient; url: string } | { unavailable: string }>;
  /** The edit family's template parameter overrides (steps, cfg …). */
  templateParams(): Record<string, ParamValue>;
  log?(line: string): void;
}

export interface ExportRequest {
  galleryIds?: readonly string[];
  all?: boolean;
  channels: readonly ChannelName[];
  /** Allow the white-background render (default true); false exports the hero as it is. */
  render?: boolean;
  signal?: AbortSignal;
  onGallery?(report: ComplianceReport, document: GalleryDocument): void;
}

const FINISHED = new Set(['complete', 'partial']);

/** The latest finished gallery of every product (galleries are listed oldest first). */
export function latestFinishedGalleries(galleries: readonly Gallery[]): Gallery[] {
  const latest = new Map<string, Gallery>();
  for (const g of galleries) if (g.jsonPath && FINISHED.has(g.status)) latest.set(g.productId, g);
  return [...latest.values()];
}

export class ChannelService {
  readonly #ctx: ChannelServiceContext;

  constructor(ctx: ChannelServiceContext) {
    this.#ctx = ctx;
  }

  async export(request: ExportRequest): Promise<ChannelExportResult> {
    const ctx = this.#ctx;
    if (!request.all && (request.galleryIds ?? []).length === 0) {
      throw new ShowcaseError('invalid_input', 'Name the galleries to export, or pass all', {
        details: { fields: ['galleryIds'] },
      });
    }
    const targets = request.all
      ? latestFinishedGalleries(ctx.galleries.list({ limit: 1_000_000 }))
      : (request.galleryIds ?? []).map((id) => {
          const g = ctx.galleries.get(id);
          if (!g) throw new ShowcaseError('not_found', `Gallery ${id} does not exist`);
          return g;
        });
    if (targets.length === 0) {
      throw new ShowcaseError('conflict', 'No finished gallery to export', {
        hint: 'Run showcase generate (or demo) first',
      });
    }

    const lazyRenderer = this.#lazyRenderer();

    const result: ChannelExportResult = { galleries: [], skipped: [], summary: [] };
    const reports: ComplianceReport[] = [];
    for (const gallery of targets) {
      request.signal?.throwIfAborted();
      if (!gallery.jsonPath || !FINISHED.has(gallery.status)) {
        result.skipped.push({ galleryId: gallery.id, reason: `not finished (status ${gallery.status})` });
        continue;
      }
      try {
        const document = await readGalleryDocument(gallery.jsonPath);
        const report = await exportGalleryChannels({
          outputRoot: ctx.outputRoot,
          document,
          channels: request.channels,
          renderer: request.render === false ? null : lazyRenderer,
          rendererUnavailable: 'the white-background render was switched off',
          ...(request.signal ? { signal: request.signal } : {}),
        });
        await this.#refreshInternalPage(gallery, document, report);
        reports.push(report);
        request.onGallery?.(report, document);
        result.galleries.push({
          galleryId: gallery.id,
          productId: document.product.id,
          report: complianceFile(document),
          channels: report.channels
            .filter((c) => request.channels.includes(c.channel))
            .map((c) => ({ channel: c.channel, passed: c.passed })),
          whiteBackground: report.whiteBackground,
        });
      } catch (err) {
        if (request.signal?.aborted) throw err;
        const e = toShowcaseError(err);
        ctx.log?.(`channels: ${gallery.productId}: ${e.message}`);
        result.skipped.push({ galleryId: gallery.id, reason: e.message });
      }
    }
    result.summary = passRates(reports, request.channels);
    return result;
  }

  /**
   * Renders the white-background hero of every finished gallery that needs one (cached per hero), with
   * no channel export: `showcase demo` does it while its simulated ComfyUI is up.
   */
  async prepareWhiteBackgrounds(signal?: AbortSignal) {
    const renderer = this.#lazyRenderer();
    const counts = { rendered: 0, cached: 0, notNeeded: 0, failed: [] as string[] };
    for (const gallery of latestFinishedGalleries(this.#ctx.galleries.list({ limit: 1_000_000 }))) {
      signal?.throwIfAborted();
      const document = await readGalleryDocument(gallery.jsonPath as string);
      const state = await prepareWhiteBackground({
        outputRoot: this.#ctx.outputRoot,
        document,
        renderer,
        ...(signal ? { signal } : {}),
      }).catch((err: unknown) => ({ status: 'failed' as const, error: toShowcaseError(err).message }));
      if (state.status === 'rendered') counts.rendered++;
      else if (state.status === 'cached') counts.cached++;
      else if (state.status === 'not-needed') counts.notNeeded++;
      else counts.failed.push(`${document.product.id}: ${state.error ?? state.status}`);
    }
    return counts;
  }

  /** A renderer that looks for a ComfyUI server the first time a hero needs the white background. */
  #lazyRenderer(): WhiteBackgroundRenderer {
    const ctx = this.#ctx;
    let renderer: Promise<WhiteBackgroundRenderer | { unavailable: string }> | null = null;
    return {
      templateId: 'edit.white-background',
      backend: 'ComfyUI',
      render: async (hero, options) => {
        renderer ??= ctx.comfy().then((found) =>
          'unavailable' in found
            ? found
            : comfyWhiteRenderer({
                client: found.client,
                url: found.url,
                templates: ctx.templates,
                params: ctx.templateParams(),
              }),
        );
        const r = await renderer;
        if ('unavailable' in r) throw new ShowcaseError('backend_unreachable', r.unavailable);
        return r.render(hero, options);
      },
    };
  }

  /** The gallery's report, or null before its first export. */
  async report(galleryId: string): Promise<ComplianceReport | null> {
    const gallery = this.#ctx.galleries.get(galleryId);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`);
    if (!gallery.jsonPath) return null;
    const document = await readGalleryDocument(gallery.jsonPath);
    return readComplianceReport(this.#ctx.outputRoot, document);
  }

  /**
   * The channel variants to publish with a gallery: those of its report, when the report describes the
   * current hero (a stale export is not published: its images show an older render). `apply` writes
   * the published URLs into the report.
   */
  async publishableFiles(document: GalleryDocument) {
    const outputRoot = this.#ctx.outputRoot;
    const report = await readComplianceReport(outputRoot, document);
    const hero = document.assets.find((a) => a.kind === 'hero');
    if (!report || report.heroSha256 !== (hero?.sha256 ?? null)) {
      if (report)
        this.#ctx.log?.(`channels: ${document.product.id}: the export is older than the hero; not published`);
      return null;
    }
    const images = report.channels.flatMap((c) => c.images);
    return {
      files: images.map((i) => ({
        filename: i.filename,
        sha256: i.sha256,
        bytes: i.bytes,
        contentType: i.format === 'png' ? 'image/png' : 'image/jpeg',
      })),
      apply: async (urls: ReadonlyMap<string, string>) => {
        const updated: ComplianceReport = {
          ...report,
          channels: report.channels.map((c) => ({
            ...c,
            images: c.images.map((i) => ({ ...i, remoteUrl: urls.get(i.filename) ?? i.remoteUrl })),
          })),
        };
        await writeComplianceReport(outputRoot, updated, document);
      },
    };
  }

  /** The published channel variants of a gallery for the e-mail pack ("Amazon – hero" → URL). */
  async publishedLinks(jsonPath: string): Promise<Array<{ label: string; url: string }>> {
    const document = await readGalleryDocument(jsonPath);
    const report = await readComplianceReport(this.#ctx.outputRoot, document).catch(() => null);
    const hero = document.assets.find((a) => a.kind === 'hero');
    if (!report || report.heroSha256 !== (hero?.sha256 ?? null)) return [];
    return report.channels.flatMap((c) =>
      c.images
        .filter((i) => i.remoteUrl !== null)
        .map((i) => ({
          label: `${CHANNEL_RULES[c.channel].label} – ${i.kind.replace('_', ' ')}`,
          url: i.remoteUrl as string,
        })),
    );
  }

  /** The published Shopify variants of a gallery (current hero only), in gallery order, or null. */
  async shopifyImages(document: GalleryDocument): Promise<Array<{ url: string; kind: string }> | null> {
    const report = await readComplianceReport(this.#ctx.outputRoot, document).catch(() => null);
    const hero = document.assets.find((a) => a.kind === 'hero');
    if (!report || report.heroSha256 !== (hero?.sha256 ?? null)) return null;
    const shopify = report.channels.find((c) => c.channel === 'shopify');
    const images = (shopify?.images ?? []).filter((i) => i.remoteUrl !== null);
    return images.length > 0 ? images.map((i) => ({ url: i.remoteUrl as string, kind: i.kind })) : null;
  }

  /** Badges for the internal page of a gallery being composed (null when it was never exported). */
  async badgesFor(document: GalleryRef & { assets: ReadonlyArray<{ kind: string; sha256: string | null }> }) {
    const report = await readComplianceReport(this.#ctx.outputRoot, document).catch(() => null);
    if (!report) return undefined;
    const hero = document.assets.find((a) => a.kind === 'hero');
    return channelBadges(report, hero?.sha256 ?? null);
  }

  /** The studio's own page gets the badges; the document is not touched. */
  async #refreshInternalPage(gallery: Gallery, document: GalleryDocument, report: ComplianceReport) {
    if (!gallery.htmlPath) return;
    const hero = document.assets.find((a) => a.kind === 'hero');
    const html = renderGalleryHtml(document, {
      urlFor: (file) => encodeURI(file),
      catalogHref: 'index.html',
      audience: 'internal',
      channels: channelBadges(report, hero?.sha256 ?? null),
    });
    await writeBytesAtomic(resolveInside(this.#ctx.outputRoot, document.files.html), html);
  }
}
