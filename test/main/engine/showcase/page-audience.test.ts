// The two pages of a gallery: the studio's own (status, seeds, templates, prompts, channel badges)
// and the published one (the product only), and the locale they are written in.
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatDate,
  pageLanguage,
  renderCatalogIndexHtml,
  renderGalleryHtml,
  titleWithBrand,
} from '../../../../src/main/engine/showcase/index.ts';
import { type GalleryFixture, writeGalleryFixture } from '../../../fixtures/gallery.ts';

let fixture: GalleryFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

const urlFor = (f: string) => encodeURI(f);

describe('gallery pages', () => {
  it('keeps seeds, templates, prompts and status on the internal page and off the public one', async () => {
    fixture = await writeGalleryFixture({ brand: 'Northwind' });
    const doc = fixture.document;
    const hero = doc.assets.find((a) => a.kind === 'hero');
    const internal = renderGalleryHtml(doc, {
      urlFor,
      channels: [
        {
          channel: 'amazon',
          label: 'Amazon',
          passed: false,
          stale: false,
          images: 6,
          fixed: 2,
          failing: [
            { kind: 'hero', check: 'fill', detail: 'the product spans 62 % of the frame; 85 % needed' },
          ],
        },
      ],
    });
    const published = renderGalleryHtml(doc, { urlFor, audience: 'public' });
    for (const secret of [
      `<code>${doc.seeds.base}</code>`,
      `<code>${hero?.templateId}</code>`,
      '<th>Prompt</th>',
    ]) {
      expect(internal).toContain(secret);
      expect(published).not.toContain(secret);
    }
    expect(hero?.prompt).not.toBe('');
    expect(published).not.toContain(hero?.prompt);
    expect(internal).toContain('data-channel="amazon" data-state="fail"');
    expect(internal).toContain('the product spans 62 % of the frame; 85 % needed');
    expect(published).not.toContain('Channel compliance');
    // Both say when, in the page's language.
    expect(published).toContain('Generated March 4, 2025 with');
  });

  it('shows status badges on the internal catalog only', async () => {
    fixture = await writeGalleryFixture();
    const doc = fixture.document;
    const index = {
      schemaVersion: 1 as const,
      generatedAt: doc.generatedAt,
      title: 'Catalog',
      products: [
        {
          productId: doc.product.id,
          galleryId: doc.galleryId,
          name: doc.product.name,
          title: doc.copy?.title ?? doc.product.name,
          tagline: null,
          status: doc.status.state,
          html: doc.files.html,
          json: doc.files.json,
          image: null,
          publishedUrl: null,
        },
      ],
      app: doc.app,
    };
    expect(renderCatalogIndexHtml(index, [doc], { urlFor })).toContain('class="badge badge-complete"');
    expect(renderCatalogIndexHtml(index, [doc], { urlFor, audience: 'public' })).not.toContain(
      'class="badge',
    );
  });

  it('does not paste the brand twice into a title', () => {
    expect(titleWithBrand('Aurora Mug', 'Northwind')).toBe('Aurora Mug · Northwind');
    expect(titleWithBrand('Northwind Aurora Mug', 'Northwind')).toBe('Northwind Aurora Mug');
    expect(titleWithBrand('NORTHWIND aurora mug', 'Northwind')).toBe('NORTHWIND aurora mug');
    expect(titleWithBrand('Aurora Mug', undefined)).toBe('Aurora Mug');
  });

  it('picks the words and dates of the page’s language', () => {
    expect(pageLanguage('pt-BR')).toBe('pt-BR');
    expect(pageLanguage('pt')).toBe('pt-BR');
    expect(pageLanguage('de-AT')).toBe('de');
    expect(pageLanguage('ja')).toBe('en');
    expect(formatDate('2025-03-04T05:06:07Z', 'pt-BR')).toBe('4 de março de 2025');
    expect(formatDate('2025-03-04T05:06:07Z', 'de')).toBe('4. März 2025');
    expect(formatDate('2025-03-04T05:06:07Z', 'fr')).toBe('4 mars 2025');
  });
});
