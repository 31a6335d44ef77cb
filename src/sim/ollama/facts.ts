// Reading product facts (name, brand, category, materials …) out of a prompt: JSON objects, or
// "Label: value" lines, in any order.
export interface ProductFacts {
  name: string | undefined;
  brand: string | undefined;
  category: string | undefined;
  materials: string[];
  colors: string[];
  audience: string | undefined;
  description: string | undefined;
  features: string[];
}

type FactKey =
  | 'name'
  | 'brand'
  | 'category'
  | 'materials'
  | 'colors'
  | 'audience'
  | 'description'
  | 'features';

// Label → fact, in priority order for the name (an explicit "Product name" beats a bare "Title").
const labels: Array<[RegExp, FactKey]> = [
  [/^(product[ _-]?name|name|product|item|title)$/, 'name'],
  [/^(brand|maker|manufacturer|vendor)$/, 'brand'],
  [/^(category|type|product[ _-]?type)$/, 'category'],
  [/^(materials?|fabrics?|made of)$/, 'materials'],
  [/^(colou?rs?|colou?rways?|finish(es)?)$/, 'colors'],
  [/^(audience|target audience|for|customers?)$/, 'audience'],
  [/^(description|details|about|summary)$/, 'description'],
  [/^(features|highlights|tags|keywords)$/, 'features'],
];

const namePriority = [
  'product name',
  'product_name',
  'product-name',
  'productname',
  'name',
  'product',
  'item',
];

function splitList(value: string): string[] {
  return value
    .split(/\s*(?:,|;|\/|\||\band\b|&)\s*/i)
    .map((s) => s.trim().replace(/^["'[\]]+|["'[\].]+$/g, ''))
    .filter((s) => s.length > 0 && s.length <= 60);
}

function cleanValue(value: string): string {
  return value
    .trim()
    .replace(/^\*\*|\*\*$/g, '')
    .replace(/^["']|["']$/g, '')
    .trim();
}

function factsFromJson(text: string, facts: ProductFacts): void {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  const product =
    typeof record.product === 'object' && record.product !== null
      ? (record.product as Record<string, unknown>)
      : record;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const list = (v: unknown) =>
    Array.isArray(v)
      ? v.filter((x): x is string => typeof x === 'string')
      : typeof v === 'string'
        ? splitList(v)
        : [];
  facts.name ??= str(product.name) ?? str(product.title);
  facts.brand ??= str(product.brand);
  facts.category ??= str(product.category);
  facts.audience ??= str(product.audience);
  facts.description ??= str(product.description);
  if (facts.materials.length === 0) facts.materials = list(product.materials ?? product.material);
  if (facts.colors.length === 0) facts.colors = list(product.colors ?? product.colours ?? product.color);
  if (facts.features.length === 0) facts.features = list(product.features ?? product.tags);
}

/** Pulls product facts out of prompt text: `Label: value` lines first, then an embedded JSON object. */
export function extractFacts(texts: readonly string[]): ProductFacts {
  const facts: ProductFacts = {
    name: undefined,
    brand: undefined,
    category: undefined,
    materials: [],
    colors: [],
    audience: undefined,
    description: undefined,
    features: [],
  };
  const nameCandidates = new Map<string, string>();
  for (const text of texts) {
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*(?:[-*•]\s*)?(?:\*\*)?([A-Za-z][A-Za-z _-]{0,28}?)(?:\*\*)?\s*[:=]\s*(.+?)\s*$/.exec(
        line,
      );
      if (!match) continue;
      const label = (match[1] ?? '').trim().toLowerCase();
      const value = cleanValue(match[2] ?? '');
      if (value === '') continue;
      const fact = labels.find(([re]) => re.test(label))?.[1];
      if (fact === undefined) continue;
      if (fact === 'name') {
        if (!nameCandidates.has(label)) nameCandidates.set(label, value);
      } else if (fact === 'materials' || fact === 'colors' || fact === 'features') {
        if (facts[fact].length === 0) facts[fact] = splitList(value);
      } else {
        facts[fact] ??= value;
      }
    }
  }
  facts.name =
    namePriority.map((l) => nameCandidates.get(l)).find((v) => v !== undefined) ??
    nameCandidates.get('title');
  for (const text of texts) factsFromJson(text, facts);
  if (facts.name === undefined) {
    for (const text of texts) {
      const quoted = /(?:product|item)\s+(?:called|named)?\s*["“']([^"”']{2,80})["”']/i.exec(text);
      if (quoted?.[1]) {
        facts.name = quoted[1].trim();
        break;
      }
    }
  }
  return facts;
}
