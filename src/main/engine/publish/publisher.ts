// GalleryPublisher: uploads a composed gallery (its PNGs, then `product_{id}.json` and
// `product_{id}.html` re-rendered with public URLs) to an S3-compatible bucket under `products/{id}/`,
// and the catalog `index.html`/`index.json` next to them. The page and the document go up last, so a
// page never links to an image that is not there yet. Unchanged objects are skipped (bucket.ts), so a
// publish cut off half-way is finished by running it again.
import { ShowcaseError } from '../../../shared/index.ts';
import {
  cardImage,
  type GalleryDocument,
  GalleryDocumentSchema,
  publishedPath,
  renderGalleryHtml,
} from '../showcase/index.ts';
import { loadGalleryDocument, readAssetBytes, readExtraFile, sha256Hex, usableAssets } from './assets.ts';
import { Bucket, CACHE_CONTROL, DEFAULT_REQUEST_TIMEOUT_MS, type Prepared, type Progress } from './bucket.ts';
import { readLocalCatalog, uploadCatalogIndex } from './catalog-page.ts';
import { forEachLimited } from './concurrency.ts';
import { normalisePrefix, resolvePrefix, staticPrefix } from './prefixes.ts';
import { publicGalleryDocument } from './public-document.ts';
import type {
  CatalogPublishResult,
  ExtraFile,
  GalleryPublisherOptions,
  GalleryPublishResult,
  PublishCatalogOptions,
  PublishGalleryOptions,
} from './publish-types.ts';
import { parseS3Settings } from './settings.ts';

export const DEFAULT_PREFIX = 'products/{id}/';
export const DEFAULT_CONCURRENCY = 4;

// The bucket side and the result/option shapes moved out (bucket.ts, publish-types.ts); the names
// stay exported from here, where index.ts and session.ts import them.
export {
  CACHE_CONTROL,
  DEFAULT_REQUEST_TIMEOUT_MS,
  PART_SIZE,
  type PublishAccess,
  type PublishProgress,
  signingWindowStart,
} from './bucket.ts';
export { POLICY_SID } from './bucket-policy.ts';
export type {
  CatalogPublishResult,
  ExtraFile,
  GalleryPublisherOptions,
  GalleryPublishResult,
  PublishCatalogOptions,
  PublishCommonOptions,
  PublishedAsset,
  PublishGalleryOptions,
  PublishResult,
} from './publish-types.ts';

export class GalleryPublisher {
  readonly #bucket: Bucket;
  readonly #concurrency: number;

  constructor(options: GalleryPublisherOptions) {
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.#bucket = new Bucket({
      settings: parseS3Settings(options.s3),
      concurrency: this.#concurrency,
      timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      now: options.now ?? (() => new Date()),
    });
  }

  /** Closes the kept-alive sockets; call it when done with the publisher. */
  close(): void {
    this.#bucket.close();
  }

  async publishGallery(options: PublishGalleryOptions): Promise<GalleryPublishResult> {
    return this.#bucket.guard(options.signal, async () => {
      const document = await loadGalleryDocument(options);
      const template = options.prefix ?? DEFAULT_PREFIX;
      const prepared = await this.#bucket.prepare([this.#bucket.prefixResource(template)]);
      const extraFiles = options.extraFiles ?? [];
      const progress = this.#bucket.progress(
        options.onProgress,
        galleryFileCount(document) + extraFiles.length,
      );
      return this.#publishOne(document, {
        outputRoot: options.outputRoot,
        prefix: resolvePrefix(template, document.product.id),
        prepared,
        progress,
        extraFiles,
        ...(options.catalogHref === undefined ? {} : { catalogHref: options.catalogHref }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    });
  }

  async publishCatalog(options: PublishCatalogOptions): Promise<CatalogPublishResult> {
    return this.#bucket.guard(options.signal, async () => {
      const local = options.documents === undefined ? await readLocalCatalog(options.outputRoot) : null;
      const documents: GalleryDocument[] = [];
      for (const document of options.documents ?? local?.documents ?? []) {
        documents.push(await loadGalleryDocument({ document }));
      }
      const seen = new Set<string>();
      for (const d of documents) {
        if (seen.has(d.product.id)) {
          throw new ShowcaseError('invalid_input', `Product "${d.product.id}" appears twice in the catalog`, {
            details: { field: 'documents', productId: d.product.id },
          });
        }
        seen.add(d.product.id);
      }
      const template = options.prefix ?? DEFAULT_PREFIX;
      const { indexKeys, prepared } = await this.#prepareIndex(options);
      const indexUrls = await this.#bucket.urls([indexKeys.html, indexKeys.json], prepared);
      const indexHtmlUrl = indexUrls.get(indexKeys.html) as string;
      const progress = this.#bucket.progress(
        options.onProgress,
        documents.reduce((n, d) => n + galleryFileCount(d), 0) + 2,
      );

      const galleries: GalleryPublishResult[] = new Array(documents.length);
      await forEachLimited(
        documents,
        this.#concurrency,
        async (document, i) => {
          galleries[i] = await this.#publishOne(document, {
            outputRoot: options.outputRoot,
            prefix: resolvePrefix(template, document.product.id),
            prepared,
            progress,
            catalogHref: indexHtmlUrl,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          });
        },
        options.signal,
      );

      // The index as the composer builds it, with every link pointing at the published objects.
      const urlByFile = new Map<string, string>();
      for (const g of galleries) {
        urlByFile.set(g.document.files.html, g.url);
        urlByFile.set(g.document.files.json, g.jsonUrl);
        for (const a of g.assets) urlByFile.set(a.filename, a.url);
      }
      let { uploaded, skipped } = await uploadCatalogIndex(this.#bucket, {
        documents: galleries.map((g) => g.document),
        urlByFile,
        title: options.title ?? local?.title ?? 'Product showcase',
        indexKeys,
        progress,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      for (const g of galleries) {
        uploaded += g.uploaded;
        skipped += g.skipped;
      }
      return {
        url: indexHtmlUrl,
        jsonUrl: indexUrls.get(indexKeys.json) as string,
        access: prepared.access,
        uploaded,
        skipped,
        expiresAt: this.#bucket.expiresAt(prepared),
        galleries,
      };
    });
  }

  /** The URL the catalog page has (or will have) in this bucket: what gallery pages link back to. */
  async catalogUrl(options: { prefix?: string; catalogPrefix?: string } = {}): Promise<string> {
    const { indexKeys, prepared } = await this.#prepareIndex(options);
    return (await this.#bucket.urls([indexKeys.html], prepared)).get(indexKeys.html) as string;
  }

  /**
   * Publishes only the catalog page and `index.json` over galleries that are already published (each
   * with its `publishedUrl`): what a publish of a few galleries does after uploading them.
   */
  async publishIndex(
    options: Omit<PublishCatalogOptions, 'outputRoot' | 'documents'> & {
      documents: readonly GalleryDocument[];
    },
  ): Promise<{ url: string; jsonUrl: string; uploaded: number; skipped: number; listed: number }> {
    return this.#bucket.guard(options.signal, async () => {
      const template = options.prefix ?? DEFAULT_PREFIX;
      const { indexKeys, prepared } = await this.#prepareIndex(options);
      const documents = options.documents.filter((d) => d.publishedUrl !== null);
      const keyed = documents.flatMap((d) => {
        const prefix = resolvePrefix(template, d.product.id);
        const image = cardImage(d);
        return [d.files.html, d.files.json, ...(image ? [image.filename] : [])].map((file) => ({
          file,
          key: `${prefix}${publishedPath(file, d.product.id)}`,
        }));
      });
      const urls = await this.#bucket.urls(
        [indexKeys.html, indexKeys.json, ...keyed.map((k) => k.key)],
        prepared,
      );
      const urlByFile = new Map(keyed.map((k) => [k.file, urls.get(k.key) as string]));
      const counts = await uploadCatalogIndex(this.#bucket, {
        documents,
        urlByFile,
        title: options.title ?? 'Product showcase',
        indexKeys,
        progress: this.#bucket.progress(options.onProgress, 2),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      return {
        url: urls.get(indexKeys.html) as string,
        jsonUrl: urls.get(indexKeys.json) as string,
        ...counts,
        listed: documents.length,
      };
    });
  }

  async #prepareIndex(options: { prefix?: string; catalogPrefix?: string }) {
    const template = options.prefix ?? DEFAULT_PREFIX;
    const catalogPrefix = normalisePrefix(options.catalogPrefix ?? staticPrefix(template), 'catalogPrefix');
    const indexKeys = { html: `${catalogPrefix}index.html`, json: `${catalogPrefix}index.json` };
    const underGalleries = catalogPrefix.startsWith(staticPrefix(template));
    const prepared = await this.#bucket.prepare([
      this.#bucket.prefixResource(template),
      ...(underGalleries ? [] : [indexKeys.html, indexKeys.json].map((k) => this.#bucket.resource(k))),
    ]);
    return { indexKeys, prepared };
  }

  async #publishOne(
    document: GalleryDocument,
    options: {
      outputRoot: string;
      prefix: string;
      prepared: Prepared;
      progress: Progress;
      catalogHref?: string;
      extraFiles?: readonly ExtraFile[];
      signal?: AbortSignal;
    },
  ): Promise<GalleryPublishResult> {
    const { prefix, prepared, progress, signal } = options;
    const extraFiles = options.extraFiles ?? [];
    // Under the product's prefix, each gallery keeps its own folder: `<prefix><gallery id>/…`.
    const keyOf = (file: string) => `${prefix}${publishedPath(file, document.product.id)}`;
    const files = [
      ...document.assets.map((a) => a.filename),
      ...extraFiles.map((f) => f.filename),
      document.files.json,
      document.files.html,
    ];
    const urls = await this.#bucket.urls(files.map(keyOf), prepared);
    const urlOf = (file: string) => urls.get(keyOf(file)) as string;

    const images = usableAssets(document);
    const actions = new Map<string, 'uploaded' | 'skipped'>();
    await forEachLimited(
      images,
      this.#concurrency,
      async (asset) => {
        const action = await this.#bucket.upload(
          {
            galleryId: document.galleryId,
            file: asset.filename,
            key: keyOf(asset.filename),
            sha256: asset.sha256 as string,
            bytes: asset.bytes as number,
            contentType: 'image/png',
            cacheControl: CACHE_CONTROL.image,
            load: () => readAssetBytes(options.outputRoot, asset),
          },
          progress,
          signal,
        );
        actions.set(asset.filename, action);
      },
      signal,
    );
    const extra: GalleryPublishResult['extra'] = [];
    await forEachLimited(
      extraFiles,
      this.#concurrency,
      async (file) => {
        const action = await this.#bucket.upload(
          {
            galleryId: document.galleryId,
            file: file.filename,
            key: keyOf(file.filename),
            sha256: file.sha256,
            bytes: file.bytes,
            contentType: file.contentType,
            cacheControl: CACHE_CONTROL.image,
            load: () => readExtraFile(options.outputRoot, file),
          },
          progress,
          signal,
        );
        extra.push({ filename: file.filename, url: urlOf(file.filename), uploaded: action === 'uploaded' });
      },
      signal,
    );

    const publishedUrl = urlOf(document.files.html);
    const published = GalleryDocumentSchema.parse({
      ...document,
      publishedUrl,
      assets: document.assets.map((a) => ({
        ...a,
        remoteUrl: actions.has(a.filename) ? urlOf(a.filename) : null,
      })),
    } satisfies GalleryDocument);
    // What goes public: the product, its copy and images — not the seeds, prompts and templates.
    const json = Buffer.from(`${JSON.stringify(publicGalleryDocument(published), null, 2)}\n`, 'utf8');
    const html = Buffer.from(
      renderGalleryHtml(published, {
        audience: 'public',
        urlFor: urlOf,
        ...(options.catalogHref === undefined ? {} : { catalogHref: options.catalogHref }),
      }),
      'utf8',
    );
    for (const [file, body, contentType] of [
      [document.files.json, json, 'application/json; charset=utf-8'],
      [document.files.html, html, 'text/html; charset=utf-8'],
    ] as const) {
      const action = await this.#bucket.upload(
        {
          galleryId: document.galleryId,
          file,
          key: keyOf(file),
          sha256: sha256Hex(body),
          bytes: body.byteLength,
          contentType,
          cacheControl: CACHE_CONTROL.page,
          load: async () => body,
        },
        progress,
        signal,
      );
      actions.set(file, action);
    }

    const uploaded =
      [...actions.values()].filter((a) => a === 'uploaded').length + extra.filter((e) => e.uploaded).length;
    return {
      galleryId: document.galleryId,
      productId: document.product.id,
      url: publishedUrl,
      jsonUrl: urlOf(document.files.json),
      access: prepared.access,
      uploaded,
      skipped: actions.size + extra.length - uploaded,
      expiresAt: this.#bucket.expiresAt(prepared),
      indexUrl: options.catalogHref ?? null,
      extra,
      assets: images.map((a) => ({
        kind: a.kind,
        idx: a.idx,
        filename: a.filename,
        key: keyOf(a.filename),
        url: urlOf(a.filename),
        sha256: a.sha256 as string,
        bytes: a.bytes as number,
        uploaded: actions.get(a.filename) === 'uploaded',
      })),
      document: published,
    };
  }
}

/** Publishes one gallery with a publisher made for the call. */
export async function publishGallery(
  options: PublishGalleryOptions & GalleryPublisherOptions,
): Promise<GalleryPublishResult> {
  const publisher = new GalleryPublisher(options);
  try {
    return await publisher.publishGallery(options);
  } finally {
    publisher.close();
  }
}

/** Publishes every gallery of the catalog and its index with a publisher made for the call. */
export async function publishCatalog(
  options: PublishCatalogOptions & GalleryPublisherOptions,
): Promise<CatalogPublishResult> {
  const publisher = new GalleryPublisher(options);
  try {
    return await publisher.publishCatalog(options);
  } finally {
    publisher.close();
  }
}

function galleryFileCount(document: GalleryDocument): number {
  return usableAssets(document).length + 2;
}
