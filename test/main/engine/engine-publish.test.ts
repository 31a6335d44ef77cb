// Publishing as the studio does it (engine.publish) against a real s3rver, then what the links feed:
// the catalog page, the studio's own gallery document, the e-mail pack (real SMTP) and the Shopify CSV.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/main/contract/index.ts';
import { parseCsv } from '../../../src/main/engine/sheets/index.ts';
import { readGalleryDocument } from '../../../src/main/engine/showcase/index.ts';
import { ComplianceReportSchema, type MethodOutput, ShowcaseError } from '../../../src/shared/index.ts';
import { type S3Peer, startS3Peer } from '../../fixtures/s3.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';
import { type SmtpPeer, startSmtpPeer } from '../../fixtures/smtp.ts';

/** Real renders, sharp work and subprocesses: generous on a shared, loaded machine. */
const SLOW = 180_000;

let sims: Sims;
let s3: S3Peer;
let smtp: SmtpPeer;
let galleryId: string;

beforeAll(async () => {
  [s3, smtp] = await Promise.all([startS3Peer(), startSmtpPeer()]);
  sims = await startSims({
    engine: {
      overrides: {
        variations: 1,
        templateParams: { 'qwen-image': { width: 640, height: 640 } },
        smtp: { url: `${smtp.url}?ignoreTLS=true`, from: 'studio@example.com' },
      },
    },
  });
  const { imported } = sims.engine.addProducts([
    { id: 'aurora-mug', name: 'Aurora Mug', brand: 'Northwind', price: { amount: 24, currency: 'EUR' } },
  ]);
  [galleryId = ''] = await sims.engine.start(imported.map((p) => p.id));
  await sims.engine.whenIdle();
  await dispatch(sims.engine.handlers, 'channels.export', {
    galleryIds: [galleryId],
    channels: ['amazon', 'shopify'],
  });
}, SLOW);
afterAll(async () => {
  await sims?.close();
  await Promise.all([s3?.dispose(), smtp?.stop()]);
});

async function reopenWith(access: 'acl' | 'policy' | 'presigned' | 'auto', bucket: string) {
  const settings = sims.engine.settings();
  return sims.reopen({ overrides: { ...settings, s3: s3.settings({ bucket, access }) } });
}

describe('publishing', () => {
  it(
    'publishes the gallery, its channel variants and the catalog page; the document, the e-mail and the Shopify CSV carry the links',
    async () => {
      const engine = await reopenWith('acl', 'public-links');
      const { results } = (await dispatch(engine.handlers, 'gallery.publish', {
        galleryIds: [galleryId],
      })) as MethodOutput<'gallery.publish'>;
      const [result] = results;
      expect(result).toMatchObject({ access: 'public', expiresAt: null });
      // Public-read objects: plain URLs that do not expire.
      expect(result?.url).not.toContain('X-Amz-');
      expect(result?.indexUrl).toMatch(/\/products\/index\.html$/);

      // The catalog page is published and links the gallery page; no internal status badge on it.
      const index = await fetch(result?.indexUrl ?? '');
      expect(index.status).toBe(200);
      const indexHtml = await index.text();
      expect(indexHtml).toContain(result?.url);
      expect(indexHtml).not.toMatch(/class="badge|>Complete</);

      // The public page: the product, not the studio's workings.
      const page = await (await fetch(result?.url ?? '')).text();
      expect(page).toContain('Aurora Mug');
      expect(page).not.toMatch(/Base seed|qwen-image\.|<th>Prompt<\/th>|studio product photo/i);

      // The studio's own document now carries the links.
      const gallery = engine.store.galleries.get(galleryId);
      const doc = await readGalleryDocument(gallery?.jsonPath ?? '');
      expect(doc.publishedUrl).toBe(result?.url);
      const hero = doc.assets.find((a) => a.kind === 'hero');
      expect(hero?.remoteUrl).toMatch(
        // Under the product's prefix, in the gallery's own folder.
        new RegExp(
          `^http://127\\.0\\.0\\.1:\\d+/public-links/products/aurora-mug/${galleryId}/product_aurora-mug_hero\\.png$`,
        ),
      );
      // …and so do the channel variants, which are served byte for byte.
      const report = ComplianceReportSchema.parse(
        JSON.parse(
          await readFile(
            `${engine.outputRoot}/galleries/aurora-mug/${galleryId}/channels/product_aurora-mug_compliance.json`,
            'utf8',
          ),
        ),
      );
      const shopifyHero = report.channels.find((c) => c.channel === 'shopify')?.images[0];
      expect(shopifyHero?.remoteUrl).toMatch(
        new RegExp(`/products/aurora-mug/${galleryId}/channels/shopify/product_aurora-mug_hero\\.jpg$`),
      );
      const served = Buffer.from(await (await fetch(shopifyHero?.remoteUrl ?? '')).arrayBuffer());
      expect(served.equals(await readFile(`${engine.outputRoot}/${shopifyHero?.filename}`))).toBe(true);

      // The e-mail pack reads the document: it has the page, the images and the channel links.
      await engine.email(galleryId, ['team@example.com']);
      const [mail] = await smtp.waitForMails(1);
      const text = mail?.parsed.text ?? '';
      expect(text).toContain(result?.url);
      expect(text).toContain(hero?.remoteUrl);
      expect(text).not.toContain('not published yet');

      // The Shopify CSV carries the published Shopify variants, and the e-mail has every one of them.
      const csv = (await dispatch(engine.handlers, 'catalog.exportShopify', {
        galleryIds: [galleryId],
      })) as MethodOutput<'catalog.exportShopify'>;
      const records = parseCsv(csv.csv).records;
      const header = records[0]?.fields ?? [];
      const src = header.indexOf('Image Src');
      const urls = records
        .slice(1)
        .map((r) => r.fields[src] ?? '')
        .filter((u) => u !== '');
      expect(urls).toEqual(
        report.channels.find((c) => c.channel === 'shopify')?.images.map((i) => i.remoteUrl),
      );
      for (const url of urls) expect(text).toContain(url);
    },
    SLOW,
  );

  it(
    'says when links are presigned and when they expire, and refuses a bucket policy the server cannot set',
    async () => {
      let engine = await reopenWith('auto', 'presigned-links');
      const [result] = await engine.publish([galleryId]);
      // s3rver has no bucket policies: `auto` falls back to presigned links, and says until when.
      expect(result?.access).toBe('presigned');
      expect(result?.url).toContain('X-Amz-Signature=');
      expect(Date.parse(result?.expiresAt ?? '')).toBeGreaterThan(Date.now());

      engine = await reopenWith('policy', 'policy-links');
      const err = await engine.publish([galleryId]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShowcaseError);
      expect((err as ShowcaseError).code).toBe('publish_error');
      expect((err as ShowcaseError).message).toContain('bucket policy');
    },
    SLOW,
  );
});
