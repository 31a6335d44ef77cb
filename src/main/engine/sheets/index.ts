// Sheet import: product sheets (CSV, JSON, Shopify product export) → validated `Product`s plus a
// per-row error list. Bad rows are reported and skipped; a file that cannot be read at all throws
// `ShowcaseError('invalid_input')` with a message that says what to fix.

import type { z } from 'zod';
import {
  type ImportRowError,
  type Product,
  type SheetFormatSchema,
  ShowcaseError,
} from '../../../shared/index.ts';
import { parseCsv } from './csv.ts';
import { readCsvSheet } from './csv-sheet.ts';
import { jsonSheetDefaults, parseJsonSheet, readJsonSheet } from './json-sheet.ts';
import { buildProducts, type RowCandidate } from './rows.ts';
import { isShopifyHeader, readShopifySheet } from './shopify.ts';

export type SheetFormat = z.infer<typeof SheetFormatSchema>;
export type ConcreteSheetFormat = Exclude<SheetFormat, 'auto'>;

export const DEFAULT_CURRENCY = 'EUR';

export interface ParseSheetOptions {
  /** Shown in error messages and stored as `Product.sourceSheet`. */
  filename: string;
  format?: SheetFormat;
  /** ISO time stamped on every product as `updatedAt`; defaults to now. */
  now?: string;
  /** Currency for prices that name none (a bare "49.90", every Shopify price). Default `EUR`. */
  defaultCurrency?: string;
  /** Language for products whose row names none (no `language` column or an empty cell). */
  language?: string;
  /**
   * Ids already in use that this import must not reuse. Leave empty to re-import a sheet onto the same
   * ids (the usual update); pass the catalog's ids to add the sheet's products alongside them.
   */
  reservedIds?: Iterable<string>;
}

export interface ParsedSheet {
  /** The format that was read (`auto` resolved). */
  format: ConcreteSheetFormat;
  /** Valid products in sheet order, with sanitised unique ids, `sourceSheet` = filename and `updatedAt` = now. */
  products: Product[];
  /** Skipped rows: one entry per problem, `line` = CSV line where the record starts or 1-based JSON index. */
  errors: ImportRowError[];
  /** Imported rows whose id had to be changed to stay unique. */
  warnings: ImportRowError[];
}

/**
 * `json` when the text starts with `[` or `{` (after a BOM and whitespace); otherwise `shopify` when the
 * header row has Shopify's `Handle` plus one of its variant/body columns; otherwise `csv`.
 */
export function detectSheetFormat(content: string): ConcreteSheetFormat {
  const start = /^\uFEFF?\s*([[{])?/.exec(content);
  if (start?.[1] !== undefined) return 'json';
  const parsed = parseCsv(firstLines(content));
  const header = parsed.records.find((r) => r.fields.some((f) => f.trim() !== ''));
  return header !== undefined && isShopifyHeader(header.fields) ? 'shopify' : 'csv';
}

// Enough text for the header row (which may itself contain quoted line breaks) without scanning a huge file twice.
function firstLines(content: string): string {
  return content.length <= 65_536 ? content : content.slice(0, 65_536);
}

/**
 * Reads a product sheet. Duplicate or colliding ids are disambiguated (`mug`, `mug-2` …) and reported
 * in `warnings`; rows that fail validation are listed in `errors` and skipped. Throws `invalid_input`
 * for a file that is not parseable at all: invalid JSON, JSON of the wrong shape, an empty sheet,
 * no header / no name column, or a Shopify file without `Handle`/`Title`.
 */
export function parseSheet(content: string, options: ParseSheetOptions): ParsedSheet {
  const { filename } = options;
  let defaultCurrency = options.defaultCurrency ?? DEFAULT_CURRENCY;
  let sheetLanguage = options.language;
  if (content.replace(/^\uFEFF/, '').trim() === '') {
    throw new ShowcaseError('invalid_input', `${filename}: the sheet is empty`, {
      hint: 'Drop a CSV with a header row and one product per line, or a JSON array of products.',
      details: { field: 'content' },
    });
  }
  const requested = options.format ?? 'auto';
  const format = requested === 'auto' ? detectSheetFormat(content) : requested;

  let candidates: RowCandidate[];
  if (format === 'json') {
    // A JSON sheet may name its own language and currency next to its products.
    const own = jsonSheetDefaults(content);
    defaultCurrency = own.currency ?? defaultCurrency;
    sheetLanguage = own.language ?? sheetLanguage;
    candidates = readJsonSheet(parseJsonSheet(content, filename), defaultCurrency);
  } else {
    const parsed = parseCsv(content);
    if (format === 'shopify') {
      candidates = readShopifySheet(parsed, filename, defaultCurrency);
    } else {
      candidates = readCsvSheet(parsed, filename, defaultCurrency);
    }
  }

  if (sheetLanguage !== undefined) {
    for (const c of candidates)
      if (!c.malformed && c.input.language === undefined) c.input.language = sheetLanguage;
  }
  const built = buildProducts(candidates, {
    sourceSheet: filename,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.reservedIds === undefined ? {} : { reservedIds: options.reservedIds }),
  });
  return { format, ...built };
}

export interface ProductsFromInputsOptions {
  sourceSheet?: string;
  now?: string;
  defaultCurrency?: string;
  reservedIds?: Iterable<string>;
}

/**
 * The same pipeline for products that arrive as objects (`catalog.add`, an n8n payload): keys are
 * matched like JSON sheet keys, each item validated, ids sanitised and disambiguated. `line` in the
 * errors is the 1-based index in `inputs`.
 */
export function productsFromInputs(
  inputs: readonly unknown[],
  options: ProductsFromInputsOptions = {},
): Omit<ParsedSheet, 'format'> {
  return buildProducts(readJsonSheet(inputs, options.defaultCurrency ?? DEFAULT_CURRENCY), {
    ...(options.sourceSheet === undefined ? {} : { sourceSheet: options.sourceSheet }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.reservedIds === undefined ? {} : { reservedIds: options.reservedIds }),
  });
}

export { type CsvRecord, parseCsv } from './csv.ts';
export { type ShopifyCatalogContext, shopifyCatalogCsv } from './shopify-catalog.ts';
export {
  exportShopifyCsv,
  neutralise,
  SHOPIFY_COLUMNS,
  type ShopifyExportProduct,
  type ShopifyExportResult,
  shopifyHandle,
} from './shopify-export.ts';
export { htmlToText, parsePrice, splitList } from './values.ts';
