import { describe, expect, it } from 'vitest';
import { parseSheet } from '../../../../src/main/engine/sheets/index.ts';
import { isShopifyHeader } from '../../../../src/main/engine/sheets/shopify.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';

const NOW = '2025-01-02T03:04:05.000Z';
const HEADER =
  'Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price,Image Src,Image Position,SEO Title,Status';

const shopify = (...rows: string[]) =>
  parseSheet([HEADER, ...rows].join('\n'), { filename: 'shopify.csv', now: NOW, defaultCurrency: 'USD' });

describe('Shopify product export', () => {
  it('is detected by its header', () => {
    expect(isShopifyHeader(HEADER.split(','))).toBe(true);
    expect(isShopifyHeader(['Handle', 'Title'])).toBe(false);
    expect(isShopifyHeader(['Title', 'Body (HTML)'])).toBe(false);
  });

  it('groups the rows of one handle into one product', () => {
    const result = shopify(
      'tee,Organic Tee,"<p>Soft &amp; <em>light</em>.</p><ul><li>100% cotton</li></ul>",Acme,Apparel > Shirts > T-Shirts,,"summer, cotton",Colour,Red,Size,S,TEE-R-S,20.00,https://cdn.example.com/tee-red.jpg,1,Organic Tee | Acme,active',
      'tee,,,,,,,,Red,,M,TEE-R-M,20.00,,,,',
      'tee,,,,,,,,Blue,,S,TEE-B-S,22.50,https://cdn.example.com/tee-blue.jpg,3,,',
      'tee,,,,,,,,,,,,,https://cdn.example.com/tee-back.jpg,2,,',
      'mug,Mug,,Acme,,Kitchen,,Title,Default Title,,,MUG-1,9.00,,,,draft',
    );
    expect(result.format).toBe('shopify');
    expect(result.errors).toEqual([]);
    expect(result.products).toEqual([
      {
        id: 'tee',
        handle: 'tee',
        name: 'Organic Tee',
        description: 'Soft & light.\n\n- 100% cotton',
        category: 'T-Shirts',
        brand: 'Acme',
        materials: [],
        colors: ['Red', 'Blue'],
        price: { amount: 20, currency: 'USD' },
        referenceImage: 'https://cdn.example.com/tee-red.jpg',
        tags: ['summer', 'cotton'],
        attributes: {
          Size: 'S, M',
          images: 'https://cdn.example.com/tee-back.jpg https://cdn.example.com/tee-blue.jpg',
          sku: 'TEE-R-S, TEE-R-M, TEE-B-S',
          seo_title: 'Organic Tee | Acme',
          status: 'active',
          price_range: '20–22.5',
        },
        shopify: {
          optionNames: ['Colour', 'Size'],
          productCategory: 'Apparel > Shirts > T-Shirts',
          // Every variant row as exported, for the export back to Shopify; the image-only row is not one.
          variants: [
            { options: ['Red', 'S'], sku: 'TEE-R-S', price: 20 },
            { options: ['Red', 'M'], sku: 'TEE-R-M', price: 20 },
            { options: ['Blue', 'S'], sku: 'TEE-B-S', price: 22.5 },
          ],
        },
        sourceSheet: 'shopify.csv',
        updatedAt: NOW,
      },
      {
        id: 'mug',
        handle: 'mug',
        name: 'Mug',
        category: 'Kitchen',
        brand: 'Acme',
        materials: [],
        colors: [],
        price: { amount: 9, currency: 'USD' },
        tags: [],
        attributes: { sku: 'MUG-1', status: 'draft' },
        shopify: {
          optionNames: ['Title'],
          variants: [{ options: ['Default Title'], sku: 'MUG-1', price: 9 }],
        },
        sourceSheet: 'shopify.csv',
        updatedAt: NOW,
      },
    ]);
  });

  it('groups a handle even when its rows are not adjacent, and maps material options', () => {
    const result = shopify(
      'bag,Bag,,,,,,Material,Canvas,Color,Sand,,10,,,,',
      'hat,Hat,,,,,,,,,,,5,,,,',
      'bag,,,,,,,,Leather,,Black,,30,,,,',
    );
    expect(result.products.map((p) => [p.id, p.materials, p.colors, p.price?.amount])).toEqual([
      ['bag', ['Canvas', 'Leather'], ['Sand', 'Black'], 10],
      ['hat', [], [], 5],
    ]);
  });

  it('reports bad rows with their own line and skips only what is broken', () => {
    const result = shopify(
      'ok,Fine,,,,,,,,,,,1,,,,',
      ',Orphan row,,,,,,,,,,,2,,,,',
      'noname,,,,,,,,,,,,3,,,,',
      'pricey,Pricey,,,,,,,,,,,4,,,,',
      'pricey,,,,,,,,,,,,lots,,,,',
      'short,Short',
      'ok2,"Multi',
      'line title",,,,,,,,,,,5,,,,',
      'late,,,,,,,,,,,,6,,,,',
    );
    expect(result.products.map((p) => [p.id, p.name])).toEqual([
      ['ok', 'Fine'],
      ['ok2', 'Multi\nline title'],
    ]);
    expect(result.errors).toEqual([
      { line: 3, field: 'handle', message: 'is required (every Shopify row names its product)' },
      { line: 4, field: 'name', message: 'is required' },
      { line: 6, field: 'price', message: expect.stringContaining('"lots" is not a price') },
      { line: 7, field: '(row)', message: expect.stringMatching(/has 2 fields but the header has 17/) },
      { line: 10, field: 'name', message: 'is required' },
    ]);
  });

  it('throws when forced on a file without Handle or Title', () => {
    let caught: unknown;
    try {
      parseSheet('id,name\n1,a\n', { filename: 'x.csv', format: 'shopify' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ShowcaseError);
    expect((caught as ShowcaseError).message).toBe(
      'x.csv: not a Shopify product export (no "Handle" column)',
    );
    expect(() => parseSheet('Handle,Variant Price\n1,2\n', { filename: 'x.csv' })).toThrow(
      /no "Title" column/,
    );
  });

  it('sanitises handles into ids and keeps the handle text', () => {
    const result = shopify('../Ünïcode Handle,Thing,,,,,,,,,,,1,,,,');
    expect(result.products[0]).toMatchObject({ id: 'Unicode-Handle', handle: '../Ünïcode Handle' });
  });
});
