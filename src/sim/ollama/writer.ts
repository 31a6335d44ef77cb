// The fake model's "mind": it reads product facts out of the prompt and writes marketing copy about
// them, shaped by the JSON Schema in `format`. Output is a pure function of (model, prompt, format,
// seed, temperature), so tests are reproducible by construction (real seeds are not bit-exact).
import { extractFacts, type ProductFacts } from './facts.ts';
import { pick, type Rng, rngFor } from './tokens.ts';
import type { JsonSchema } from './wire.ts';

export { extractFacts, type ProductFacts } from './facts.ts';
export { countPromptTokens, type Rng, rngFor, tokenize } from './tokens.ts';

/** Everything the copywriter needs about one product, with fallbacks filled in. */
interface Voice {
  rng: Rng;
  name: string;
  brand: string | undefined;
  category: string;
  materials: string[];
  colors: string[];
  audience: string;
  features: string[];
}

function voiceFor(facts: ProductFacts, rng: Rng): Voice {
  return {
    rng,
    name: facts.name ?? 'the product',
    brand: facts.brand,
    category: facts.category?.toLowerCase() ?? 'essential',
    materials: facts.materials.length > 0 ? facts.materials : ['carefully chosen materials'],
    colors: facts.colors.length > 0 ? facts.colors : ['a timeless finish'],
    audience: facts.audience ?? pick(rng, ['everyday use', 'people who care about details', 'modern homes']),
    features: facts.features,
  };
}

const adjectives = [
  'refined',
  'effortless',
  'thoughtfully made',
  'versatile',
  'beautifully simple',
  'durable',
];
const verbs = ['Crafted', 'Made', 'Built', 'Designed'];
const settings = [
  'a sunlit Scandinavian living room',
  'a minimalist concrete loft',
  'a cosy café table by the window',
  'an airy studio with soft morning light',
  'a weekend cabin with warm wood tones',
];
const angles = ['three-quarter angle', 'top-down flat lay', 'straight-on eye-level view', 'low hero angle'];

function nth<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('nth of an empty list');
  return item;
}

function title(v: Voice): string {
  return v.brand && !v.name.toLowerCase().includes(v.brand.toLowerCase()) ? `${v.brand} ${v.name}` : v.name;
}

function tagline(v: Voice): string {
  const material = nth(v.materials, 0);
  return pick(v.rng, [
    `${capitalise(pick(v.rng, adjectives))} ${material}, made for ${v.audience}.`,
    `The ${v.name}: ${material} you can feel.`,
    `${v.name} — ${pick(v.rng, adjectives)} by design.`,
  ]);
}

function bullet(v: Voice, index: number): string {
  const feature = v.features[index];
  if (feature !== undefined && index < 2) return `${capitalise(feature)} — a highlight of the ${v.name}.`;
  const options = [
    `${pick(v.rng, verbs)} from ${v.materials.join(' and ')} for lasting quality.`,
    `Available in ${v.colors.join(', ')} to suit your style.`,
    `A ${pick(v.rng, adjectives)} ${v.category} made for ${v.audience}.`,
    `Easy to care for: the ${v.name} keeps its look day after day.`,
    `Thoughtful details throughout the ${v.name}, from finish to feel.`,
  ];
  return nth(options, index);
}

function description(v: Voice): string {
  return [
    `Meet the ${title(v)}, a ${pick(v.rng, adjectives)} ${v.category} for ${v.audience}.`,
    `${pick(v.rng, verbs)} from ${v.materials.join(' and ')}, it comes in ${v.colors.join(', ')}.`,
    pick(v.rng, [
      `Every detail of the ${v.name} is there for a reason.`,
      `The ${v.name} is made to be used, loved and kept.`,
      `It pairs quiet good looks with everyday practicality.`,
    ]),
  ].join(' ');
}

function imagePrompt(v: Voice, kind: 'hero' | 'lifestyle' | 'variation', index: number): string {
  const material = nth(v.materials, 0);
  const color = nth(v.colors, index);
  if (kind === 'hero') {
    return `studio product photo of the ${v.name}, ${material}, ${color}, ${pick(v.rng, angles)}, seamless light grey background, soft box lighting, sharp focus, high detail`;
  }
  if (kind === 'lifestyle') {
    return `the ${v.name} in ${pick(v.rng, settings)}, ${material}, ${color}, natural light, shallow depth of field, editorial lifestyle photography`;
  }
  const theme = nth(
    [
      `${color} colourway`,
      nth(angles, index),
      `close-up detail of the ${material}`,
      `in ${nth(settings, index + 1)}`,
    ],
    index,
  );
  return `the ${v.name}, ${theme}, ${material}, professional product photography, clean composition`;
}

const negativePrompt = 'blurry, low quality, watermark, text, logo, distorted, deformed, extra objects';

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

type Role =
  | 'negative'
  | 'hero'
  | 'lifestyle'
  | 'variation'
  | 'prompt'
  | 'tagline'
  | 'title'
  | 'bullet'
  | 'description'
  | 'keyword'
  | 'language'
  | 'color'
  | 'material'
  | 'other';

function roleOf(key: string): Role {
  const k = key.toLowerCase();
  if (/negative/.test(k)) return 'negative';
  if (/hero/.test(k)) return 'hero';
  if (/lifestyle|scene/.test(k)) return 'lifestyle';
  if (/variation|variant|theme/.test(k)) return 'variation';
  if (/prompt/.test(k)) return 'prompt';
  if (/tagline|slogan|subtitle|subhead/.test(k)) return 'tagline';
  if (/title|headline|name/.test(k)) return 'title';
  if (/bullet|feature|highlight|benefit|point/.test(k)) return 'bullet';
  if (/desc|body|copy|summary|story|about|text/.test(k)) return 'description';
  if (/keyword|tag|seo/.test(k)) return 'keyword';
  if (/lang/.test(k)) return 'language';
  if (/colou?r/.test(k)) return 'color';
  if (/material|fabric/.test(k)) return 'material';
  return 'other';
}

function stringFor(v: Voice, role: Role, index: number): string {
  switch (role) {
    case 'negative':
      return negativePrompt;
    case 'hero':
    case 'prompt':
      return imagePrompt(v, 'hero', index);
    case 'lifestyle':
      return imagePrompt(v, 'lifestyle', index);
    case 'variation':
      return imagePrompt(v, 'variation', index);
    case 'tagline':
      return tagline(v);
    case 'title':
      return title(v);
    case 'bullet':
      return bullet(v, index);
    case 'description':
      return description(v);
    case 'keyword':
      return nth([v.name.toLowerCase(), v.category, ...v.materials, ...v.colors], index);
    case 'language':
      return 'en';
    case 'color':
      return nth(v.colors, index);
    case 'material':
      return nth(v.materials, index);
    default:
      return `${v.name} — ${pick(v.rng, adjectives)}`;
  }
}

function fitLength(text: string, schema: JsonSchema, v: Voice): string {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  let chars = Array.from(text);
  while (chars.length < min) chars = chars.concat(Array.from(` ${v.name}`));
  if (chars.length > max) {
    chars = chars.slice(0, max);
    const cut = chars.lastIndexOf(' ');
    if (cut > max * 0.6 && cut >= min) chars = chars.slice(0, cut);
  }
  return chars.join('');
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith('#')) return {};
  let cursor: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cursor =
      cursor !== null && typeof cursor === 'object' ? (cursor as Record<string, unknown>)[key] : undefined;
  }
  return cursor !== null && typeof cursor === 'object' ? (cursor as JsonSchema) : {};
}

function asSchema(value: unknown): JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') ?? type[0];
  if (schema.properties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function numberFor(schema: JsonSchema, rng: Rng, integer: boolean): number {
  const lo =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + (integer ? 1 : 0.01)
        : 0;
  const hi =
    typeof schema.maximum === 'number'
      ? schema.maximum
      : typeof schema.exclusiveMaximum === 'number'
        ? schema.exclusiveMaximum - (integer ? 1 : 0.01)
        : lo + 100;
  const value = lo + rng() * Math.max(0, hi - lo);
  return integer
    ? Math.min(Math.floor(hi), Math.max(Math.ceil(lo), Math.round(value)))
    : Math.round(value * 100) / 100;
}

/** A value conforming to `schema` (the subset constrained decoding handles well). */
function valueFor(
  schema: JsonSchema,
  root: JsonSchema,
  v: Voice,
  key: string,
  index: number,
  depth: number,
): unknown {
  if (depth > 12) return null;
  if (typeof schema.$ref === 'string')
    return valueFor(resolveRef(root, schema.$ref), root, v, key, index, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pick(v.rng, schema.enum);
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const options = schema[combinator];
    if (Array.isArray(options) && options.length > 0) {
      const preferred = options.map(asSchema).find((o) => o.type !== 'null') ?? asSchema(options[0]);
      return valueFor(preferred, root, v, key, index, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const merged: JsonSchema = {};
    for (const part of schema.allOf.map(asSchema)) Object.assign(merged, part);
    return valueFor(merged, root, v, key, index, depth + 1);
  }
  switch (typeOf(schema)) {
    case 'object': {
      const properties = asSchema(schema.properties);
      const out: Record<string, unknown> = {};
      // Every property in schema order: a model told about optional fields fills them in too.
      for (const [prop, propSchema] of Object.entries(properties)) {
        out[prop] = valueFor(asSchema(propSchema), root, v, prop, 0, depth + 1);
      }
      const required = Array.isArray(schema.required) ? schema.required : [];
      for (const prop of required) {
        if (typeof prop === 'string' && !(prop in out)) out[prop] = stringFor(v, roleOf(prop), 0);
      }
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
      const count = Math.min(max, Math.max(min, 3 + Math.floor(v.rng() * 2)));
      const items = asSchema(Array.isArray(schema.prefixItems) ? schema.prefixItems[0] : schema.items);
      return Array.from({ length: count }, (_, i) => valueFor(items, root, v, key, i, depth + 1));
    }
    case 'integer':
      return numberFor(schema, v.rng, true);
    case 'number':
      return numberFor(schema, v.rng, false);
    case 'boolean':
      return v.rng() < 0.5;
    case 'null':
      return null;
    default:
      return fitLength(stringFor(v, roleOf(key), index), schema, v);
  }
}

export interface WriteRequest {
  /** Every text the model "reads" (chat message contents, or system + prompt). */
  texts: readonly string[];
  format: { kind: 'none' } | { kind: 'json' } | { kind: 'schema'; schema: JsonSchema };
  rngKey: string;
}

/** The full answer the fake model gives (before any truncation by num_predict). */
export function writeAnswer(request: WriteRequest): string {
  const facts = extractFacts(request.texts);
  const v = voiceFor(facts, rngFor(request.rngKey));
  if (request.format.kind === 'schema') {
    return JSON.stringify(valueFor(request.format.schema, request.format.schema, v, 'root', 0, 0));
  }
  if (request.format.kind === 'json') {
    return JSON.stringify({
      title: title(v),
      tagline: tagline(v),
      bullets: [0, 1, 2].map((i) => bullet(v, i)),
      description: description(v),
    });
  }
  return `${tagline(v)} ${description(v)}`;
}

/** Prose a small model might produce instead of the JSON it was asked for. */
export function writeChatter(request: WriteRequest): string {
  const facts = extractFacts(request.texts);
  const v = voiceFor(facts, rngFor(`${request.rngKey}:chatter`));
  return `Sure! Here is some copy for the ${v.name}:\n\n**${title(v)}**\n${tagline(v)}\n\n- ${bullet(v, 0)}\n- ${bullet(v, 1)}`;
}

/** Valid JSON that breaks the schema: the first required key is dropped and a string becomes a number. */
export function breakSchema(answer: string, format: WriteRequest['format']): string {
  let value: unknown;
  try {
    value = JSON.parse(answer);
  } catch {
    return '{"answer": 42}';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '{"answer": 42}';
  const record = { ...(value as Record<string, unknown>) };
  const required =
    format.kind === 'schema' && Array.isArray(format.schema.required)
      ? format.schema.required
      : Object.keys(record);
  const first = required.find((k): k is string => typeof k === 'string');
  if (first !== undefined) delete record[first];
  for (const [key, v] of Object.entries(record)) {
    if (typeof v === 'string') {
      record[key] = v.length;
      break;
    }
  }
  return JSON.stringify(record);
}

/** A short, deterministic "reasoning" text for thinking-capable fake models. */
export function writeThinking(request: WriteRequest): string {
  const facts = extractFacts(request.texts);
  const name = facts.name ?? 'the product';
  return `The user wants copy for ${name}. Key facts: ${[...facts.materials, ...facts.colors].join(', ') || 'none given'}. I will keep it concise.`;
}
