// Shopify product CSV export: the catalog back into the shop, in the columns of Shopify's product
// import (help.shopify.com/en/manual/products/import-export/using-csv): Handle, Title, Body (HTML) from
// the copy, Vendor, Product Category (only the taxonomy path an import brought — Shopify refuses
// categories outside its taxonomy), Type, Tags, SEO Title/Description, the variants a Shopify export
// brought (unchanged) and one Image Src/Position/Alt Text per published image. Importing this file into
// the studio gives the same products back (see docs/channels.md, "Shopify round trip").
//
// Every cell is neutralised against formula injection: a value starting with = + - @ tab or CR gets a
// leading ' so a spreadsheet opening the file shows text instead of running it. The studio's Shopify
// reader removes exactly that mark again.
import type { Product, ShopifyVariant } from '../../../shared/index.ts';

export const SHOPIFY_COLUMNS = [
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
  'Status',
] as const;
type Column = (typeof SHOPIFY_COLUMNS)[number];
type Row = Partial<Record<Column, string>>;

export interface ShopifyExportProduct {
  product: Product;
  /** The showcase copy; the Body (HTML) and the SEO fields come from it. */
  copy: { title: string; tagline: string; bullets: string[]; description: string } | null;
  /** Published image URLs in gallery order (hero first), with their alt text. */
  images: Array<{ url: string; alt: string }>;
}

export interface ShopifyExportResult {
  csv: string;
  products: number;
  rows: number;
  warnings: string[];
}

/** Shopify handles: lowercase letters, digits and dashes ("Aurora Trail Mug" → "aurora-trail-mug"). */
export function shopifyHandle(text: string): string {
  const handle = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return handle === '' ? 'product' : handle.slice(0, 255);
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet will not evaluate: `=1+1` → `'=1+1`. */
export function neutralise(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function csvCell(value: string): string {
  const safe = neutralise(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const html = (text: string) =>
  text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);

/** The copy as Shopify's product description: paragraphs, then the benefit bullets. */
export function bodyHtml(item: ShopifyExportProduct): string {
  const description = item.copy?.description ?? item.product.description ?? '';
  const paragraphs = description
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${html(p).replace(/\n/g, '<br>')}</p>`);
  const bullets = item.copy?.bullets ?? [];
  const list = bullets.length > 0 ? [`<ul>${bullets.map((b) => `<li>${html(b)}</li>`).join('')}</ul>`] : [];
  return [...paragraphs, ...list].join('');
}

const bool = (v: boolean | undefined) => (v === undefined ? '' : v ? 'TRUE' : 'FALSE');
const num = (v: number | undefined) => (v === undefined ? '' : String(v));
const money = (v: number | undefined) => (v === undefined ? '' : v.toFixed(2));

function variantColumns(v: ShopifyVariant): Row {
  return {
    'Variant SKU': v.sku ?? '',
    'Variant Grams': num(v.grams),
    'Variant Inventory Tracker': v.inventoryTracker ?? '',
    'Variant Inventory Qty': num(v.inventoryQty),
    'Variant Inventory Policy': v.inventoryPolicy ?? '',
    'Variant Fulfillment Service': v.fulfillmentService ?? '',
    'Variant Price': money(v.price),
    'Variant Compare At Price': money(v.compareAtPrice),
    'Variant Requires Shipping': bool(v.requiresShipping),
    'Variant Taxable': bool(v.taxable),
    'Variant Barcode': v.barcode ?? '',
    'Variant Image': v.image ?? '',
    'Variant Weight Unit': v.weightUnit ?? '',
  };
}

export interface ShopifyExportOptions {
  /** The shop's currency: Shopify prices carry none, so products priced in another one are left out. */
  currency: string;
}

export function exportShopifyCsv(
  items: readonly ShopifyExportProduct[],
  options: ShopifyExportOptions,
): ShopifyExportResult {
  const rows: Row[] = [];
  const warnings: string[] = [];
  const handles = new Set<string>();
  let products = 0;
  for (const item of items) {
    const { product } = item;
    if (product.price && product.price.currency !== options.currency) {
      warnings.push(
        `${product.id}: priced in ${product.price.currency}, the shop sells in ${options.currency}; left out (convert the price or export with currency ${product.price.currency})`,
      );
      continue;
    }
    const handle = shopifyHandle(product.handle);
    if (handles.has(handle)) {
      warnings.push(
        `${product.id}: the handle "${handle}" is taken by another product in this file; left out`,
      );
      continue;
    }
    handles.add(handle);
    if (item.images.length === 0)
      warnings.push(`${product.id}: no published images (publish the gallery first)`);
    const shopify = product.shopify;
    const optionNames = shopify?.optionNames.length ? shopify.optionNames : ['Title'];
    const variants: ShopifyVariant[] = shopify?.variants.length
      ? shopify.variants
      : [
          {
            options: ['Default Title'],
            ...(product.attributes.sku ? { sku: product.attributes.sku } : {}),
            ...(product.price ? { price: product.price.amount } : {}),
          },
        ];
    const first: Row = {
      Title: product.name,
      'Body (HTML)': bodyHtml(item),
      Vendor: product.brand ?? '',
      'Product Category': shopify?.productCategory ?? '',
      Type: product.category ?? '',
      Tags: product.tags.join(', '),
      Published: bool(shopify?.published),
      'Gift Card': bool(shopify?.giftCard),
      'SEO Title': (item.copy?.title ?? product.attributes.seo_title ?? '').slice(0, 70),
      'SEO Description': (item.copy?.tagline ?? product.attributes.seo_description ?? '').slice(0, 320),
      // A product the studio made is not put on sale by an import: it arrives as a draft.
      Status: product.attributes.status ?? (shopify ? '' : 'draft'),
    };
    const count = Math.max(variants.length, item.images.length);
    for (let i = 0; i < count; i++) {
      const row: Row = { Handle: handle, ...(i === 0 ? first : {}) };
      const variant = variants[i];
      if (variant) {
        optionNames.forEach((name, n) => {
          const key = (n + 1) as 1 | 2 | 3;
          if (i === 0) row[`Option${key} Name`] = name;
          row[`Option${key} Value`] = variant.options[n] ?? '';
        });
        Object.assign(row, variantColumns(variant));
      }
      const image = item.images[i];
      if (image) {
        row['Image Src'] = image.url;
        row['Image Position'] = String(i + 1);
        row['Image Alt Text'] = image.alt.slice(0, 512);
      }
      rows.push(row);
    }
    products++;
  }
  const lines = [
    SHOPIFY_COLUMNS.join(','),
    ...rows.map((r) => SHOPIFY_COLUMNS.map((c) => csvCell(r[c] ?? '')).join(',')),
  ];
  return { csv: `${lines.join('\r\n')}\r\n`, products, rows: rows.length, warnings };
}
