// The Shopify round trip: the sample Shopify export is imported, written back with the showcase copy and
// published image URLs, and imported again — the same products, every variant kept, a fixed point on
// the next round; no column outside Shopify's import format; formula injection neutralised.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportShopifyCsv,
  parseCsv,
  parseSheet,
  SHOPIFY_COLUMNS,
  type ShopifyExportProduct,
} from '../../../../src/main/engine/sheets/index.ts';
import type { Product } from '../../../../src/shared/index.ts';

const SAMPLE = resolve(import.meta.dirname, '../../../../resources/samples/shopify_products.csv');
const NOW = '2026-01-02T03:04:05.000Z';

/** The columns of Shopify's product CSV (help.shopify.com/en/manual/products/import-export/using-csv). */
const SHOPIFY_IMPORT_COLUMNS = new Set([
  'Handle',
  'Title',
  'Body (HTML)',
  'Vendor',
  'Product Category',
  'Type',
  'Tags',
  'Published',
  'Option1 Name',
  'Option1 Value',
  'Option2 Name',
  'Option2 Value',
  'Option3 Name',
  'Option3 Value',
  'Variant SKU',
  'Variant Grams',
  'Variant Inventory Tracker',
  'Variant Inventory Qty',
  'Variant Inventory Policy',
  'Variant Fulfillment Service',
  'Variant Price',
  'Variant Compare At Price',
  'Variant Requires Shipping',
  'Variant Taxable',
  'Variant Barcode',
  'Image Src',
  'Image Position',
  'Image Alt Text',
  'Gift Card',
  'SEO Title',
  'SEO Description',
  'Variant Image',
  'Variant Weight Unit',
  'Variant Tax Code',
  'Cost per item',
  'Status',
]);

const copyFor = (p: Product) => ({
  title: `${p.name}: made to last`,
  tagline: `The ${p.name.toLowerCase()} for every day`,
  bullets: ['Thoughtfully made', 'Built to last', 'Ships fast'],
  description: `Meet the ${p.name}.\n\nEverything you need, nothing you do not.`,
});
const imagesFor = (p: Product) =>
  ['hero', 'lifestyle', 'variation_1'].map((kind) => ({
    url: `https://cdn.studio.example/products/${p.id}/channels/shopify/product_${p.id}_${kind}.jpg`,
    alt: kind === 'hero' ? p.name : `${p.name} – ${kind}`,
  }));
const items = (products: Product[]): ShopifyExportProduct[] =>
  products.map((product) => ({ product, copy: copyFor(product), images: imagesFor(product) }));

/** Everything but what the export is meant to change: the copy, the SEO fields, the images. */
function identity(p: Product) {
  const { images: _i, seo_title: _t, seo_description: _d, ...attributes } = p.attributes;
  const { description: _desc, referenceImage: _r, sourceSheet: _s, updatedAt: _u, ...rest } = p;
  return { ...rest, attributes };
}

describe('Shopify CSV export', () => {
  it('re-imports to the same products, variants and all, with the copy and the published images', async () => {
    const first = parseSheet(await readFile(SAMPLE, 'utf8'), { filename: 'shopify.csv', now: NOW });
    expect(first.errors).toEqual([]);
    expect(first.products.length).toBeGreaterThan(2);
    const exported = exportShopifyCsv(items(first.products), { currency: 'EUR' });
    expect(exported.warnings).toEqual([]);
    expect(exported.products).toBe(first.products.length);

    const second = parseSheet(exported.csv, { filename: 'export.csv', now: NOW });
    expect(second.format).toBe('shopify');
    expect(second.errors).toEqual([]);
    expect(second.products.map(identity)).toEqual(first.products.map(identity));
    for (const p of second.products) {
      const [hero, ...rest] = imagesFor(p);
      expect(p.referenceImage).toBe(hero?.url);
      expect(p.attributes.images).toBe(rest.map((r) => r.url).join(' '));
      expect(p.description).toBe(
        `Meet the ${p.name}.\n\nEverything you need, nothing you do not.\n\n- Thoughtfully made\n- Built to last\n- Ships fast`,
      );
      expect(p.attributes.seo_title).toBe(`${p.name}: made to last`.slice(0, 70));
    }
    // Every variant row of the original export is back, with its inventory and compare-at price.
    const throw_ = second.products.find((p) => p.id === 'wool-throw-blanket');
    expect(throw_?.shopify?.variants).toEqual([
      {
        options: ['Fjord Blue'],
        sku: 'FJ-THROW-BLU',
        price: 119,
        compareAtPrice: 139,
        grams: 1400,
        inventoryQty: 12,
        requiresShipping: true,
        taxable: true,
      },
      {
        options: ['Heather Grey'],
        sku: 'FJ-THROW-GRY',
        price: 119,
        compareAtPrice: 139,
        grams: 1400,
        inventoryQty: 8,
        requiresShipping: true,
        taxable: true,
      },
      {
        options: ['Rust'],
        sku: 'FJ-THROW-RST',
        price: 124,
        grams: 1400,
        inventoryQty: 0,
        requiresShipping: true,
        taxable: true,
      },
    ]);
    expect(throw_?.shopify?.productCategory).toBe('Home & Garden > Linens & Bedding > Bedding > Blankets');

    // A second round changes nothing: the export is a fixed point.
    expect(exportShopifyCsv(items(second.products), { currency: 'EUR' }).csv).toBe(exported.csv);
  });

  it('writes only Shopify’s columns, one Image Src/Position/Alt Text per published image', () => {
    const { products } = parseSheet('id,name,price\nmug,Mug,12.50\n', { filename: 'p.csv', now: NOW });
    const { csv, rows } = exportShopifyCsv(items(products), { currency: 'EUR' });
    const [header, ...records] = parseCsv(csv).records;
    expect(header?.fields.every((h) => SHOPIFY_IMPORT_COLUMNS.has(h))).toBe(true);
    expect(header?.fields).toEqual([...SHOPIFY_COLUMNS]);
    expect(rows).toBe(3);
    const col = (name: string) => header?.fields.indexOf(name) ?? -1;
    expect(
      records.map((r) => [
        r.fields[col('Handle')],
        r.fields[col('Image Position')],
        r.fields[col('Image Src')],
      ]),
    ).toEqual([
      ['mug', '1', imagesFor(products[0] as Product)[0]?.url],
      ['mug', '2', imagesFor(products[0] as Product)[1]?.url],
      ['mug', '3', imagesFor(products[0] as Product)[2]?.url],
    ]);
    const first = records[0]?.fields ?? [];
    expect(first[col('Variant Price')]).toBe('12.50');
    expect(first[col('Option1 Name')]).toBe('Title');
    expect(first[col('Option1 Value')]).toBe('Default Title');
    // A product the studio made arrives in the shop as a draft, never on sale by surprise.
    expect(first[col('Status')]).toBe('draft');
    // No taxonomy path was imported, so none is invented (Shopify refuses unknown categories).
    expect(first[col('Product Category')]).toBe('');
  });

  it('neutralises formula injection and still reads the values back', () => {
    const sheet = [
      'id,name,brand,tags,price',
      'evil,"=HYPERLINK(""http://x"",""y"")","+cmd|\' /C calc\'!A0","-1+1; @SUM(A1)",5',
    ].join('\n');
    const { products, errors } = parseSheet(sheet, { filename: 'p.csv', now: NOW });
    expect(errors).toEqual([]);
    const { csv } = exportShopifyCsv(
      products.map((product) => ({ product, copy: null, images: [] })),
      { currency: 'EUR' },
    );
    const cells = parseCsv(csv).records.flatMap((r) => r.fields);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(cells).toContain(`'=HYPERLINK("http://x","y")`);
    const back = parseSheet(csv, { filename: 'export.csv', now: NOW }).products[0];
    expect(back?.name).toBe('=HYPERLINK("http://x","y")');
    expect(back?.brand).toBe("+cmd|' /C calc'!A0");
    expect(back?.tags).toEqual(['-1+1', '@SUM(A1)']);
  });

  it('leaves out a product priced in another currency than the shop’s, and says so', () => {
    const { products } = parseSheet('id,name,price\nrede,Rede,"R$ 89,90"\nmug,Mug,9\n', {
      filename: 'p.csv',
      now: NOW,
      defaultCurrency: 'EUR',
    });
    const result = exportShopifyCsv(items(products), { currency: 'EUR' });
    expect(result.products).toBe(1);
    expect(result.warnings).toEqual([expect.stringContaining('rede: priced in BRL, the shop sells in EUR')]);
    expect(exportShopifyCsv(items(products), { currency: 'BRL' }).products).toBe(1);
  });
});
