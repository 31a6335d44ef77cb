// GalleryPublisher against a real s3rver child process: uploads, metadata, links that really serve the
// bytes, skip-on-republish, resume after the server dies mid-publish, and the error mapping.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CACHE_CONTROL,
  GalleryPublisher,
  POLICY_SID,
  type PublishProgress,
  publicGalleryDocument,
  publishCatalog,
  publishGallery,
  signingWindowStart,
} from '../../../../src/main/engine/publish/index.ts';
import {
  CatalogIndexSchema,
  GalleryDocumentSchema,
  publishedPath,
} from '../../../../src/main/engine/showcase/index.ts';
import { PublishResultSchema, ShowcaseError } from '../../../../src/shared/index.ts';
import { type GalleryFixture, writeCatalogFixture, writeGalleryFixture } from '../../../fixtures/gallery.ts';
import { type S3Peer, startS3Peer } from '../../../fixtures/s3.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const NOW = new Date();
const now = () => NOW;

function clientFor(peer: S3Peer): Client {
  return new Client({
    endPoint: '127.0.0.1',
    port: peer.port,
    useSSL: false,
    accessKey: peer.accessKey,
    secretKey: peer.secretKey,
    region: 'us-east-1',
    pathStyle: true,
  });
}

async function getBytes(url: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** The src/href attribute values of a page, un-escaped. */
function linksIn(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => (m[1] as string).replaceAll('&amp;', '&'));
}

async function expectShowcaseError(promise: Promise<unknown>, code: string): Promise<ShowcaseError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShowcaseError);
  expect((err as ShowcaseError).code).toBe(code);
  return err as ShowcaseError;
}

interface PolicyEmulation {
  /** The bucket policy the relay holds (JSON text); null answers NoSuchBucketPolicy. */
  stored: string | null;
  /** Answer PUT ?policy with 403 AccessDenied, like S3 with Block Public Access on. */
  refusePut?: boolean;
  puts: number;
}

/**
 * A plain HTTP relay in front of s3rver. It holds each request `delayMs` and records the most
 * requests it ever had in flight (how the tests see the concurrency bound from outside), and with
 * `policy` it answers the bucket-policy calls itself — s3rver has none, real S3 and MinIO do — so the
 * publisher's public-read path can be exercised; every other request goes through to s3rver.
 */
async function startRelay(
  target: S3Peer,
  options: {
    delayMs?: number;
    policy?: PolicyEmulation;
    /** Requests answered 403 AccessDenied, like a key without rights on them. */
    deny?: (method: string, path: string) => boolean;
  } = {},
) {
  let inFlight = 0;
  let max = 0;
  const { policy } = options;
  const xmlError = (code: string, message: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  const server = http.createServer((req, res) => {
    inFlight++;
    max = Math.max(max, inFlight);
    // 'close' fires once the answer is handed to the socket, before the client can have read it.
    res.once('close', () => inFlight--);
    const url = new URL(req.url ?? '/', 'http://relay');
    if (options.deny?.(req.method ?? 'GET', url.pathname)) {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/xml' });
      // HEAD answers carry no body, as with real S3.
      res.end(req.method === 'HEAD' ? undefined : xmlError('AccessDenied', 'Access Denied'));
      return;
    }
    if (policy && url.searchParams.has('policy')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET' && policy.stored === null) {
          res.writeHead(404, { 'content-type': 'application/xml' });
          res.end(xmlError('NoSuchBucketPolicy', 'The bucket policy does not exist'));
        } else if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(policy.stored);
        } else if (policy.refusePut) {
          res.writeHead(403, { 'content-type': 'application/xml' });
          res.end(xmlError('AccessDenied', 'Access Denied'));
        } else {
          policy.puts++;
          policy.stored = Buffer.concat(chunks).toString('utf8');
          res.writeHead(204);
          res.end();
        }
      });
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    setTimeout(() => req.pipe(upstream), options.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    max: () => max,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let peer: S3Peer;
let gallery: GalleryFixture;

beforeAll(async () => {
  [peer, gallery] = await Promise.all([startS3Peer(), writeGalleryFixture()]);
});

afterAll(async () => {
  await peer?.dispose();
  await gallery?.cleanup();
});

describe('publishGallery', () => {
  it('creates the bucket, uploads every file with type, cache policy and sha, and falls back to presigned links', async () => {
    const s3 = peer.settings({ bucket: 'gallery-one' });
    const events: PublishProgress[] = [];
    const result = await publishGallery({
      s3,
      outputRoot: gallery.outputRoot,
      jsonPath: gallery.jsonPath,
      onProgress: (e) => events.push(e),
      now,
    });

    expect(PublishResultSchema.parse(result)).toBeTruthy();
    // s3rver has no bucket policies, so the links are presigned.
    expect(result.access).toBe('presigned');
    expect(result.galleryId).toBe(gallery.document.galleryId);
    expect(result.uploaded).toBe(9); // 7 PNGs + JSON + HTML
    expect(result.skipped).toBe(0);
    expect(result.assets.map((a) => a.filename).sort()).toEqual([...gallery.files.keys()].sort());
    expect(result.expiresAt).toBe(
      new Date(signingWindowStart(NOW, s3).getTime() + s3.presignSeconds * 1000).toISOString(),
    );

    // Progress: one event per file, counting up to the total, PNGs before the page and the document.
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events.every((e) => e.total === 9 && e.action === 'uploaded')).toBe(true);
    expect(events.slice(-2).map((e) => e.file)).toEqual([
      gallery.document.files.json,
      gallery.document.files.html,
    ]);

    const client = clientFor(peer);
    expect(await client.bucketExists('gallery-one')).toBe(true);
    const id = gallery.document.product.id;
    // Each gallery keeps its own keys under the product's prefix.
    const key = (file: string) => `products/${id}/${publishedPath(file, id)}`;
    expect(key(gallery.document.files.html)).toBe(`products/${id}/g-${id}/product_${id}.html`);
    for (const [file, bytes] of gallery.files) {
      const stat = await client.statObject('gallery-one', key(file));
      expect(stat.size).toBe(bytes.byteLength);
      expect(stat.metaData['content-type']).toBe('image/png');
      expect(stat.metaData['cache-control']).toBe(CACHE_CONTROL.image);
      expect(stat.metaData.sha256).toBe(sha(bytes));
    }
    const htmlStat = await client.statObject('gallery-one', key(gallery.document.files.html));
    expect(htmlStat.metaData['content-type']).toBe('text/html; charset=utf-8');
    expect(htmlStat.metaData['cache-control']).toBe(CACHE_CONTROL.page);
    const jsonStat = await client.statObject('gallery-one', key(gallery.document.files.json));
    expect(jsonStat.metaData['content-type']).toBe('application/json; charset=utf-8');

    // Every returned URL serves the exact bytes.
    for (const asset of result.assets) {
      expect(asset.url).toContain('X-Amz-Signature=');
      const got = await getBytes(asset.url);
      expect(got.status).toBe(200);
      expect(got.type).toBe('image/png');
      expect(sha(got.body)).toBe(sha(gallery.files.get(asset.filename) as Buffer));
    }

    // The page references the published PNG URLs, never the local relative names.
    const page = await getBytes(result.url);
    expect(page.status).toBe(200);
    const html = page.body.toString('utf8');
    expect(html).toContain('<h1>Stoneware Mug: slow mornings</h1>');
    const links = linksIn(html);
    for (const asset of result.assets.filter((a) => a.kind !== 'thumbnail'))
      expect(links).toContain(asset.url);
    expect(links.filter((l) => l.startsWith('product_'))).toEqual([]);
    expect(html).toContain(`<link rel="canonical" href="${result.url.replaceAll('&', '&amp;')}">`);

    // The JSON document carries the URLs for the asset rows.
    const doc = GalleryDocumentSchema.parse(
      JSON.parse((await getBytes(result.jsonUrl)).body.toString('utf8')),
    );
    expect(doc.publishedUrl).toBe(result.url);
    for (const asset of doc.assets) {
      expect(asset.remoteUrl).toBe(result.assets.find((a) => a.filename === asset.filename)?.url);
    }
    // What goes public is the product and its images, not how they were made; the studio keeps the rest.
    expect(publicGalleryDocument(result.document)).toEqual(doc);
    expect(doc.assets.every((a) => a.prompt === '' && a.seed === 0 && a.templateId === '')).toBe(true);
    expect(result.document.assets.some((a) => a.prompt !== '')).toBe(true);
    expect(html).not.toMatch(/seed|qwen-image\.|<th>Prompt<\/th>|>Complete</i);
  });

  it('re-publishing an unchanged gallery uploads nothing and returns the same links', async () => {
    const s3 = peer.settings({ bucket: 'gallery-two' });
    const first = await publishGallery({
      s3,
      outputRoot: gallery.outputRoot,
      document: gallery.document,
      now,
    });
    expect(first.uploaded).toBe(9);
    const events: PublishProgress[] = [];
    const again = await publishGallery({
      s3,
      outputRoot: gallery.outputRoot,
      document: gallery.document,
      now,
      onProgress: (e) => events.push(e),
    });
    expect(again.uploaded).toBe(0);
    expect(again.skipped).toBe(9);
    expect(events.every((e) => e.action === 'skipped')).toBe(true);
    expect(again.url).toBe(first.url);
    expect(again.assets.map((a) => a.url)).toEqual(first.assets.map((a) => a.url));
  });

  it('an object with the right name but other bytes is replaced', async () => {
    const s3 = peer.settings({ bucket: 'gallery-three' });
    const id = gallery.document.product.id;
    const key = `products/${id}/g-${id}/product_${id}_hero.png`;
    const client = clientFor(peer);
    await client.makeBucket('gallery-three', 'us-east-1');
    await client.putObject('gallery-three', key, Buffer.from('stale'), 5, {
      'Content-Type': 'image/png',
      'x-amz-meta-sha256': sha('stale'),
    });
    const result = await publishGallery({
      s3,
      outputRoot: gallery.outputRoot,
      document: gallery.document,
      now,
    });
    expect(result.uploaded).toBe(9);
    const stat = await client.statObject('gallery-three', key);
    expect(stat.metaData.sha256).toBe(gallery.document.assets.find((a) => a.kind === 'hero')?.sha256);
  });

  it('with publicBaseUrl the links are public, built from it, and serve the files', async () => {
    const base = `${peer.endpoint}/gallery-public/`;
    const result = await publishGallery({
      s3: peer.settings({ bucket: 'gallery-public', publicBaseUrl: base }),
      outputRoot: gallery.outputRoot,
      document: gallery.document,
      prefix: 'shop/{id}/',
    });
    const id = gallery.document.product.id;
    expect(result.access).toBe('public');
    expect(result.expiresAt).toBeNull();
    expect(result.url).toBe(`${peer.endpoint}/gallery-public/shop/${id}/g-${id}/product_${id}.html`);
    for (const asset of result.assets) {
      expect(asset.url).toBe(
        `${peer.endpoint}/gallery-public/shop/${id}/${publishedPath(asset.filename, id)}`,
      );
      const got = await getBytes(asset.url);
      expect(sha(got.body)).toBe(asset.sha256);
    }
    const html = (await getBytes(result.url)).body.toString('utf8');
    const hero = result.assets.find((a) => a.kind === 'hero');
    expect(html).toContain(`<meta property="og:image" content="${hero?.url}">`);
    expect(linksIn(html)).toContain(hero?.url);
  });

  it('failed slots are not uploaded and keep no URL', async () => {
    const partial = await writeGalleryFixture({ id: 'partial-mug', failed: [{ kind: 'variation', idx: 2 }] });
    try {
      const result = await publishGallery({
        s3: peer.settings({ bucket: 'gallery-partial' }),
        outputRoot: partial.outputRoot,
        document: partial.document,
        now,
      });
      expect(result.uploaded).toBe(8);
      const v2 = 'galleries/partial-mug/g-partial-mug/product_partial-mug_variation_2.png';
      expect(result.assets.map((a) => a.filename)).not.toContain(v2);
      const failed = result.document.assets.find((a) => a.filename === v2);
      expect(failed?.remoteUrl).toBeNull();
    } finally {
      await partial.cleanup();
    }
  });

  it('refuses an image that changed after the gallery was composed', async () => {
    const changed = await writeGalleryFixture({ id: 'changed-mug' });
    try {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        `${changed.outputRoot}/galleries/changed-mug/g-changed-mug/product_changed-mug_lifestyle.png`,
        Buffer.from('not the same'),
      );
      const err = await expectShowcaseError(
        publishGallery({
          s3: peer.settings({ bucket: 'gallery-changed' }),
          outputRoot: changed.outputRoot,
          document: changed.document,
          now,
        }),
        'conflict',
      );
      expect(err.message).toContain('product_changed-mug_lifestyle.png');
    } finally {
      await changed.cleanup();
    }
  });

  it('cancelling through the signal stops with interrupted', async () => {
    const controller = new AbortController();
    const err = await expectShowcaseError(
      publishGallery({
        s3: peer.settings({ bucket: 'gallery-abort' }),
        outputRoot: gallery.outputRoot,
        document: gallery.document,
        concurrency: 1,
        onProgress: (e) => {
          if (e.done === 2) controller.abort();
        },
        signal: controller.signal,
      }),
      'interrupted',
    );
    expect(err.retryable).toBe(true);
  });
});

describe('public access through the bucket policy', () => {
  const foreign = {
    Sid: 'SomeoneElses',
    Effect: 'Allow',
    Principal: { AWS: ['arn:aws:iam::123456789012:root'] },
    Action: ['s3:PutObject'],
    Resource: ['arn:aws:s3:::policy-bucket/uploads/*'],
  };

  it('adds a public-read statement for the prefix, keeps the others, and links the objects directly', async () => {
    const policy: PolicyEmulation = {
      stored: JSON.stringify({ Version: '2012-10-17', Statement: [foreign] }),
      puts: 0,
    };
    const relay = await startRelay(peer, { policy });
    try {
      const s3 = peer.settings({ bucket: 'policy-bucket', endpoint: relay.endpoint });
      const result = await publishGallery({ s3, outputRoot: gallery.outputRoot, document: gallery.document });
      const id = gallery.document.product.id;
      expect(result.access).toBe('public');
      expect(result.expiresAt).toBeNull();
      expect(result.url).toBe(`${relay.endpoint}/policy-bucket/products/${id}/g-${id}/product_${id}.html`);
      expect(policy.puts).toBe(1);
      const stored = JSON.parse(policy.stored as string) as { Statement: Array<Record<string, unknown>> };
      expect(stored.Statement).toEqual([
        foreign,
        {
          Sid: POLICY_SID,
          Effect: 'Allow',
          Principal: { AWS: ['*'] },
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::policy-bucket/products/*'],
        },
      ]);
      for (const asset of result.assets) expect(sha((await getBytes(asset.url)).body)).toBe(asset.sha256);

      // A second publisher finds the statement in place and leaves the policy alone.
      const again = await publishGallery({ s3, outputRoot: gallery.outputRoot, document: gallery.document });
      expect([again.access, again.uploaded, policy.puts]).toEqual(['public', 0, 1]);
    } finally {
      await relay.close();
    }
  });

  it('falls back to presigned links when the policy may not be changed (Block Public Access)', async () => {
    const policy: PolicyEmulation = { stored: null, refusePut: true, puts: 0 };
    const relay = await startRelay(peer, { policy });
    try {
      const result = await publishGallery({
        s3: peer.settings({ bucket: 'blocked-bucket', endpoint: relay.endpoint }),
        outputRoot: gallery.outputRoot,
        document: gallery.document,
        now,
      });
      expect(result.access).toBe('presigned');
      expect(result.url).toContain('X-Amz-Signature=');
      expect((await getBytes(result.url)).status).toBe(200);
    } finally {
      await relay.close();
    }
  });
});

describe('resume after the server dies mid-publish', () => {
  it('fails with backend_unreachable, then finishes on the next run, skipping what had landed', async () => {
    const crashy = await startS3Peer();
    try {
      const s3 = crashy.settings({ bucket: 'resume-bucket' });
      const landed: string[] = [];
      let killing: Promise<void> | null = null;
      const err = await expectShowcaseError(
        publishGallery({
          s3,
          outputRoot: gallery.outputRoot,
          document: gallery.document,
          now,
          onProgress: (e) => {
            if (e.action === 'uploaded') landed.push(e.key);
            // A crash: nothing sent after this line is served.
            if (landed.length === 3 && killing === null) killing = crashy.kill();
          },
        }),
        'backend_unreachable',
      );
      await killing;
      expect(err.message).toContain(crashy.endpoint);
      expect(err.retryable).toBe(true);
      expect(landed.length).toBeGreaterThanOrEqual(3);
      expect(landed.length).toBeLessThan(9);

      await crashy.restart();
      const resumed = await publishGallery({
        s3,
        outputRoot: gallery.outputRoot,
        document: gallery.document,
        now,
      });
      expect(resumed.uploaded + resumed.skipped).toBe(9);
      expect(resumed.skipped).toBeGreaterThanOrEqual(landed.length);
      expect(resumed.uploaded).toBeGreaterThanOrEqual(2); // at least the JSON and the page
      for (const asset of resumed.assets) {
        expect(sha((await getBytes(asset.url)).body)).toBe(asset.sha256);
      }
      const again = await publishGallery({
        s3,
        outputRoot: gallery.outputRoot,
        document: gallery.document,
        now,
      });
      expect(again.uploaded).toBe(0);

      // A server shut down cleanly is just as unreachable.
      await crashy.stop();
      await expectShowcaseError(
        publishGallery({ s3, outputRoot: gallery.outputRoot, document: gallery.document, now }),
        'backend_unreachable',
      );
    } finally {
      await crashy.dispose();
    }
  });
});

describe('errors', () => {
  it('a wrong access key is auth_failed and never shows the secret', async () => {
    const err = await expectShowcaseError(
      publishGallery({
        s3: peer.settings({ accessKey: 'NOT-A-REAL-KEY', secretKey: 'very-secret-value' }),
        outputRoot: gallery.outputRoot,
        document: gallery.document,
      }),
      'auth_failed',
    );
    expect(err.message).toMatch(/^S3 rejected the access key "NOT-…"/);
    expect(err.hint).toMatch(/access key and secret key/);
    expect(JSON.stringify(err.toJSON())).not.toContain('very-secret-value');
    expect(JSON.stringify(err.toJSON())).not.toContain('NOT-A-REAL-KEY');
  });

  it('a key that may not write the objects is publish_error with a hint about the permissions', async () => {
    const relay = await startRelay(peer, {
      deny: (method, path) => method === 'PUT' && path.includes('/products/'),
    });
    try {
      const err = await expectShowcaseError(
        publishGallery({
          s3: peer.settings({ bucket: 'denied-bucket', endpoint: relay.endpoint }),
          outputRoot: gallery.outputRoot,
          document: gallery.document,
          now,
        }),
        'publish_error',
      );
      expect(err.message).toMatch(
        /^S3 denied access to bucket "denied-bucket" while trying to upload products\//,
      );
      expect(err.hint).toContain('s3:PutObject');
    } finally {
      await relay.close();
    }
  });

  it('valid keys without access to the bucket are publish_error, not auth_failed', async () => {
    // The HEAD on the bucket is refused without a body; listing buckets proves the keys themselves work.
    const relay = await startRelay(peer, {
      deny: (method, path) => method === 'HEAD' && path === '/locked-bucket',
    });
    try {
      const err = await expectShowcaseError(
        publishGallery({
          s3: peer.settings({ bucket: 'locked-bucket', endpoint: relay.endpoint }),
          outputRoot: gallery.outputRoot,
          document: gallery.document,
        }),
        'publish_error',
      );
      expect(err.message).toBe(
        'S3 denied access to bucket "locked-bucket" while trying to check the bucket (AccessDenied)',
      );
    } finally {
      await relay.close();
    }
  });

  it('an endpoint nobody listens on is backend_unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const err = await expectShowcaseError(
      publishGallery({
        s3: peer.settings({ endpoint: `http://127.0.0.1:${port}` }),
        outputRoot: gallery.outputRoot,
        document: gallery.document,
      }),
      'backend_unreachable',
    );
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a server that accepts connections but never answers times out as backend_unreachable', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const err = await expectShowcaseError(
        publishGallery({
          s3: peer.settings({ endpoint: `http://127.0.0.1:${port}` }),
          outputRoot: gallery.outputRoot,
          document: gallery.document,
          requestTimeoutMs: 300,
        }),
        'backend_unreachable',
      );
      expect(err.message).toContain('ETIMEDOUT');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('invalid or missing settings are invalid_input naming the field', async () => {
    const bad = await expectShowcaseError(
      publishGallery({
        s3: peer.settings({ endpoint: `${peer.endpoint}/some/path`, bucket: 'Not_A_Bucket' }),
        outputRoot: gallery.outputRoot,
        document: gallery.document,
      }),
      'invalid_input',
    );
    expect(bad.details?.fields).toEqual(['s3.endpoint', 's3.bucket']);
    await expectShowcaseError(
      publishGallery({ s3: null, outputRoot: gallery.outputRoot, document: gallery.document }),
      'invalid_input',
    );
    await expectShowcaseError(
      publishGallery({
        s3: peer.settings(),
        outputRoot: gallery.outputRoot,
        document: gallery.document,
        prefix: '../{id}/',
      }),
      'invalid_input',
    );
  });

  it('a gallery document that does not exist is not_found', async () => {
    await expectShowcaseError(
      publishGallery({
        s3: peer.settings(),
        outputRoot: gallery.outputRoot,
        jsonPath: `${gallery.outputRoot}/product_nope.json`,
      }),
      'not_found',
    );
  });
});

describe('publishCatalog', () => {
  it('publishes every gallery and an index linking their published pages; a second run skips all', async () => {
    const catalog = await writeCatalogFixture([
      { id: 'mug', name: 'Mug' },
      { id: 'teapot', name: 'Teapot <Deluxe>', variations: 2 },
    ]);
    try {
      const s3 = peer.settings({ bucket: 'catalog-bucket' });
      const events: PublishProgress[] = [];
      const result = await publishCatalog({
        s3,
        outputRoot: catalog.outputRoot,
        now,
        onProgress: (e) => events.push(e),
      });
      expect(result.access).toBe('presigned');
      expect(result.galleries.map((g) => g.productId)).toEqual(['mug', 'teapot']);
      expect(result.uploaded).toBe(9 + 7 + 2);
      expect(events.at(-1)).toMatchObject({ done: 18, total: 18, galleryId: null, file: 'index.html' });
      expect(result.url).toContain('/catalog-bucket/products/index.html?');

      const html = (await getBytes(result.url)).body.toString('utf8');
      const links = linksIn(html);
      for (const g of result.galleries) {
        expect(links).toContain(g.url);
        expect(links).toContain(g.assets.find((a) => a.kind === 'thumbnail')?.url);
      }
      expect(html).toContain('Teapot &lt;Deluxe&gt;');
      const index = CatalogIndexSchema.parse(
        JSON.parse((await getBytes(result.jsonUrl)).body.toString('utf8')),
      );
      expect(index.title).toBe('Spring catalog');
      expect(index.products.map((p) => p.publishedUrl)).toEqual(result.galleries.map((g) => g.url));

      // Each product page links back to the published catalog.
      const mugPage = (await getBytes(result.galleries[0]?.url as string)).body.toString('utf8');
      expect(linksIn(mugPage)).toContain(result.url);

      const again = await publishCatalog({ s3, outputRoot: catalog.outputRoot, now });
      expect(again.uploaded).toBe(0);
      expect(again.skipped).toBe(18);
    } finally {
      await catalog.cleanup();
    }
  });

  it('keeps at most `concurrency` requests in flight, across galleries too', async () => {
    const catalog = await writeCatalogFixture([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    const relay = await startRelay(peer, { delayMs: 25 });
    try {
      const s3 = peer.settings({ bucket: 'bounded-bucket', endpoint: relay.endpoint });
      const result = await publishCatalog({ s3, outputRoot: catalog.outputRoot, concurrency: 3, now });
      expect(result.uploaded).toBe(3 * 9 + 2);
      expect(relay.max()).toBeGreaterThan(1);
      expect(relay.max()).toBeLessThanOrEqual(3);
    } finally {
      await relay.close();
      await catalog.cleanup();
    }
  });

  it('a publisher instance is reusable across calls and closes cleanly', async () => {
    const publisher = new GalleryPublisher({ s3: peer.settings({ bucket: 'reuse-bucket' }), now });
    try {
      const a = await publisher.publishGallery({
        outputRoot: gallery.outputRoot,
        document: gallery.document,
      });
      const b = await publisher.publishGallery({
        outputRoot: gallery.outputRoot,
        document: gallery.document,
      });
      expect([a.uploaded, b.uploaded, b.skipped]).toEqual([9, 0, 9]);
    } finally {
      publisher.close();
    }
  });
});
