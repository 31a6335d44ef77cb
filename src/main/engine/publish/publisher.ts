// GalleryPublisher: uploads a composed gallery (its PNGs, then `product_{id}.json` and
// `product_{id}.html` re-rendered with public URLs) to an S3-compatible bucket under `products/{id}/`,
// and the catalog `index.html`/`index.json` next to them.
//
// Re-publishing is cheap and resumable: every object carries its sha256 in `x-amz-meta-sha256`, and an
// object whose hash, size, content type and cache policy already match is skipped (one HEAD request,
// the local file is not even read). A publish cut off half-way is finished by running it again.
// The page and the document go up last, so a page never links to an image that is not there yet.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Client } from 'minio';
import type { z } from 'zod';
import { type PublishResultSchema, ShowcaseError } from '../../../shared/index.ts';
import {
  CatalogIndexSchema,
  cardImage,
  type GalleryDocument,
  GalleryDocumentSchema,
  publishedPath,
  readGalleryDocument,
  renderGalleryHtml,
  resolveInside,
} from '../showcase/index.ts';
import {
  type GalleryAsset,
  type GallerySource,
  loadGalleryDocument,
  readAssetBytes,
  readExtraFile,
  sha256Hex,
  usableAssets,
} from './assets.ts';
import { type BucketPolicy, parsePolicy, withPublicRead } from './bucket-policy.ts';
import { composePublicCatalog } from './catalog-page.ts';
import { forEachLimited, Semaphore } from './concurrency.ts';
import { publicGalleryDocument } from './public-document.ts';
import { AUTH_ERROR_CODES, errorCode, isNetworkError, toS3Error } from './s3-errors.ts';
import {
  parseS3Settings,
  type S3Endpoint,
  type S3Settings,
  type S3SettingsInput,
  s3Endpoint,
} from './settings.ts';

export const DEFAULT_PREFIX = 'products/{id}/';
export const DEFAULT_CONCURRENCY = 4;

/**
 * Cache policies. Image names are stable per slot (`product_{id}_hero.png` is overwritten when the
 * hero is regenerated), not content-addressed, so they must not be `immutable`: a day lets browsers
 * and CDNs absorb repeat views while a regenerated image still shows up within a day. Pages and
 * documents change on every copy edit or re-publish and carry the links, so they live five minutes.
 */
export const CACHE_CONTROL = {
  image: 'public, max-age=86400',
  page: 'public, max-age=300',
} as const;

/**
 * Above this size minio switches to multipart uploads. Gallery files are far smaller, and a single PUT
 * is one request that either lands whole or not at all (s3rver cannot do multipart, real S3 can).
 */
export const PART_SIZE = 64 * 1024 * 1024;

/** A request whose socket stays silent this long is abandoned (the client has no timeout of its own). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export { POLICY_SID } from './bucket-policy.ts';

export type PublishAccess = 'public' | 'presigned';
export type PublishResult = z.infer<typeof PublishResultSchema>;

export interface PublishProgress {
  /** The gallery the file belongs to; null for the catalog index files. */
  galleryId: string | null;
  /** The local file name. */
  file: string;
  /** The object key in the bucket. */
  key: string;
  action: 'uploaded' | 'skipped';
  bytes: number;
  /** Files finished so far in this call, and how many it handles in all. */
  done: number;
  total: number;
}

export interface PublishedAsset {
  kind: GalleryAsset['kind'];
  idx: number;
  filename: string;
  key: string;
  /** The URL to store on the asset row (`remoteUrl`). */
  url: string;
  sha256: string;
  bytes: number;
  /** False when the bucket already held this exact file. */
  uploaded: boolean;
}

/** A file published beside the gallery's images (a channel variant), keyed under the same prefix. */
export interface ExtraFile {
  /** Path relative to the output root, also the key under the gallery's prefix. */
  filename: string;
  sha256: string;
  bytes: number;
  contentType: string;
}

export interface GalleryPublishResult extends PublishResult {
  productId: string;
  /** `url` is the page; this is the JSON document next to it. */
  jsonUrl: string;
  /** When the presigned links stop working; null for public access. */
  expiresAt: string | null;
  /** One per finished image; failed slots are not published. */
  assets: PublishedAsset[];
  /** The document as published: assets carry `remoteUrl`, the gallery its `publishedUrl`. */
  document: GalleryDocument;
  /** The extra files (channel variants) and their URLs. */
  extra: Array<{ filename: string; url: string; uploaded: boolean }>;
}

export interface CatalogPublishResult {
  /** The catalog page. */
  url: string;
  jsonUrl: string;
  access: PublishAccess;
  /** Totals over every gallery and the two index files. */
  uploaded: number;
  skipped: number;
  expiresAt: string | null;
  galleries: GalleryPublishResult[];
}

export interface GalleryPublisherOptions {
  /** `Settings['s3']`; parsed here (a missing or invalid one raises `invalid_input`). */
  s3: S3SettingsInput | null | undefined;
  /** Requests in flight at once (default 4), shared by every gallery of a catalog publish. */
  concurrency?: number;
  requestTimeoutMs?: number;
  /** The clock for presigned links (tests pin it). */
  now?: () => Date;
}

export interface PublishCommonOptions {
  outputRoot: string;
  /** Key prefix per gallery; `{id}` becomes the product id. Default `products/{id}/`. */
  prefix?: string;
  onProgress?: (progress: PublishProgress) => void;
  signal?: AbortSignal;
}

export interface PublishGalleryOptions extends PublishCommonOptions, GallerySource {
  /** A link from the page back to the catalog (publishCatalog passes the catalog's URL). */
  catalogHref?: string;
  /** Channel variants and other files to publish with the gallery. */
  extraFiles?: readonly ExtraFile[];
}

export interface PublishCatalogOptions extends PublishCommonOptions {
  /** The galleries to publish; default: those listed in `outputRoot/index.json`. */
  documents?: readonly GalleryDocument[];
  /** Where `index.html`/`index.json` go; default: the fixed part of `prefix` (`products/`). */
  catalogPrefix?: string;
  /** The catalog page's title; default: the local index's title. */
  title?: string;
}

interface UploadSpec {
  galleryId: string | null;
  file: string;
  key: string;
  sha256: string;
  bytes: number;
  contentType: string;
  cacheControl: string;
  load: () => Promise<Buffer>;
}

interface Progress {
  done: number;
  total: number;
  emit: (p: PublishProgress) => void;
}

interface Prepared {
  access: PublishAccess;
  /** The start of the current signing window (presigned access only). */
  signedAt: Date | null;
}

export class GalleryPublisher {
  readonly #settings: S3Settings;
  readonly #endpoint: S3Endpoint;
  readonly #agent: http.Agent;
  readonly #client: Client;
  readonly #semaphore: Semaphore;
  readonly #concurrency: number;
  readonly #now: () => Date;
  #bucketReady: Promise<void> | null = null;
  readonly #access = new Map<string, Promise<PublishAccess>>();

  constructor(options: GalleryPublisherOptions) {
    this.#settings = parseS3Settings(options.s3);
    this.#endpoint = s3Endpoint(this.#settings);
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.#semaphore = new Semaphore(this.#concurrency);
    this.#now = options.now ?? (() => new Date());
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const Agent = this.#endpoint.useSSL ? https.Agent : http.Agent;
    this.#agent = new Agent({ keepAlive: true, maxSockets: this.#concurrency + 2 });
    this.#client = new Client({
      endPoint: this.#endpoint.host,
      port: this.#endpoint.port,
      useSSL: this.#endpoint.useSSL,
      accessKey: this.#settings.accessKey,
      secretKey: this.#settings.secretKey,
      region: this.#settings.region,
      pathStyle: true,
      partSize: PART_SIZE,
      transport: timedTransport(this.#endpoint.useSSL, timeoutMs),
      transportAgent: this.#agent,
    });
  }

  /** Closes the kept-alive sockets; call it when done with the publisher. */
  close(): void {
    this.#agent.destroy();
  }

  async publishGallery(options: PublishGalleryOptions): Promise<GalleryPublishResult> {
    return this.#guard(options.signal, async () => {
      const document = await loadGalleryDocument(options);
      const template = options.prefix ?? DEFAULT_PREFIX;
      const prepared = await this.#prepare([this.#prefixResource(template)]);
      const extraFiles = options.extraFiles ?? [];
      const progress = this.#progress(options.onProgress, galleryFileCount(document) + extraFiles.length);
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
    return this.#guard(options.signal, async () => {
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
      const catalogPrefix = normalisePrefix(options.catalogPrefix ?? staticPrefix(template), 'catalogPrefix');
      const indexKeys = { html: `${catalogPrefix}index.html`, json: `${catalogPrefix}index.json` };
      const underGalleries = catalogPrefix.startsWith(staticPrefix(template));
      const prepared = await this.#prepare([
        this.#prefixResource(template),
        ...(underGalleries ? [] : [indexKeys.html, indexKeys.json].map((k) => this.#resource(k))),
      ]);
      const indexUrls = await this.#urls([indexKeys.html, indexKeys.json], prepared);
      const indexHtmlUrl = indexUrls.get(indexKeys.html) as string;
      const progress = this.#progress(
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
      let { uploaded, skipped } = await this.#uploadIndex({
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
        expiresAt: expiresAt(prepared, this.#settings),
        galleries,
      };
    });
  }

  /** The URL the catalog page has (or will have) in this bucket: what gallery pages link back to. */
  async catalogUrl(options: { prefix?: string; catalogPrefix?: string } = {}): Promise<string> {
    const { indexKeys, prepared } = await this.#prepareIndex(options);
    return (await this.#urls([indexKeys.html], prepared)).get(indexKeys.html) as string;
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
    return this.#guard(options.signal, async () => {
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
      const urls = await this.#urls([indexKeys.html, indexKeys.json, ...keyed.map((k) => k.key)], prepared);
      const urlByFile = new Map(keyed.map((k) => [k.file, urls.get(k.key) as string]));
      const counts = await this.#uploadIndex({
        documents,
        urlByFile,
        title: options.title ?? 'Product showcase',
        indexKeys,
        progress: this.#progress(options.onProgress, 2),
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
    const prepared = await this.#prepare([
      this.#prefixResource(template),
      ...(underGalleries ? [] : [indexKeys.html, indexKeys.json].map((k) => this.#resource(k))),
    ]);
    return { indexKeys, prepared };
  }

  /** Composes the public catalog page over `documents` and uploads it with `index.json`. */
  async #uploadIndex(options: {
    documents: readonly GalleryDocument[];
    urlByFile: ReadonlyMap<string, string>;
    title: string;
    indexKeys: { html: string; json: string };
    progress: Progress;
    signal?: AbortSignal;
  }): Promise<{ uploaded: number; skipped: number }> {
    const files = await composePublicCatalog(options.documents, options.urlByFile, options.title);
    let uploaded = 0;
    let skipped = 0;
    for (const kind of ['json', 'html'] as const) {
      const body = files[kind];
      const action = await this.#upload(
        {
          galleryId: null,
          file: kind === 'html' ? 'index.html' : 'index.json',
          key: options.indexKeys[kind],
          sha256: sha256Hex(body),
          bytes: body.byteLength,
          contentType: kind === 'html' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
          cacheControl: CACHE_CONTROL.page,
          load: async () => body,
        },
        options.progress,
        options.signal,
      );
      if (action === 'uploaded') uploaded++;
      else skipped++;
    }
    return { uploaded, skipped };
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
    const urls = await this.#urls(files.map(keyOf), prepared);
    const urlOf = (file: string) => urls.get(keyOf(file)) as string;

    const images = usableAssets(document);
    const actions = new Map<string, 'uploaded' | 'skipped'>();
    await forEachLimited(
      images,
      this.#concurrency,
      async (asset) => {
        const action = await this.#upload(
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
        const action = await this.#upload(
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
      const action = await this.#upload(
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
      expiresAt: expiresAt(prepared, this.#settings),
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

  /** HEAD the object; PUT it only when the bucket does not already hold these exact bytes. */
  async #upload(spec: UploadSpec, progress: Progress, signal?: AbortSignal): Promise<'uploaded' | 'skipped'> {
    const action = await this.#semaphore.run(async () => {
      signal?.throwIfAborted();
      let current: Awaited<ReturnType<Client['statObject']>> | null = null;
      try {
        current = await this.#client.statObject(this.#settings.bucket, spec.key);
      } catch (err) {
        const code = errorCode(err);
        if (code !== 'NotFound' && code !== 'NoSuchKey') throw this.#error(err, `check ${spec.key}`);
      }
      const meta = current?.metaData ?? {};
      if (
        current !== null &&
        current.size === spec.bytes &&
        meta.sha256 === spec.sha256 &&
        meta['content-type'] === spec.contentType &&
        meta['cache-control'] === spec.cacheControl
      ) {
        return 'skipped' as const;
      }
      const body = await spec.load();
      signal?.throwIfAborted();
      try {
        await this.#client.putObject(this.#settings.bucket, spec.key, body, body.byteLength, {
          'Content-Type': spec.contentType,
          'Cache-Control': spec.cacheControl,
          'x-amz-meta-sha256': spec.sha256,
          // `acl` access: each object is readable by anyone (servers without bucket policies).
          ...(this.#settings.access === 'acl' ? { 'x-amz-acl': 'public-read' } : {}),
        });
      } catch (err) {
        throw this.#error(err, `upload ${spec.key}`);
      }
      return 'uploaded' as const;
    });
    progress.done++;
    progress.emit({
      galleryId: spec.galleryId,
      file: spec.file,
      key: spec.key,
      action,
      bytes: spec.bytes,
      done: progress.done,
      total: progress.total,
    });
    return action;
  }

  /** Makes sure the bucket exists and works out how the objects under `resources` are read. */
  async #prepare(resources: string[]): Promise<Prepared> {
    this.#bucketReady ??= this.#ensureBucket().catch((err: unknown) => {
      this.#bucketReady = null; // let the next publish try again
      throw err;
    });
    await this.#bucketReady;
    const cacheKey = [...resources].sort().join('\n');
    let access = this.#access.get(cacheKey);
    if (access === undefined) {
      access = this.#resolveAccess(resources).catch((err: unknown) => {
        this.#access.delete(cacheKey);
        throw err;
      });
      this.#access.set(cacheKey, access);
    }
    const mode = await access;
    return {
      access: mode,
      signedAt: mode === 'presigned' ? signingWindowStart(this.#now(), this.#settings) : null,
    };
  }

  async #ensureBucket(): Promise<void> {
    const { bucket, region } = this.#settings;
    let exists: boolean;
    try {
      exists = await this.#client.bucketExists(bucket);
    } catch (err) {
      if (errorCode(err) === 'AccessDenied') await this.#explainDenied();
      throw this.#error(err, 'check the bucket');
    }
    if (exists) return;
    try {
      await this.#client.makeBucket(bucket, region);
    } catch (err) {
      const code = errorCode(err);
      // Someone (another publish) created it in between: fine.
      if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') {
        if (await this.#client.bucketExists(bucket).catch(() => false)) return;
      }
      throw this.#error(err, 'create the bucket');
    }
  }

  /**
   * A HEAD reply has no body, so a 403 there cannot tell wrong credentials from a key without rights on
   * this bucket. Listing the buckets answers with an error document that names the reason.
   */
  async #explainDenied(): Promise<void> {
    try {
      await this.#client.listBuckets();
    } catch (probe) {
      const code = errorCode(probe);
      if ((code !== null && AUTH_ERROR_CODES.has(code)) || isNetworkError(probe)) {
        throw this.#error(probe, 'check the bucket');
      }
    }
  }

  /**
   * `public` when a publicBaseUrl is configured (the operator says the objects are served publicly:
   * a CDN, a custom domain, R2's public bucket URL — the bucket policy is then left alone) or when a
   * public-read statement for the prefix is in the bucket policy or could be added to it. Otherwise
   * (the server has no bucket policies, Block Public Access is on, the key may not change the policy)
   * the links are presigned.
   */
  async #resolveAccess(resources: string[]): Promise<PublishAccess> {
    if (this.#settings.access === 'presigned') return 'presigned';
    if (this.#settings.publicBaseUrl !== null || this.#settings.access === 'acl') return 'public';
    const { bucket } = this.#settings;
    let policy: BucketPolicy | null = null;
    try {
      policy = parsePolicy(await this.#client.getBucketPolicy(bucket));
      if (policy === null) return this.#fallback('the bucket policy is not readable JSON'); // never overwrite it
    } catch (err) {
      const code = errorCode(err);
      if (isNetworkError(err) || (code !== null && AUTH_ERROR_CODES.has(code))) {
        throw this.#error(err, 'read the bucket policy');
      }
      // No policy yet, or a server without bucket policies (s3rver answers 405/501): nothing to keep.
      // Any other refusal: we could not see the policy, so we must not replace it.
      if (code !== 'NoSuchBucketPolicy' && code !== 'NotImplemented' && code !== 'MethodNotAllowed') {
        return this.#fallback(`the bucket policy could not be read (${code ?? 'error'})`);
      }
    }
    const next = withPublicRead(policy, resources);
    if (next === null) return 'public';
    try {
      await this.#client.setBucketPolicy(bucket, JSON.stringify(next));
      return 'public';
    } catch (err) {
      const code = errorCode(err);
      // `policy` access was asked for explicitly: say so rather than fall back to expiring links.
      if (
        isNetworkError(err) ||
        (code !== null && AUTH_ERROR_CODES.has(code)) ||
        this.#settings.access === 'policy'
      ) {
        throw this.#error(err, 'set the bucket policy');
      }
      return 'presigned';
    }
  }

  /** `auto` falls back to presigned links; `policy` was asked for explicitly and refuses to. */
  #fallback(why: string): PublishAccess {
    if (this.#settings.access !== 'policy') return 'presigned';
    throw new ShowcaseError('publish_error', `Cannot make the bucket public with a bucket policy: ${why}`, {
      hint: 'Use access "acl" (public-read objects), a public base URL, or "auto" to accept presigned links.',
      details: { bucket: this.#settings.bucket },
    });
  }

  async #urls(keys: readonly string[], prepared: Prepared): Promise<Map<string, string>> {
    const urls = new Map<string, string>();
    if (prepared.access === 'public') {
      const base = (
        this.#settings.publicBaseUrl ?? `${this.#endpoint.origin}/${this.#settings.bucket}`
      ).replace(/\/+$/, '');
      for (const key of keys) urls.set(key, `${base}/${encodeKey(key)}`);
      return urls;
    }
    for (const key of keys) {
      try {
        urls.set(
          key,
          await this.#client.presignedGetObject(
            this.#settings.bucket,
            key,
            this.#settings.presignSeconds,
            {},
            prepared.signedAt ?? this.#now(),
          ),
        );
      } catch (err) {
        throw this.#error(err, `sign a link for ${key}`);
      }
    }
    return urls;
  }

  #prefixResource(template: string): string {
    return this.#resource(`${staticPrefix(template)}*`);
  }

  #resource(key: string): string {
    return `arn:aws:s3:::${this.#settings.bucket}/${key}`;
  }

  #progress(onProgress: ((p: PublishProgress) => void) | undefined, total: number): Progress {
    return {
      done: 0,
      total,
      emit: (p) => {
        // A throwing listener must not break the upload bookkeeping.
        try {
          onProgress?.(p);
        } catch {}
      },
    };
  }

  #error(err: unknown, operation: string): ShowcaseError {
    return toS3Error(err, {
      operation,
      endpoint: this.#endpoint.origin,
      bucket: this.#settings.bucket,
      accessKey: this.#settings.accessKey,
    });
  }

  async #guard<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      signal?.throwIfAborted();
      return await run();
    } catch (err) {
      if (signal?.aborted) {
        throw new ShowcaseError('interrupted', 'Publishing was cancelled', {
          hint: 'Publish again to continue; files already uploaded are skipped.',
          retryable: true,
          cause: err,
        });
      }
      throw err instanceof ShowcaseError ? err : this.#error(err, 'publish');
    }
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

// ——— helpers ———

function galleryFileCount(document: GalleryDocument): number {
  return usableAssets(document).length + 2;
}

const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Checks a key prefix: relative, `/`-separated safe segments, no `.`/`..`; adds the trailing `/`. */
export function normalisePrefix(prefix: string, field = 'prefix'): string {
  if (prefix === '') return '';
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const segments = trimmed.split('/');
  for (const s of segments) {
    if (!PREFIX_SEGMENT.test(s) || s === '.' || s === '..') {
      throw new ShowcaseError(
        'invalid_input',
        `Invalid ${field} "${prefix}": use "/"-separated names of letters, digits, ".", "_" and "-"`,
        { details: { field } },
      );
    }
  }
  return `${trimmed}/`;
}

/** `products/{id}/` for product `mug` → `products/mug/`. */
export function resolvePrefix(template: string, productId: string): string {
  return normalisePrefix(template.replaceAll('{id}', productId));
}

/** The part of a prefix template before `{id}`: what every gallery's keys share (`products/`). */
export function staticPrefix(template: string): string {
  const cut = template.indexOf('{id}');
  const head = cut === -1 ? template : template.slice(0, cut);
  const dir = head.slice(0, head.lastIndexOf('/') + 1);
  return dir === '' ? '' : normalisePrefix(dir);
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * Presigned links are signed at the start of the current window (a quarter of their lifetime, at most
 * a day). Every publish inside one window produces the same links, so an unchanged gallery re-publishes
 * byte-identical pages and skips them, and a link handed out stays valid for at least three quarters
 * of `presignSeconds`.
 */
export function signingWindowStart(now: Date, settings: Pick<S3Settings, 'presignSeconds'>): Date {
  const windowMs = Math.min(86_400, Math.floor(settings.presignSeconds / 4)) * 1000;
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

function expiresAt(prepared: Prepared, settings: S3Settings): string | null {
  if (prepared.signedAt === null) return null;
  return new Date(prepared.signedAt.getTime() + settings.presignSeconds * 1000).toISOString();
}

/** http(s).request with an idle timeout: minio has none, and a silent server would hang a publish. */
function timedTransport(useSSL: boolean, timeoutMs: number): Pick<typeof http, 'request'> {
  const send = useSSL ? https.request : http.request;
  const request = (options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) => {
    const req = send(options, callback);
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    return req;
  };
  return { request: request as typeof http.request };
}

async function readLocalCatalog(
  outputRoot: string,
): Promise<{ title: string; documents: GalleryDocument[] }> {
  const path = resolveInside(outputRoot, 'index.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShowcaseError(
      code === 'ENOENT' ? 'not_found' : 'invalid_input',
      code === 'ENOENT' ? `No catalog index at ${path}` : `Cannot read the catalog index ${path}`,
      {
        hint: 'Compose the catalog first, or pass the gallery documents to publish.',
        details: { path },
        cause: err,
      },
    );
  }
  const parsed = CatalogIndexSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ShowcaseError('invalid_input', `The catalog index ${path} is not valid`, {
      hint: 'Compose the catalog again.',
      details: { path, fields: parsed.error.issues.map((i) => i.path.map(String).join('.')) },
    });
  }
  const documents: GalleryDocument[] = [];
  for (const entry of parsed.data.products) {
    documents.push(await readGalleryDocument(resolveInside(outputRoot, entry.json)));
  }
  return { title: parsed.data.title, documents };
}
