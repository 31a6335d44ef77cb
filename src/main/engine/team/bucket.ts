// The team's images in its S3/MinIO bucket: a worker uploads what it rendered, the sender downloads it
// into its gallery. Keys are the bytes' SHA-256 (`team/images/<sha>.png`), so uploading the same image
// twice (a worker that died after the upload, before it told the queue) changes nothing, and a key
// can never point at other bytes than its name says.
import { createHash } from 'node:crypto';
import { ShowcaseError } from '../../../shared/index.ts';
import { Bucket, type S3Settings } from '../publish/index.ts';

export const TEAM_PREFIX = 'team/images/';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class TeamBucket {
  private readonly bucket: Bucket;

  constructor(settings: S3Settings, options: { timeoutMs?: number; concurrency?: number } = {}) {
    this.bucket = new Bucket({
      settings,
      concurrency: options.concurrency ?? 4,
      timeoutMs: options.timeoutMs ?? 30_000,
      now: () => new Date(),
    });
  }

  /** Uploads PNG bytes under their content key (a HEAD first: an object already there is kept). */
  async put(bytes: Buffer, signal?: AbortSignal): Promise<{ key: string; sha256: string }> {
    const sha256 = sha256Hex(bytes);
    const key = `${TEAM_PREFIX}${sha256}.png`;
    await this.bucket.ensure();
    await this.bucket.upload(
      {
        galleryId: null,
        file: `${sha256}.png`,
        key,
        sha256,
        bytes: bytes.byteLength,
        contentType: 'image/png',
        cacheControl: 'private, max-age=31536000, immutable',
        load: async () => bytes,
      },
      this.bucket.progress(undefined, 1),
      signal,
    );
    return { key, sha256 };
  }

  /** Downloads an image and checks it is the bytes its key (and the worker's report) names. */
  async get(key: string, sha256: string, signal?: AbortSignal): Promise<Buffer> {
    const bytes = await this.bucket.download(key, signal);
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      throw new ShowcaseError(
        'publish_error',
        `The team bucket returned other bytes for ${key} (sha256 ${actual.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…)`,
        { retryable: true },
      );
    }
    return bytes;
  }

  close(): void {
    this.bucket.close();
  }
}
