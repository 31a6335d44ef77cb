// The bucket side of a publish: one minio client over kept-alive sockets, the bucket made on first use,
// how its objects are read (a public-read policy, ACLs or presigned links), HEAD-then-PUT uploads that
// skip unchanged objects, and S3 errors turned into ShowcaseErrors. The publisher decides what goes up.
import http from 'node:http';
import https from 'node:https';
import type { Client } from 'minio';
import { ShowcaseError } from '../../../shared/index.ts';
import { type BucketPolicy, parsePolicy, withPublicRead } from './bucket-policy.ts';
import { expiresAt, signingWindowStart, timedTransport } from './bucket-support.ts';
import { Semaphore } from './concurrency.ts';
import { staticPrefix } from './prefixes.ts';
import { AUTH_ERROR_CODES, errorCode, isNetworkError, toS3Error } from './s3-errors.ts';
import { type S3Endpoint, type S3Settings, s3Endpoint } from './settings.ts';

export { signingWindowStart } from './bucket-support.ts';

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

export type PublishAccess = 'public' | 'presigned';

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

export interface UploadSpec {
  galleryId: string | null;
  file: string;
  key: string;
  sha256: string;
  bytes: number;
  contentType: string;
  cacheControl: string;
  load: () => Promise<Buffer>;
}

export interface Progress {
  done: number;
  total: number;
  emit: (p: PublishProgress) => void;
}

export interface Prepared {
  access: PublishAccess;
  /** The start of the current signing window (presigned access only). */
  signedAt: Date | null;
}

export interface BucketOptions {
  settings: S3Settings;
  /** Requests in flight at once, shared by every upload through this bucket. */
  concurrency: number;
  timeoutMs: number;
  now: () => Date;
}

export class Bucket {
  readonly #settings: S3Settings;
  readonly #endpoint: S3Endpoint;
  readonly #agent: http.Agent;
  readonly #clientOptions: ConstructorParameters<typeof Client>[0];
  #clientReady: Promise<Client> | null = null;
  readonly #semaphore: Semaphore;
  readonly #now: () => Date;
  #bucketReady: Promise<void> | null = null;
  readonly #access = new Map<string, Promise<PublishAccess>>();

  constructor(options: BucketOptions) {
    this.#settings = options.settings;
    this.#endpoint = s3Endpoint(this.#settings);
    this.#semaphore = new Semaphore(options.concurrency);
    this.#now = options.now;
    const Agent = this.#endpoint.useSSL ? https.Agent : http.Agent;
    this.#agent = new Agent({ keepAlive: true, maxSockets: options.concurrency + 2 });
    this.#clientOptions = {
      endPoint: this.#endpoint.host,
      port: this.#endpoint.port,
      useSSL: this.#endpoint.useSSL,
      accessKey: this.#settings.accessKey,
      secretKey: this.#settings.secretKey,
      region: this.#settings.region,
      pathStyle: true,
      partSize: PART_SIZE,
      transport: timedTransport(this.#endpoint.useSSL, options.timeoutMs),
      transportAgent: this.#agent,
    };
  }

  /** The minio client, made on first use: loading minio cost every engine start ~150 ms. */
  #client(): Promise<Client> {
    this.#clientReady ??= import('minio').then(({ Client }) => new Client(this.#clientOptions));
    return this.#clientReady;
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }

  /** When links signed in `prepared`'s window stop working; null for public access. */
  expiresAt(prepared: Prepared): string | null {
    return expiresAt(prepared, this.#settings);
  }

  /** HEAD the object; PUT it only when the bucket does not already hold these exact bytes. */
  async upload(spec: UploadSpec, progress: Progress, signal?: AbortSignal): Promise<'uploaded' | 'skipped'> {
    const action = await this.#semaphore.run(async () => {
      signal?.throwIfAborted();
      let current: Awaited<ReturnType<Client['statObject']>> | null = null;
      try {
        current = await (await this.#client()).statObject(this.#settings.bucket, spec.key);
      } catch (err) {
        const code = errorCode(err);
        if (code !== 'NotFound' && code !== 'NoSuchKey') throw this.error(err, `check ${spec.key}`);
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
        await (await this.#client()).putObject(this.#settings.bucket, spec.key, body, body.byteLength, {
          'Content-Type': spec.contentType,
          'Cache-Control': spec.cacheControl,
          'x-amz-meta-sha256': spec.sha256,
          // `acl` access: each object is readable by anyone (servers without bucket policies).
          ...(this.#settings.access === 'acl' ? { 'x-amz-acl': 'public-read' } : {}),
        });
      } catch (err) {
        throw this.error(err, `upload ${spec.key}`);
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

  /** Makes sure the bucket exists (created on first use), without deciding how objects are read. */
  async ensure(): Promise<void> {
    this.#bucketReady ??= this.#ensureBucket().catch((err: unknown) => {
      this.#bucketReady = null;
      throw err;
    });
    await this.#bucketReady;
  }

  /** Reads a whole object (the team's rendered images are a few MB at most). */
  async download(key: string, signal?: AbortSignal): Promise<Buffer> {
    return this.#semaphore.run(async () => {
      signal?.throwIfAborted();
      try {
        const stream = await (await this.#client()).getObject(this.#settings.bucket, key);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        return Buffer.concat(chunks);
      } catch (err) {
        throw this.error(err, `download ${key}`);
      }
    });
  }

  /** Makes sure the bucket exists and works out how the objects under `resources` are read. */
  async prepare(resources: string[]): Promise<Prepared> {
    await this.ensure();
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
      exists = await (await this.#client()).bucketExists(bucket);
    } catch (err) {
      if (errorCode(err) === 'AccessDenied') await this.#explainDenied();
      throw this.error(err, 'check the bucket');
    }
    if (exists) return;
    try {
      await (await this.#client()).makeBucket(bucket, region);
    } catch (err) {
      const code = errorCode(err);
      // Someone (another publish) created it in between: fine.
      if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') {
        if (await (await this.#client()).bucketExists(bucket).catch(() => false)) return;
      }
      throw this.error(err, 'create the bucket');
    }
  }

  /**
   * A HEAD reply has no body, so a 403 there cannot tell wrong credentials from a key without rights on
   * this bucket. Listing the buckets answers with an error document that names the reason.
   */
  async #explainDenied(): Promise<void> {
    try {
      await (await this.#client()).listBuckets();
    } catch (probe) {
      const code = errorCode(probe);
      if ((code !== null && AUTH_ERROR_CODES.has(code)) || isNetworkError(probe)) {
        throw this.error(probe, 'check the bucket');
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
      policy = parsePolicy(await (await this.#client()).getBucketPolicy(bucket));
      if (policy === null) return this.#fallback('the bucket policy is not readable JSON'); // never overwrite it
    } catch (err) {
      const code = errorCode(err);
      if (isNetworkError(err) || (code !== null && AUTH_ERROR_CODES.has(code))) {
        throw this.error(err, 'read the bucket policy');
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
      await (await this.#client()).setBucketPolicy(bucket, JSON.stringify(next));
      return 'public';
    } catch (err) {
      const code = errorCode(err);
      // `policy` access was asked for explicitly: say so rather than fall back to expiring links.
      if (
        isNetworkError(err) ||
        (code !== null && AUTH_ERROR_CODES.has(code)) ||
        this.#settings.access === 'policy'
      ) {
        throw this.error(err, 'set the bucket policy');
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

  async urls(keys: readonly string[], prepared: Prepared): Promise<Map<string, string>> {
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
          await (await this.#client()).presignedGetObject(
            this.#settings.bucket,
            key,
            this.#settings.presignSeconds,
            {},
            prepared.signedAt ?? this.#now(),
          ),
        );
      } catch (err) {
        throw this.error(err, `sign a link for ${key}`);
      }
    }
    return urls;
  }

  prefixResource(template: string): string {
    return this.resource(`${staticPrefix(template)}*`);
  }

  resource(key: string): string {
    return `arn:aws:s3:::${this.#settings.bucket}/${key}`;
  }

  progress(onProgress: ((p: PublishProgress) => void) | undefined, total: number): Progress {
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

  error(err: unknown, operation: string): ShowcaseError {
    return toS3Error(err, {
      operation,
      endpoint: this.#endpoint.origin,
      bucket: this.#settings.bucket,
      accessKey: this.#settings.accessKey,
    });
  }

  async guard<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
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
      throw err instanceof ShowcaseError ? err : this.error(err, 'publish');
    }
  }
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
