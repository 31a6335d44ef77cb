// Which sheet column (or JSON key) feeds which product field. Headers are compared after folding case,
// accents, camelCase and punctuation, so "Product Name", "product-name", "productName" and
// "PRODUCT_NAME" are the same column.

export const productFields = [
  'id',
  'handle',
  'name',
  'description',
  'category',
  'brand',
  'materials',
  'colors',
  'audience',
  'price',
  'currency',
  'referenceImage',
  'tags',
  'language',
  'family',
] as const;
export type ProductField = (typeof productFields)[number];

/** Accepted header spellings per field, in priority order (an `id` column beats a `sku` column). */
// After the English names, the Portuguese and Spanish ones of the shops the studio serves (accents and
// case are folded: "Descrição" is `descricao`, "Preço" is `preco`).
export const FIELD_SYNONYMS: Readonly<Record<ProductField, readonly string[]>> = {
  id: ['id', 'sku', 'product_id', 'item_id', 'codigo'],
  handle: ['handle', 'slug'],
  name: ['name', 'title', 'product_name', 'product_title', 'nome', 'nombre', 'titulo'],
  description: [
    'description',
    'desc',
    'product_description',
    'body',
    'body_html',
    'details',
    'descricao',
    'descripcion',
  ],
  category: ['category', 'type', 'product_type', 'product_category', 'categoria', 'tipo'],
  brand: ['brand', 'vendor', 'manufacturer', 'marca', 'fabricante'],
  materials: ['materials', 'material', 'materiais', 'materiales'],
  colors: ['colors', 'colours', 'color', 'colour', 'cores', 'cor', 'colores'],
  audience: ['audience', 'target', 'target_audience', 'publico', 'publico_alvo'],
  price: ['price', 'unit_price', 'retail_price', 'preco', 'precio'],
  currency: ['currency', 'currency_code', 'moeda', 'moneda'],
  referenceImage: [
    'reference_image',
    'image',
    'image_url',
    'image_src',
    'reference_image_url',
    'imagem',
    'foto',
  ],
  tags: ['tags', 'tag', 'keywords', 'etiquetas', 'palavras_chave'],
  language: ['language', 'lang', 'locale', 'copy_language', 'idioma', 'sprache', 'langue'],
  family: ['family', 'model_family', 'template_family', 'familia'],
};

const synonymToField = new Map<string, { field: ProductField; rank: number }>();
for (const field of productFields) {
  FIELD_SYNONYMS[field].forEach((synonym, rank) => {
    synonymToField.set(synonym, { field, rank });
  });
}

/** "Product Name" / "productName" / "Crème-Colour (EU)" → "product_name" / "product_name" / "creme_colour_eu". */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The product field a header names and the synonym's rank (0 = preferred), if it names one. */
export function matchHeader(header: string): { field: ProductField; rank: number } | undefined {
  return synonymToField.get(normalizeHeader(header));
}

export interface ColumnMap {
  /** Column index per product field. */
  fields: Partial<Record<ProductField, number>>;
  /** Columns that feed `attributes`: index and attribute key (the header as written, made unique). */
  attributes: Array<{ index: number; key: string }>;
}

/**
 * Assigns each product field the best-ranked matching column; every other column (including a second
 * synonym such as `sku` next to `id`) becomes an attribute keyed by its header text.
 */
export function mapColumns(headers: readonly string[]): ColumnMap {
  const best = new Map<ProductField, { index: number; rank: number }>();
  headers.forEach((header, index) => {
    const match = matchHeader(header);
    if (match === undefined) return;
    const current = best.get(match.field);
    if (current === undefined || match.rank < current.rank)
      best.set(match.field, { index, rank: match.rank });
  });

  const fields: Partial<Record<ProductField, number>> = {};
  const used = new Set<number>();
  for (const [field, { index }] of best) {
    fields[field] = index;
    used.add(index);
  }

  const attributes: Array<{ index: number; key: string }> = [];
  const keys = new Set<string>();
  headers.forEach((header, index) => {
    if (used.has(index)) return;
    const base = header.trim() === '' ? `column_${index + 1}` : header.trim();
    let key = base;
    for (let n = 2; keys.has(key); n++) key = `${base} (${n})`;
    keys.add(key);
    attributes.push({ index, key });
  });
  return { fields, attributes };
}

/** "name, title, product_name or product_title" — for messages that tell the operator what to add. */
export function describeSynonyms(field: ProductField): string {
  const names = FIELD_SYNONYMS[field];
  return names.length <= 1 ? (names[0] ?? field) : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
