// Shopify's product-export CSV: one row per variant and per extra image, all rows of a product sharing
// its Handle. The first row carries the product's own columns (Title, Body (HTML), Vendor …); later rows
// only add option values, prices and images. Each handle becomes one product.

import type { ImportRowError, ShopifyVariant } from '../../../shared/index.ts';
import { ShowcaseError } from '../../../shared/index.ts';
import { normalizeHeader } from './columns.ts';
import { type CsvParseResult, isBlankRecord } from './csv.ts';
import { malformedRecord, splitHeader } from './csv-sheet.ts';
import { buildCandidate, type RowCandidate } from './rows.ts';
import { htmlToText, parsePrice, splitList } from './values.ts';

const SHOPIFY_MARKERS = ['body_html', 'variant_price', 'option1_name', 'variant_sku', 'image_src'];

/** A Shopify export has a `Handle` column plus at least one of its distinctive columns. */
export function isShopifyHeader(headers: readonly string[]): boolean {
  const names = new Set(headers.map(normalizeHeader));
  return names.has('handle') && SHOPIFY_MARKERS.some((m) => names.has(m));
}

const OPTION_INDEXES = [1, 2, 3] as const;

interface ProductGroup {
  line: number;
  handle: string;
  title: string;
  body: string;
  vendor: string;
  type: string;
  productCategory: string;
  tags: string;
  seoTitle: string;
  seoDescription: string;
  status: string;
  optionNames: Map<number, string>;
  optionValues: Map<number, string[]>;
  prices: number[];
  currency: string | undefined;
  skus: string[];
  images: Array<{ src: string; position: number; order: number }>;
  /** Every variant row as exported, for the way back to Shopify. */
  variants: ShopifyVariant[];
  published: string;
  giftCard: string;
  errors: ImportRowError[];
}

/** Undoes the `'` our own Shopify export puts before a cell that starts like a formula (see shopify-export.ts). */
function unneutralise(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** Shopify writes TRUE/FALSE; an empty cell is "not given". */
function shopifyBoolean(cell: string): boolean | undefined {
  const v = cell.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function shopifyNumber(cell: string): number | undefined {
  if (cell.trim() === '') return undefined;
  const n = Number(cell.trim());
  return Number.isFinite(n) ? n : undefined;
}

function pushUnique(list: string[], value: string): void {
  if (value !== '' && !list.includes(value)) list.push(value);
}

export function readShopifySheet(
  parsed: CsvParseResult,
  filename: string,
  defaultCurrency: string,
): RowCandidate[] {
  const { header, rows } = splitHeader(parsed, filename);
  const index = new Map<string, number>();
  header.fields.forEach((h, i) => {
    const key = normalizeHeader(h);
    if (!index.has(key)) index.set(key, i);
  });
  const handleColumn = index.get('handle');
  if (handleColumn === undefined) {
    throw new ShowcaseError(
      'invalid_input',
      `${filename}: not a Shopify product export (no "Handle" column)`,
      {
        hint: 'Export products from Shopify admin (Products → Export → CSV), or import the file as a plain CSV.',
        details: { field: 'handle', line: header.line },
      },
    );
  }
  if (!index.has('title')) {
    throw new ShowcaseError('invalid_input', `${filename}: no "Title" column for the product name`, {
      hint: 'Shopify exports name the product in the "Title" column; keep it when editing the file.',
      details: { field: 'name', line: header.line },
    });
  }

  const candidates: RowCandidate[] = [];
  const groups = new Map<string, ProductGroup>();
  // Candidates in sheet order: a broken row's error sits where the row is; a product where it starts.
  const order: Array<ProductGroup | RowCandidate> = [];

  for (const record of rows) {
    if (isBlankRecord(record)) continue;
    const broken = malformedRecord(record, header.fields.length, parsed.delimiter);
    if (broken) {
      order.push(broken);
      continue;
    }
    const cell = (key: string): string => {
      const i = index.get(key);
      return i === undefined ? '' : unneutralise((record.fields[i] ?? '').trim());
    };
    const handle = cell('handle');
    if (handle === '') {
      order.push({
        line: record.line,
        input: {},
        errors: [
          {
            line: record.line,
            field: 'handle',
            message: 'is required (every Shopify row names its product)',
          },
        ],
        malformed: true,
      });
      continue;
    }

    let group = groups.get(handle);
    if (group === undefined) {
      group = {
        line: record.line,
        handle,
        title: '',
        body: '',
        vendor: '',
        type: '',
        productCategory: '',
        tags: '',
        seoTitle: '',
        seoDescription: '',
        status: '',
        optionNames: new Map(),
        optionValues: new Map(),
        prices: [],
        currency: undefined,
        skus: [],
        images: [],
        variants: [],
        published: '',
        giftCard: '',
        errors: [],
      };
      groups.set(handle, group);
      order.push(group);
    }
    const g = group;
    // Product-level columns come from the first row that fills them.
    const fill = (current: string, key: string): string => (current !== '' ? current : cell(key));
    g.title = fill(g.title, 'title');
    g.body = fill(g.body, 'body_html');
    g.vendor = fill(g.vendor, 'vendor');
    g.type = fill(g.type, 'type');
    g.productCategory = fill(g.productCategory, 'product_category');
    g.tags = fill(g.tags, 'tags');
    g.seoTitle = fill(g.seoTitle, 'seo_title');
    g.seoDescription = fill(g.seoDescription, 'seo_description');
    g.status = fill(g.status, 'status');
    g.published = fill(g.published, 'published');
    g.giftCard = fill(g.giftCard, 'gift_card');

    for (const n of OPTION_INDEXES) {
      const name = cell(`option${n}_name`);
      if (name !== '' && !g.optionNames.has(n)) g.optionNames.set(n, name);
      const value = cell(`option${n}_value`);
      if (value !== '') {
        const values = g.optionValues.get(n) ?? [];
        pushUnique(values, value);
        g.optionValues.set(n, values);
      }
    }

    const priceCell = cell('variant_price');
    let variantPrice: number | undefined;
    if (priceCell !== '') {
      const price = parsePrice(priceCell);
      if (price.ok) {
        g.prices.push(price.amount);
        variantPrice = price.amount;
        g.currency ??= price.currency;
      } else {
        g.errors.push({ line: record.line, field: 'price', message: price.message });
      }
    }
    // Shopify exports carry no currency; a `Currency` column (added by the operator) names it.
    const currencyCell = cell('currency') || cell('variant_currency');
    if (currencyCell !== '') g.currency ??= currencyCell.toUpperCase();
    // A row with option values, a SKU or a price is a variant; rows with only an image are not.
    const optionValues = OPTION_INDEXES.map((n) => cell(`option${n}_value`));
    if (optionValues.some((v) => v !== '') || cell('variant_sku') !== '' || priceCell !== '') {
      const compareCell = cell('variant_compare_at_price');
      const compareAt = compareCell === '' ? null : parsePrice(compareCell);
      const variant: ShopifyVariant = {
        options: optionValues.slice(0, Math.max(1, optionValues.findLastIndex((v) => v !== '') + 1)),
      };
      const put = <K extends keyof ShopifyVariant>(key: K, value: ShopifyVariant[K] | undefined | '') => {
        if (value !== undefined && value !== '') variant[key] = value as ShopifyVariant[K];
      };
      put('sku', cell('variant_sku'));
      put('price', variantPrice);
      put('compareAtPrice', compareAt?.ok ? compareAt.amount : undefined);
      put('barcode', cell('variant_barcode'));
      put('grams', shopifyNumber(cell('variant_grams')));
      put('weightUnit', cell('variant_weight_unit'));
      put('inventoryTracker', cell('variant_inventory_tracker'));
      const qty = shopifyNumber(cell('variant_inventory_qty'));
      put('inventoryQty', qty !== undefined && Number.isInteger(qty) ? qty : undefined);
      put('inventoryPolicy', cell('variant_inventory_policy'));
      put('fulfillmentService', cell('variant_fulfillment_service'));
      put('requiresShipping', shopifyBoolean(cell('variant_requires_shipping')));
      put('taxable', shopifyBoolean(cell('variant_taxable')));
      put('image', cell('variant_image'));
      g.variants.push(variant);
    }
    pushUnique(g.skus, cell('variant_sku'));

    const src = cell('image_src');
    if (src !== '') {
      const position = Number.parseInt(cell('image_position'), 10);
      g.images.push({
        src,
        position: Number.isFinite(position) ? position : Number.MAX_SAFE_INTEGER,
        order: g.images.length,
      });
    }
    const variantImage = cell('variant_image');
    if (variantImage !== '') {
      g.images.push({ src: variantImage, position: Number.MAX_SAFE_INTEGER, order: g.images.length });
    }
  }

  for (const item of order) {
    if ('input' in item) candidates.push(item);
    else candidates.push(groupToCandidate(item, defaultCurrency));
  }
  return candidates;
}

const COLOUR_OPTION = /colou?r/i;
const MATERIAL_OPTION = /material|fabric/i;

function groupToCandidate(g: ProductGroup, defaultCurrency: string): RowCandidate {
  const colors: string[] = [];
  const materials: string[] = [];
  const attributes: Record<string, string> = {};

  for (const n of OPTION_INDEXES) {
    const values = g.optionValues.get(n) ?? [];
    const name = g.optionNames.get(n) ?? `Option${n}`;
    // Shopify's placeholder for a product without variants.
    if (values.length === 0 || (name === 'Title' && values.every((v) => v === 'Default Title'))) continue;
    if (COLOUR_OPTION.test(name)) for (const v of values) pushUnique(colors, v);
    else if (MATERIAL_OPTION.test(name)) for (const v of values) pushUnique(materials, v);
    else attributes[name] = values.join(', ');
  }

  const images = [...g.images].sort((a, b) => a.position - b.position || a.order - b.order);
  const imageUrls: string[] = [];
  for (const image of images) pushUnique(imageUrls, image.src);
  if (imageUrls.length > 1) attributes.images = imageUrls.slice(1).join(' ');
  if (g.skus.length > 0) attributes.sku = g.skus.join(', ');
  if (g.seoTitle !== '') attributes.seo_title = g.seoTitle;
  if (g.seoDescription !== '') attributes.seo_description = g.seoDescription;
  if (g.status !== '') attributes.status = g.status;
  const lowest = g.prices.reduce<number | undefined>((m, p) => (m === undefined || p < m ? p : m), undefined);
  const highest = g.prices.reduce<number | undefined>(
    (m, p) => (m === undefined || p > m ? p : m),
    undefined,
  );
  if (lowest !== undefined && highest !== undefined && highest > lowest) {
    attributes.price_range = `${lowest}–${highest}`;
  }

  // Newer exports put a taxonomy path in "Product Category"; its last step is the useful category.
  const category = g.type !== '' ? g.type : (g.productCategory.split('>').at(-1)?.trim() ?? '');
  const candidate = buildCandidate(
    g.line,
    {
      handle: g.handle,
      name: g.title,
      description: g.body === '' ? undefined : htmlToText(g.body),
      category,
      brand: g.vendor,
      tags: g.tags === '' ? [] : splitList(g.tags),
      colors,
      materials,
      // The lowest variant price is the "from" price marketing copy quotes.
      price: lowest,
      currency: g.currency ?? defaultCurrency,
      referenceImage: imageUrls[0],
    },
    attributes,
    defaultCurrency,
  );
  const optionNames = OPTION_INDEXES.filter((n) => g.optionNames.has(n)).map(
    (n) => g.optionNames.get(n) ?? `Option${n}`,
  );
  candidate.input.shopify = {
    optionNames,
    variants: g.variants,
    ...(g.productCategory !== '' ? { productCategory: g.productCategory } : {}),
    ...(shopifyBoolean(g.published) === undefined ? {} : { published: shopifyBoolean(g.published) }),
    ...(shopifyBoolean(g.giftCard) === undefined ? {} : { giftCard: shopifyBoolean(g.giftCard) }),
  };
  candidate.errors.push(...g.errors);
  return candidate;
}
