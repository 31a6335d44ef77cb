// The stage every reader ends in: raw cell values → a candidate `ProductInput` (lists split, price read)
// → zod validation → a `Product` with a sanitised, unique id. Rows that fail are reported, not imported.
import {
  type ImportRowError,
  isRecord,
  type Product,
  type ProductInputParsed,
  ProductInputSchema,
} from '../../../shared/index.ts';
import { IdAllocator, sanitizeId } from '../showcase/index.ts';
import type { ProductField } from './columns.ts';
import { parsePrice, splitList } from './values.ts';

/** One product as a reader found it, before validation. */
export interface RowCandidate {
  /** Where the product starts: physical line (CSV) or 1-based array index (JSON). */
  line: number;
  /** Shaped like `ProductInput`; validated by `buildProducts`. */
  input: Record<string, unknown>;
  /** Problems already found while reading (bad price, ragged row …); any entry means the row is skipped. */
  errors: ImportRowError[];
  /** The record itself is broken (ragged, unclosed quote): report `errors` and skip validation. */
  malformed?: boolean;
}

export type RawValues = Partial<Record<ProductField, unknown>>;

const textFields = [
  'id',
  'handle',
  'description',
  'category',
  'brand',
  'audience',
  'referenceImage',
  'language',
  'family',
] as const satisfies readonly ProductField[];
const listFields = ['materials', 'colors', 'tags'] as const satisfies readonly ProductField[];

/** Strings are trimmed (empty → absent), numbers and booleans stringified; anything else is left for zod to reject. */
function toText(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

function toList(value: unknown): unknown {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return splitList(value);
  if (Array.isArray(value)) {
    return value
      .map((item) =>
        typeof item === 'number' ? String(item) : typeof item === 'string' ? item.trim() : item,
      )
      .filter((item) => item !== '');
  }
  return value;
}

/**
 * Shapes raw values into a `ProductInput` candidate. `defaultCurrency` applies to prices that name no
 * currency (a bare "49.90" with no currency column). A missing name becomes "" so zod reports it as
 * "is required" rather than as a type error.
 */
export function buildCandidate(
  line: number,
  values: RawValues,
  attributes: Record<string, string>,
  defaultCurrency: string,
): RowCandidate {
  const errors: ImportRowError[] = [];
  const input: Record<string, unknown> = {};
  for (const field of textFields) {
    const value = toText(values[field]);
    if (value !== undefined) input[field] = value;
  }
  input.name = toText(values.name) ?? '';
  for (const field of listFields) input[field] = toList(values[field]);

  const currencyText = toText(values.currency);
  const currencyColumn = typeof currencyText === 'string' ? currencyText.toUpperCase() : undefined;
  const price = typeof values.price === 'string' ? values.price.trim() : values.price;
  if (typeof price === 'number') {
    input.price = { amount: price, currency: currencyColumn ?? defaultCurrency };
  } else if (typeof price === 'string' && price !== '') {
    const parsed = parsePrice(price, { currency: currencyColumn ?? defaultCurrency });
    if (!parsed.ok) {
      errors.push({ line, field: 'price', message: parsed.message });
    } else if (
      parsed.currency !== undefined &&
      currencyColumn !== undefined &&
      parsed.currency !== currencyColumn &&
      !parsed.fromSymbol
    ) {
      errors.push({
        line,
        field: 'price',
        message: `"${price}" is in ${parsed.currency} but the currency column says ${currencyColumn}`,
      });
    } else {
      input.price = { amount: parsed.amount, currency: currencyColumn ?? parsed.currency ?? defaultCurrency };
    }
  } else if (isRecord(price)) {
    input.price = { currency: currencyColumn ?? defaultCurrency, ...price };
  } else if (price !== undefined && price !== null && price !== '') {
    input.price = price;
  }

  input.attributes = attributes;
  return { line, input, errors };
}

export interface BuildProductsOptions {
  /** Recorded as `Product.sourceSheet`. */
  sourceSheet?: string;
  /** ISO time for `updatedAt`; defaults to the current time. */
  now?: string;
  /** Ids that must not be handed out (compared case-insensitively); clashing rows get `-2`, `-3` … */
  reservedIds?: Iterable<string>;
}

export interface BuildProductsResult {
  products: Product[];
  /** Rows that were skipped, one entry per problem. */
  errors: ImportRowError[];
  /** Rows that were imported with a change the operator should know about (a renamed duplicate id). */
  warnings: ImportRowError[];
}

function issueField(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(row)' : path.map(String).join('.');
}

/**
 * Validates candidates with `ProductInputSchema` and turns the valid ones into `Product`s. The id
 * comes from `id`, else `handle`, else `name`, through `sanitizeId`; ids that collide (two rows with
 * the same sku, or "Mug/1" and "Mug 1") are disambiguated in row order (`mug`, `mug-2`) and each rename
 * is reported as a warning. `handle` keeps the original text: the `handle` value, else the raw id, else the name.
 */
export function buildProducts(
  candidates: Iterable<RowCandidate>,
  options: BuildProductsOptions = {},
): BuildProductsResult {
  const now = options.now ?? new Date().toISOString();
  const allocator = new IdAllocator(options.reservedIds);
  const products: Product[] = [];
  const errors: ImportRowError[] = [];
  const warnings: ImportRowError[] = [];

  for (const candidate of candidates) {
    if (candidate.malformed) {
      errors.push(...candidate.errors);
      continue;
    }
    const parsed = ProductInputSchema.safeParse(candidate.input);
    if (!parsed.success || candidate.errors.length > 0) {
      const found = [...candidate.errors];
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          found.push({ line: candidate.line, field: issueField(issue.path), message: issue.message });
        }
      }
      found.sort((a, b) => a.line - b.line);
      errors.push(...found);
      continue;
    }
    products.push(finishProduct(parsed.data, candidate.line, allocator, warnings, options.sourceSheet, now));
  }
  return { products, errors, warnings };
}

function finishProduct(
  data: ProductInputParsed,
  line: number,
  allocator: IdAllocator,
  warnings: ImportRowError[],
  sourceSheet: string | undefined,
  now: string,
): Product {
  const rawId = data.id ?? data.handle ?? data.name;
  const id = allocator.allocate(rawId);
  const wanted = sanitizeId(rawId);
  if (id !== wanted) {
    warnings.push({
      line,
      field: 'id',
      message: `the id "${wanted}"${rawId === wanted ? '' : ` (from "${rawId}")`} is already taken; imported as "${id}"`,
    });
  }
  const product: Product = {
    ...data,
    id,
    handle: data.handle ?? data.id ?? data.name,
    updatedAt: now,
  };
  if (sourceSheet !== undefined) product.sourceSheet = sourceSheet;
  return product;
}
