// GalleryComposer: turns a finished (or partly finished) showcase into its shareable gallery —
// `product_{id}.json` (the machine-readable record: copy, assets with hashes, seeds, params, timings)
// and `product_{id}.html` (the page a person shares) — plus the catalog `index.html`/`index.json`.
// The JSON document is the source of truth for publish and e-mail: they read it back with
// `readGalleryDocument` and may re-render the page with public URLs through `renderGalleryHtml`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import {
  type Asset,
  describeZodError,
  GallerySchema,
  parseOrThrow,
  type Showcase,
  ShowcaseError,
} from '../../../shared/index.ts';
import { galleryDocumentFiles, linkFrom } from './files.ts';
import {
  type AppInfo,
  CATALOG_INDEX_FILES,
  type CatalogIndex,
  type CatalogIndexEntry,
  CatalogIndexSchema,
  DEFAULT_APP_INFO,
  GALLERY_SCHEMA_VERSION,
  type GalleryAsset,
  type GalleryDocument,
  GalleryDocumentSchema,
  type GalleryDocumentStatus,
  GalleryProductSchema,
} from './gallery-document.ts';
import { type PageAudience, renderCatalogIndexHtml, renderGalleryHtml } from './gallery-html.ts';
import { resolveInside } from './naming.ts';
import type { ChannelBadge } from './page-channels.ts';

/** Maps an output file name to the URL the page should use for it (relative by default). */
export type UrlFor = (filename: string) => string;
const relativeUrl: UrlFor = (filename) => encodeURI(filename);

export interface GalleryTimings {
  /** Milliseconds per asset, keyed by asset id or by asset filename. */
  assets?: Record<string, number>;
  totalMs?: number | null;
}

export interface ComposeGalleryOptions {
  showcase: Showcase;
  /** The output directory holding the asset PNGs; the gallery files are written next to them. */
  outputRoot: string;
  timings?: GalleryTimings;
  /** Public URL of each file, for a page rendered for publishing; default: relative file names. */
  urlFor?: UrlFor;
  /** Link from the page back to the catalog (e.g. `index.html`); no link when absent. */
  catalogHref?: string;
  /** Channel compliance badges for the (internal) page, from the gallery's last channel export. */
  channels?: readonly ChannelBadge[];
  app?: AppInfo;
  now?: () => Date;
  /** Ids of derived assets made from an earlier hero (marked stale in the JSON and on the page). */
  staleAssetIds?: readonly string[];
}

export interface ComposedGallery {
  document: GalleryDocument;
  jsonPath: string;
  htmlPath: string;
}

/** Measures each asset on disk and writes `product_{id}.json` and `product_{id}.html` atomically. */
export async function composeGallery(options: ComposeGalleryOptions): Promise<ComposedGallery> {
  const document = await buildGalleryDocument(options);
  const jsonPath = resolveInside(options.outputRoot, document.files.json);
  const htmlPath = resolveInside(options.outputRoot, document.files.html);
  // The page sits in its gallery's folder: local links are made relative to that folder.
  const page = document.files.html;
  const local = (file: string) => (/^[a-z][a-z0-9+.-]*:/i.test(file) ? file : linkFrom(page, file));
  const html = renderGalleryHtml(document, {
    urlFor: options.urlFor ?? ((filename) => encodeURI(local(filename))),
    ...(options.catalogHref === undefined ? {} : { catalogHref: local(options.catalogHref) }),
    ...(options.channels === undefined ? {} : { channels: options.channels }),
  });
  await writeFileAtomic(jsonPath, `${JSON.stringify(document, null, 2)}\n`);
  await writeFileAtomic(htmlPath, html);
  return { document, jsonPath, htmlPath };
}

/** The document `composeGallery` writes, without writing anything. */
export async function buildGalleryDocument(options: ComposeGalleryOptions): Promise<GalleryDocument> {
  const { showcase, outputRoot } = options;
  const gallery = parseOrThrow(GallerySchema, showcase.gallery, 'showcase.gallery');
  const product = parseOrThrow(GalleryProductSchema, showcase.product, 'showcase.product');
  const copy = gallery.copy;
  const timingsIn = options.timings ?? {};

  const assets = await Promise.all(
    sortAssets(showcase.assets).map(async (asset) => {
      const described = await describeAsset(asset, outputRoot, copy?.prompts.negative);
      return options.staleAssetIds?.includes(asset.id) ? { ...described, stale: true } : described;
    }),
  );

  const assetTimings: Record<string, number> = {};
  for (const asset of showcase.assets) {
    const ms = timingsIn.assets?.[asset.id] ?? timingsIn.assets?.[asset.filename];
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0) assetTimings[asset.filename] = ms;
  }

  const failed = assets
    .filter((a) => a.status !== 'done')
    .map((a) => ({ kind: a.kind, idx: a.idx, filename: a.filename, status: a.status, error: a.error }));
  const doneCount = assets.length - failed.length;
  const state: GalleryDocumentStatus =
    failed.length === 0 && assets.length > 0 ? 'complete' : doneCount === 0 ? 'failed' : 'partial';

  const names = galleryDocumentFiles(product.id, gallery.id);
  return GalleryDocumentSchema.parse({
    schemaVersion: GALLERY_SCHEMA_VERSION,
    galleryId: gallery.id,
    product,
    copy: copy
      ? {
          title: copy.title,
          tagline: copy.tagline,
          bullets: copy.bullets,
          description: copy.description,
          language: copy.language,
          source: copy.source,
          ...(copy.model === undefined ? {} : { model: copy.model }),
        }
      : null,
    assets,
    seeds: { base: gallery.baseSeed, locked: gallery.seedLocked },
    family: gallery.family,
    prompt: { prefix: gallery.promptPrefix, presetId: gallery.presetId },
    timings: { assets: assetTimings, totalMs: timingsIn.totalMs ?? null },
    status: { state, failed },
    approved: gallery.approved,
    staleAssets: assets.filter((a) => a.stale === true).map((a) => a.filename),
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    publishedUrl: gallery.publishedUrl,
    files: { json: names.json, html: names.html },
    app: options.app ?? DEFAULT_APP_INFO,
  } satisfies GalleryDocument);
}

const kindOrder = { hero: 0, lifestyle: 1, variation: 2, thumbnail: 3 } as const;

function sortAssets(assets: readonly Asset[]): Asset[] {
  return [...assets].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.idx - b.idx);
}

async function describeAsset(
  asset: Asset,
  outputRoot: string,
  copyNegative: string | undefined,
): Promise<GalleryAsset> {
  const paramNegative = asset.params.negative;
  const negative =
    typeof paramNegative === 'string' && paramNegative !== ''
      ? paramNegative
      : asset.kind !== 'thumbnail' && copyNegative
        ? copyNegative
        : undefined;
  const base: GalleryAsset = {
    kind: asset.kind,
    idx: asset.idx,
    filename: asset.filename,
    sha256: null,
    width: null,
    height: null,
    bytes: null,
    seed: asset.seed,
    seedLocked: asset.seedLocked,
    prompt: asset.prompt,
    ...(negative === undefined ? {} : { negative }),
    templateId: asset.templateId,
    params: asset.params,
    status: asset.status,
    approved: asset.approved,
    remoteUrl: asset.remoteUrl,
    error: asset.error,
  };
  if (asset.status !== 'done') return base;

  const path = resolveInside(outputRoot, asset.filename);
  // The journal recorded sha256 and size when it wrote the file: only check the file is still there
  // (and its byte count) instead of re-reading and decoding every PNG of the gallery.
  const measured =
    asset.sha256 !== null && asset.width !== null && asset.height !== null
      ? statImage(path, { sha256: asset.sha256, width: asset.width, height: asset.height })
      : await measureImage(path);
  if ('error' in measured) return { ...base, status: 'failed', approved: false, error: measured.error };
  return { ...base, ...measured };
}

interface ImageFacts {
  sha256: string;
  bytes: number;
  width: number;
  height: number;
}

function statImage(path: string, known: Omit<ImageFacts, 'bytes'>): ImageFacts | { error: string } {
  try {
    // A stat is a microsecond syscall; the promise version would queue on the thread pool.
    const info = statSync(path);
    if (!info.isFile() || info.size === 0) return { error: 'image file is not a readable image' };
    return { ...known, bytes: info.size };
  } catch (err) {
    return { error: unreadable(err) };
  }
}

function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'image file is missing' : `image file unreadable (${code ?? err})`;
}

async function measureImage(path: string): Promise<ImageFacts | { error: string }> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    return { error: unreadable(err) };
  }
  try {
    const meta = await sharp(data).metadata();
    if (!meta.width || !meta.height) return { error: 'image has no dimensions' };
    return {
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data.byteLength,
      width: meta.width,
      height: meta.height,
    };
  } catch {
    return { error: 'image file is not a readable image' };
  }
}

export interface ComposeCatalogIndexOptions {
  outputRoot: string;
  documents: readonly GalleryDocument[];
  urlFor?: UrlFor;
  /** `public` for the published page (no status badges); default `internal`. */
  audience?: PageAudience;
  title?: string;
  app?: AppInfo;
  now?: () => Date;
}

export interface ComposedCatalogIndex {
  index: CatalogIndex;
  htmlPath: string;
  jsonPath: string;
}

/** Writes the catalog `index.html` (a grid linking every product page) and `index.json`. */
export async function composeCatalogIndex(
  options: ComposeCatalogIndexOptions,
): Promise<ComposedCatalogIndex> {
  // Documents are typed: they were parsed where they entered (built here or read from disk).
  const documents = options.documents;
  const index = CatalogIndexSchema.parse({
    schemaVersion: GALLERY_SCHEMA_VERSION,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    title: options.title ?? 'Product showcase',
    products: documents.map(catalogEntry),
    app: options.app ?? DEFAULT_APP_INFO,
  } satisfies CatalogIndex);
  const htmlPath = resolveInside(options.outputRoot, CATALOG_INDEX_FILES.html);
  const jsonPath = resolveInside(options.outputRoot, CATALOG_INDEX_FILES.json);
  const html = renderCatalogIndexHtml(index, documents, {
    urlFor: options.urlFor ?? relativeUrl,
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  });
  await writeFileAtomic(jsonPath, `${JSON.stringify(index, null, 2)}\n`);
  await writeFileAtomic(htmlPath, html);
  return { index, htmlPath, jsonPath };
}

/** The image a catalog card shows: the thumbnail, else the hero, else nothing. */
export function cardImage(document: GalleryDocument): GalleryAsset | null {
  const usable = (kind: GalleryAsset['kind']) =>
    document.assets.find((a) => a.kind === kind && a.status === 'done') ?? null;
  return usable('thumbnail') ?? usable('hero');
}

function catalogEntry(document: GalleryDocument): CatalogIndexEntry {
  return {
    productId: document.product.id,
    galleryId: document.galleryId,
    name: document.product.name,
    title: document.copy?.title ?? document.product.name,
    tagline: document.copy?.tagline ?? null,
    status: document.status.state,
    html: document.files.html,
    json: document.files.json,
    image: cardImage(document)?.filename ?? null,
    publishedUrl: document.publishedUrl,
  };
}

/** Reads a `product_{id}.json` back, validated; used by publish and e-mail. */
export async function readGalleryDocument(path: string): Promise<GalleryDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ShowcaseError('not_found', `Gallery document not found: ${path}`, {
        hint: 'Compose the gallery first (generate the showcase).',
        details: { path },
      });
    }
    throw new ShowcaseError('storage_error', `Cannot read gallery document ${path}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ShowcaseError('invalid_input', `Gallery document ${basename(path)} is not valid JSON`, {
      details: { path },
      cause: err,
    });
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > GALLERY_SCHEMA_VERSION) {
    throw new ShowcaseError(
      'invalid_input',
      `Gallery document ${basename(path)} has schemaVersion ${version}; this app reads up to ${GALLERY_SCHEMA_VERSION}`,
      { hint: 'Update the app to read galleries written by a newer version.', details: { path, version } },
    );
  }
  const result = GalleryDocumentSchema.safeParse(raw);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.map(String).join('.'));
    throw new ShowcaseError(
      'invalid_input',
      `Invalid gallery document ${basename(path)} — ${describeZodError(result.error)}`,
      { details: { path, fields } },
    );
  }
  return result.data;
}

/**
 * Writes through a temp file in the same directory and renames it over the target, so a reader
 * (the publisher, a browser, a crash) never sees half a page. The temp file is removed on failure.
 * Synchronous on purpose: a page or document of some tens of KB is written in far less time than the
 * promise API spends handing open, write, close and rename to the thread pool and back.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Each gallery has its own folder (files.ts): the first file written there creates it.
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, content, 'utf8');
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already gone
    }
    throw new ShowcaseError('storage_error', `Cannot write ${path}: ${(err as Error).message}`, {
      details: { path },
      cause: err,
    });
  }
}
