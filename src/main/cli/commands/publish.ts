import { join } from 'node:path';
// `showcase publish` and `showcase email`.
import { type SettingsPatch, ShowcaseError } from '../../../shared/index.ts';
import { latestFinishedGalleries } from '../../engine/channels/index.ts';
import { Engine } from '../../engine/engine.ts';

export interface PublishOptions {
  all?: boolean;
  db?: string;
  out: string;
  endpoint?: string;
  bucket?: string;
  accessKey?: string;
  secretKey?: string;
  publicBaseUrl?: string;
  access?: 'auto' | 'policy' | 'acl' | 'presigned';
  json?: boolean;
}

function s3Overrides(opts: PublishOptions): SettingsPatch {
  const endpoint = opts.endpoint ?? process.env.SHOWCASE_S3_ENDPOINT;
  const bucket = opts.bucket ?? process.env.SHOWCASE_S3_BUCKET;
  const accessKey = opts.accessKey ?? process.env.SHOWCASE_S3_ACCESS_KEY;
  const secretKey = opts.secretKey ?? process.env.SHOWCASE_S3_SECRET_KEY;
  if (!endpoint && !bucket && !accessKey && !secretKey) return {};
  if (!endpoint || !bucket || !accessKey || !secretKey) {
    throw new ShowcaseError(
      'invalid_input',
      'Give all of --endpoint, --bucket, --access-key and --secret-key (or their SHOWCASE_S3_* variables)',
      {
        details: {
          fields: ['endpoint', 'bucket', 'accessKey', 'secretKey'].filter(
            (f) => !{ endpoint, bucket, accessKey, secretKey }[f as 'endpoint'],
          ),
        },
      },
    );
  }
  return {
    s3: {
      endpoint,
      bucket,
      accessKey,
      secretKey,
      region: 'us-east-1',
      publicBaseUrl: opts.publicBaseUrl ?? null,
      presignSeconds: 604_800,
      ...(opts.access ? { access: opts.access } : {}),
    },
  };
}

/** "public link (does not expire)" or when a presigned link stops working and what to do about it. */
function accessLine(r: { access: 'public' | 'presigned'; expiresAt: string | null }): string {
  if (r.access === 'public') return 'public link (does not expire)';
  const days = r.expiresAt
    ? Math.max(0, Math.round((Date.parse(r.expiresAt) - Date.now()) / 86_400_000))
    : null;
  return `PRESIGNED link: stops working on ${r.expiresAt ?? '?'}${days === null ? '' : ` (in ${days} day${days === 1 ? '' : 's'})`}; for lasting links use --public-base-url, --access acl or a bucket policy`;
}

export async function publishCommand(galleryId: string | undefined, opts: PublishOptions): Promise<void> {
  if (!galleryId && !opts.all) throw new ShowcaseError('invalid_input', 'Name a gallery id or pass --all');
  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides: s3Overrides(opts),
  });
  try {
    // The newest finished gallery of each product (galleries are listed oldest first).
    const ids = opts.all
      ? latestFinishedGalleries(engine.store.galleries.list({ limit: 1_000_000 })).map((g) => g.id)
      : [galleryId ?? ''];
    if (ids.length === 0)
      throw new ShowcaseError('conflict', 'No finished gallery to publish', {
        hint: 'Run showcase generate (or demo) first',
      });
    const results = await engine.publish(ids, opts.json ? undefined : (line) => console.log(`  ${line}`));
    for (const r of results) {
      if (opts.json)
        console.log(
          JSON.stringify({
            galleryId: r.galleryId,
            url: r.url,
            access: r.access,
            uploaded: r.uploaded,
            skipped: r.skipped,
            expiresAt: r.expiresAt,
            indexUrl: r.indexUrl,
          }),
        );
      else {
        console.log(`${r.productId}: ${r.url}`);
        console.log(`  ${r.uploaded} uploaded, ${r.skipped} unchanged; ${accessLine(r)}`);
      }
    }
    const index = results[0]?.indexUrl;
    if (!opts.json) {
      if (index) console.log(`Catalog: ${index}`);
      else console.error('The catalog page was not published (see the messages above).');
    }
  } finally {
    await engine.close();
  }
}

export async function emailCommand(
  galleryId: string,
  opts: { to: string[]; smtp?: string; from?: string; db?: string; out: string },
): Promise<void> {
  const smtpUrl = opts.smtp ?? process.env.SHOWCASE_SMTP_URL;
  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    ...(smtpUrl
      ? {
          overrides: {
            smtp: { url: smtpUrl, from: opts.from ?? 'Product Showcase Studio <showcase@localhost>' },
          },
        }
      : {}),
  });
  try {
    const sent = await engine.email(galleryId, opts.to);
    console.log(`sent ${sent.messageId} to ${sent.accepted.join(', ')}`);
  } finally {
    await engine.close();
  }
}
