// Exports one gallery for a set of channels: a variant per finished image and channel, each checked on
// the written bytes, and the gallery's compliance report next to them. Re-exporting replaces the
// variants of the channels asked for and keeps the report's entries for the others.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, posix } from 'node:path';
import {
  type ChannelImage,
  type ChannelName,
  type ChannelResult,
  type ComplianceReport,
  ComplianceReportSchema,
  ShowcaseError,
  toShowcaseError,
  type WhiteBackground,
} from '../../../shared/index.ts';
import { type GalleryDocument, resolveInside } from '../showcase/index.ts';
import { checkVariant, type ImageFacts, imageFacts } from './compliance.ts';
import { channelFile, complianceFile, type GalleryRef, variantKind, whiteRenderFile } from './paths.ts';
import { isWhiteBackground, measure, type PixelStats } from './pixels.ts';
import { CHANNEL_RULES, needsWhiteMain, roleRule } from './rules.ts';
import { loadSource, makeVariant, type SourceImage } from './variants.ts';
import { WHITE_BACKGROUND_TEMPLATE, type WhiteBackgroundRenderer } from './white-background.ts';

export interface ExportGalleryOptions {
  outputRoot: string;
  document: GalleryDocument;
  channels: readonly ChannelName[];
  /** Renders the hero on white when a channel needs it; null when no ComfyUI server is available. */
  renderer: WhiteBackgroundRenderer | null;
  /** Why there is no renderer (shown in the report when a render was needed). */
  rendererUnavailable?: string;
  signal?: AbortSignal;
  now?: () => Date;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The finished images a channel can use: everything but the thumbnail, hero first. */
export function exportableAssets(document: GalleryDocument) {
  return document.assets.filter((a) => a.status === 'done' && a.sha256 !== null && a.kind !== 'thumbnail');
}

export async function readComplianceReport(
  outputRoot: string,
  document: GalleryRef,
): Promise<ComplianceReport | null> {
  const path = resolveInside(outputRoot, complianceFile(document));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ShowcaseError('storage_error', `Cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed = ComplianceReportSchema.safeParse(JSON.parse(text));
  // A report written by another version or edited by hand is rebuilt rather than trusted.
  return parsed.success ? parsed.data : null;
}

export async function writeBytesAtomic(path: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${dirname(path)}/.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new ShowcaseError('storage_error', `Cannot write ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export async function writeComplianceReport(
  outputRoot: string,
  report: ComplianceReport,
  document: GalleryRef,
): Promise<void> {
  const path = resolveInside(outputRoot, complianceFile(document));
  await writeBytesAtomic(path, `${JSON.stringify(ComplianceReportSchema.parse(report), null, 2)}\n`);
}

interface WhiteSource {
  state: WhiteBackground;
  data: Buffer | null;
}

async function whiteSource(
  options: ExportGalleryOptions,
  hero: { data: Buffer; sha256: string; seed: number },
  heroStats: PixelStats,
  previous: ComplianceReport | null,
): Promise<WhiteSource> {
  const { outputRoot, document } = options;
  const file = whiteRenderFile(document);
  const base = { templateId: WHITE_BACKGROUND_TEMPLATE, heroSha256: hero.sha256, seed: hero.seed };
  if (isWhiteBackground(heroStats)) {
    return { state: { ...base, status: 'not-needed', filename: null, seed: null, error: null }, data: null };
  }
  const cached = previous?.whiteBackground;
  if (
    cached?.filename &&
    cached.heroSha256 === hero.sha256 &&
    (cached.status === 'rendered' || cached.status === 'cached')
  ) {
    const data = await readFile(resolveInside(outputRoot, cached.filename)).catch(() => null);
    if (data)
      return {
        state: { ...base, status: 'cached', filename: cached.filename, seed: cached.seed, error: null },
        data,
      };
  }
  if (!options.renderer) {
    const error = options.rendererUnavailable ?? 'no ComfyUI server is configured';
    return { state: { ...base, status: 'skipped', filename: null, error }, data: null };
  }
  try {
    const data = await options.renderer.render(hero.data, {
      productId: document.product.id,
      seed: hero.seed,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await writeBytesAtomic(resolveInside(outputRoot, file), data);
    return { state: { ...base, status: 'rendered', filename: file, error: null }, data };
  } catch (err) {
    if (options.signal?.aborted) throw err;
    return {
      state: { ...base, status: 'failed', filename: null, error: toShowcaseError(err).message },
      data: null,
    };
  }
}

export async function exportGalleryChannels(options: ExportGalleryOptions): Promise<ComplianceReport> {
  const { outputRoot, document, channels } = options;
  const assets = exportableAssets(document);
  const heroAsset = assets.find((a) => a.kind === 'hero');
  if (!heroAsset) {
    throw new ShowcaseError(
      'conflict',
      `${document.product.id}: the hero image is missing, so there is nothing to export`,
      {
        hint: 'Render the hero first (regenerate it in the Showcase view or run generate again).',
      },
    );
  }
  const read = async (filename: string) => readFile(resolveInside(outputRoot, filename));
  const heroData = await read(heroAsset.filename);
  const previous = await readComplianceReport(outputRoot, document);
  const strictest = Math.min(...channels.map((c) => CHANNEL_RULES[c].whiteTolerance));
  const hero = await loadSource(heroData);
  const heroStats = hero.stats(strictest);

  let white: WhiteSource | null = null;
  if (needsWhiteMain(channels)) {
    white = await whiteSource(
      options,
      { data: heroData, sha256: heroAsset.sha256 as string, seed: heroAsset.seed },
      heroStats,
      previous,
    );
  }
  const whiteImage = white?.data ? await loadSource(white.data) : null;

  // Each rendered image is read and decoded once, then cut for every channel.
  const originals = new Map<string, { data: Buffer; image: SourceImage; facts: ImageFacts }>();
  const original = async (filename: string) => {
    let found = originals.get(filename);
    if (!found) {
      const data = filename === heroAsset.filename ? heroData : await read(filename);
      const image = filename === heroAsset.filename ? hero : await loadSource(data);
      found = { data, image, facts: await imageFacts(data) };
      originals.set(filename, found);
    }
    return found;
  };
  // The product's fill can only be read off an image that stands on white.
  const fillOn = (stats: PixelStats | null) => (stats && isWhiteBackground(stats) ? stats.fill : null);

  const results: ChannelResult[] = [];
  for (const channel of channels) {
    options.signal?.throwIfAborted();
    const rule = CHANNEL_RULES[channel];
    const images: ChannelImage[] = [];
    const written = new Set<string>();
    for (const asset of assets) {
      const role = asset.kind === 'hero' ? 'main' : 'additional';
      const rr = roleRule(rule, role);
      const from = await original(asset.filename);
      const useWhite = rr.whiteBackground && whiteImage !== null;
      const made = await makeVariant({
        source: useWhite && whiteImage ? whiteImage : from.image,
        rule,
        role: rr,
        centred: role === 'main',
      });
      const filename = channelFile(
        document,
        channel,
        variantKind(asset),
        rule.output === 'jpeg' ? 'jpg' : 'png',
      );
      const path = resolveInside(outputRoot, filename);
      await writeBytesAtomic(path, made.data);
      written.add(posix.basename(filename));
      // Measured on what is on disk now, not on the buffer we meant to write.
      const onDisk = await readFile(path);
      const originalStats = rr.whiteBackground ? from.image.stats(rule.whiteTolerance) : null;
      const whiteNote =
        rr.whiteBackground && !useWhite && white && white.state.status !== 'not-needed'
          ? `no white-background render (${white.state.error ?? white.state.status})`
          : null;
      const checked = await checkVariant({
        rule,
        role,
        roleRule: rr,
        written: onDisk,
        original: { facts: from.facts, stats: originalStats },
        sourceFill: useWhite ? fillOn(whiteImage?.stats(rule.whiteTolerance) ?? null) : fillOn(originalStats),
        steps: made.steps,
        whiteSource: { used: useWhite, note: whiteNote },
      });
      images.push({
        kind: variantKind(asset),
        role,
        filename,
        source: useWhite ? (white?.state.filename ?? asset.filename) : asset.filename,
        width: checked.facts.width,
        height: checked.facts.height,
        bytes: checked.facts.bytes,
        format: checked.facts.format,
        sha256: sha256(onDisk),
        passed: checked.passed,
        checks: checked.checks,
        remoteUrl: null,
      });
    }
    await removeStale(outputRoot, channelFile(document, channel, 'x', 'x'), document.product.id, written);
    results.push({ channel, passed: images.length > 0 && images.every((i) => i.passed), images });
  }

  const kept =
    previous && previous.heroSha256 === heroAsset.sha256
      ? previous.channels.filter((c) => !channels.includes(c.channel))
      : [];
  const report: ComplianceReport = {
    schemaVersion: 1,
    galleryId: document.galleryId,
    productId: document.product.id,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    heroSha256: heroAsset.sha256,
    whiteBackground: white?.state ?? (kept.length > 0 ? (previous?.whiteBackground ?? null) : null),
    channels: [...kept, ...results].sort(
      (a, b) => Object.keys(CHANNEL_RULES).indexOf(a.channel) - Object.keys(CHANNEL_RULES).indexOf(b.channel),
    ),
  };
  await writeComplianceReport(outputRoot, report, document);
  return report;
}

/**
 * Renders (or finds cached) the white-background hero without exporting any channel, and records it
 * in the report: what `showcase demo` does while its simulator is up, so a later export works offline.
 */
export async function prepareWhiteBackground(
  options: Omit<ExportGalleryOptions, 'channels'>,
): Promise<WhiteBackground> {
  const { outputRoot, document } = options;
  const hero = exportableAssets(document).find((a) => a.kind === 'hero');
  if (!hero) throw new ShowcaseError('conflict', `${document.product.id}: the hero image is missing`);
  const heroData = await readFile(resolveInside(outputRoot, hero.filename));
  const previous = await readComplianceReport(outputRoot, document);
  const tolerance = Math.min(...Object.values(CHANNEL_RULES).map((r) => r.whiteTolerance));
  const white = await whiteSource(
    { ...options, channels: [] },
    { data: heroData, sha256: hero.sha256 as string, seed: hero.seed },
    await measure(heroData, tolerance),
    previous,
  );
  const sameHero = previous?.heroSha256 === hero.sha256;
  await writeComplianceReport(
    outputRoot,
    {
      schemaVersion: 1,
      galleryId: document.galleryId,
      productId: document.product.id,
      generatedAt: (options.now?.() ?? new Date()).toISOString(),
      heroSha256: hero.sha256,
      whiteBackground: white.state,
      channels: sameHero ? (previous?.channels ?? []) : [],
    },
    document,
  );
  return white.state;
}

/** Variants of this product left from an earlier export (a variation since removed). */
async function removeStale(outputRoot: string, sample: string, productId: string, keep: ReadonlySet<string>) {
  const dir = dirname(resolveInside(outputRoot, sample));
  const prefix = `product_${productId}_`;
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      // `product_mug_x_hero.jpg` belongs to product `mug_x`, not to `mug`: the rest must be a kind.
      .filter(
        (n) =>
          n.startsWith(prefix) &&
          !keep.has(n) &&
          /^(hero|lifestyle|variation_\d+)\.(jpg|png)$/.test(n.slice(prefix.length)),
      )
      .map((n) => rm(`${dir}/${n}`, { force: true })),
  );
}
