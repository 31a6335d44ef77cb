// A JSON product sheet: an array of product objects, or `{ "products": [...] }`. Keys are matched like
// CSV headers (so `sku`, `title`, `colours`, `image_url` work as well as the `ProductInput` names);
// other keys, and the entries of an `attributes` object, become attributes.
import { isRecord, ShowcaseError } from '../../../shared/index.ts';
import { matchHeader, type ProductField } from './columns.ts';
import { buildCandidate, type RawValues, type RowCandidate } from './rows.ts';

function describeJsonValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 8).join(', ')}`;
  }
  return `a ${typeof value}`;
}

function attributeText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    return value.length === 0 ? undefined : value.join(', ');
  }
  return JSON.stringify(value);
}

/** Sheet-wide values a JSON sheet may give next to its products: `{ "language", "currency", "products" }`. */
export interface JsonSheetDefaults {
  language?: string;
  currency?: string;
}

/** The sheet-wide `language` and `currency` of `{ "language": "pt-BR", "currency": "BRL", "products": [...] }`. */
export function jsonSheetDefaults(content: string): JsonSheetDefaults {
  try {
    const data: unknown = JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
    if (!isRecord(data)) return {};
    const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
    const language = text(data.language);
    const currency = text(data.currency)?.toUpperCase();
    return { ...(language ? { language } : {}), ...(currency ? { currency } : {}) };
  } catch {
    return {};
  }
}

/** Parses the JSON text; throws `invalid_input` naming the file and the JSON error when it is not JSON. */
export function parseJsonSheet(content: string, filename: string): unknown[] {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ShowcaseError('invalid_input', `${filename} is not valid JSON: ${reason}`, {
      hint: 'Check the file for a missing comma, quote or bracket near the position given.',
      details: { field: 'content' },
      cause: err,
    });
  }
  if (Array.isArray(data)) return data;
  if (isRecord(data) && Array.isArray(data.products)) return data.products;
  throw new ShowcaseError(
    'invalid_input',
    `${filename}: expected an array of products or an object with a "products" array, found ${describeJsonValue(data)}`,
    {
      hint: 'Write the file as [ { "name": "…" }, … ] or { "products": [ … ] }.',
      details: { field: 'products' },
    },
  );
}

export function readJsonSheet(items: readonly unknown[], defaultCurrency: string): RowCandidate[] {
  return items.map((item, i) => {
    const line = i + 1;
    if (!isRecord(item)) {
      return {
        line,
        input: {},
        errors: [{ line, field: '(row)', message: `is ${describeJsonValue(item)}, not a product object` }],
        malformed: true,
      };
    }
    // Which key feeds each field: the best-ranked synonym (`id` beats `sku`); the others become attributes.
    const owners = new Map<ProductField, { key: string; rank: number; value: unknown }>();
    const attributes: Record<string, string> = {};
    const extra: Array<[string, unknown]> = [];
    for (const [key, value] of Object.entries(item)) {
      if (key === 'attributes' && isRecord(value)) {
        for (const [k, v] of Object.entries(value)) {
          const text = attributeText(v);
          if (text !== undefined) attributes[k] = text;
        }
        continue;
      }
      const match = matchHeader(key);
      const owner = match === undefined ? undefined : owners.get(match.field);
      if (match === undefined) {
        extra.push([key, value]);
      } else if (owner === undefined || match.rank < owner.rank) {
        if (owner !== undefined) extra.push([owner.key, owner.value]);
        owners.set(match.field, { key, rank: match.rank, value });
      } else {
        extra.push([key, value]);
      }
    }
    const values: RawValues = {};
    for (const [field, owner] of owners) values[field] = owner.value;
    // A nested `attributes` entry wins over a loose key of the same name.
    for (const [key, value] of extra) {
      const text = attributeText(value);
      if (text !== undefined && attributes[key] === undefined) attributes[key] = text;
    }
    return buildCandidate(line, values, attributes, defaultCurrency);
  });
}
