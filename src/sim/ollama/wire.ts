// Request bodies as the fake Ollama accepts them, parsed with zod, and the Go-flavoured error texts a
// real server answers with (clients match on status + "not found", not on whole strings, but tests
// of this fake assert the texts documented in the protocol notes).
import { z } from 'zod';

/** A request was refused: HTTP status + the `{"error": message}` body. */
export class SimHttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'SimHttpError';
    this.status = status;
  }
}

// Unknown fields are ignored (gin binds without DisallowUnknownFields); JSON null is "absent" in Go.
const optionalString = z.string().nullish();
const optionalBool = z.boolean().nullish();

const MessageSchema = z.looseObject({
  role: z.string(),
  content: optionalString,
  thinking: optionalString,
  images: z.array(z.string()).nullish(),
});

const commonFields = {
  model: optionalString,
  format: z.unknown().optional(),
  options: z.record(z.string(), z.unknown()).nullish(),
  stream: optionalBool,
  keep_alive: z.unknown().optional(),
  think: z.unknown().optional(),
};

export const GenerateRequestSchema = z.looseObject({
  ...commonFields,
  prompt: optionalString,
  system: optionalString,
  suffix: optionalString,
  template: optionalString,
  raw: optionalBool,
  images: z.array(z.string()).nullish(),
  context: z.array(z.number().int()).nullish(),
});
export type GenerateRequest = z.infer<typeof GenerateRequestSchema>;

export const ChatRequestSchema = z.looseObject({
  ...commonFields,
  messages: z.array(MessageSchema).nullish(),
  tools: z.array(z.unknown()).nullish(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const ModelRequestSchema = z.looseObject({
  model: optionalString,
  /** Older clients send `name`. */
  name: optionalString,
  stream: optionalBool,
  verbose: optionalBool,
  insecure: optionalBool,
});
export type ModelRequest = z.infer<typeof ModelRequestSchema>;

const goFieldTypes: Record<string, Record<string, string>> = {
  GenerateRequest: {
    model: 'string',
    prompt: 'string',
    system: 'string',
    suffix: 'string',
    template: 'string',
    raw: 'bool',
    stream: 'bool',
    images: '[]api.ImageData',
    context: '[]int',
    options: 'map[string]interface {}',
  },
  ChatRequest: {
    model: 'string',
    messages: '[]api.Message',
    'messages.role': 'string',
    'messages.content': 'string',
    'messages.thinking': 'string',
    'messages.images': '[]api.ImageData',
    stream: 'bool',
    tools: 'api.Tools',
    options: 'map[string]interface {}',
  },
  ModelRequest: { model: 'string', name: 'string', stream: 'bool', verbose: 'bool', insecure: 'bool' },
};

function goKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cursor: unknown = root;
  for (const key of path) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<PropertyKey, unknown>)[key];
  }
  return cursor;
}

/** Parses a body with `schema`; a type mismatch becomes Go's `json: cannot unmarshal …` 400. */
export function parseBody<T extends z.ZodType>(
  schema: T,
  goStruct: keyof typeof goFieldTypes,
  body: unknown,
): z.output<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SimHttpError(
      400,
      `json: cannot unmarshal ${goKind(body)} into Go value of type api.${goStruct}`,
    );
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const fieldPath = path.filter((p) => typeof p === 'string').join('.');
  const goType = goFieldTypes[goStruct]?.[fieldPath] ?? 'string';
  throw new SimHttpError(
    400,
    `json: cannot unmarshal ${goKind(valueAt(body, path))} into Go struct field ${goStruct}.${fieldPath} of type ${goType}`,
  );
}

/** The text Go's encoding/json gives for a body that is not JSON at all. */
export function goSyntaxError(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed === '') return 'unexpected EOF';
  const first = trimmed[0] ?? '';
  if (!/[[{"\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`;
  try {
    JSON.parse(text);
    return 'invalid JSON';
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    const position = /position (\d+)/.exec(message);
    if (!position) return 'unexpected EOF';
    const char = text[Number(position[1])] ?? '';
    return `invalid character '${char}' looking for beginning of value`;
  }
}

const durationUnitsMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Forever (`keep_alive < 0`). */
export const KEEP_FOREVER = -1;

/**
 * `keep_alive` in milliseconds, or KEEP_FOREVER. Numbers are seconds (Go truncates to whole seconds),
 * strings are Go durations (`"5m"`, `"1h30m"`, `"300ms"`, `"0"`); anything negative means forever.
 */
export function parseKeepAlive(value: unknown, fallbackMs: number): number {
  if (value === undefined || value === null) return fallbackMs;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SimHttpError(400, `invalid keep_alive value: ${value}`);
    return value < 0 ? KEEP_FOREVER : Math.trunc(value) * 1_000;
  }
  if (typeof value === 'string') {
    const ms = parseGoDuration(value);
    if (ms === null) throw new SimHttpError(400, `time: invalid duration ${JSON.stringify(value)}`);
    return ms < 0 ? KEEP_FOREVER : ms;
  }
  throw new SimHttpError(
    400,
    `json: cannot unmarshal ${goKind(value)} into Go struct field of type api.Duration`,
  );
}

/** Go's time.ParseDuration, in milliseconds; null when the text is not a duration. */
export function parseGoDuration(text: string): number | null {
  const match = /^([+-]?)(.+)$/.exec(text);
  if (!match) return null;
  const sign = match[1] === '-' ? -1 : 1;
  const rest = match[2] ?? '';
  if (rest === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < rest.length) {
    part.lastIndex = index;
    const m = part.exec(rest);
    if (!m) return null;
    total += Number(m[1]) * (durationUnitsMs[m[2] ?? ''] ?? Number.NaN);
    index = part.lastIndex;
  }
  return index === 0 || Number.isNaN(total) ? null : sign * total;
}

export const thinkLevels = ['high', 'medium', 'low', 'max'] as const;

/** `think`: undefined (model default), a bool, or a level. */
export function parseThink(value: unknown): boolean | (typeof thinkLevels)[number] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && (thinkLevels as readonly string[]).includes(value)) {
    return value as (typeof thinkLevels)[number];
  }
  throw new SimHttpError(
    400,
    `invalid think value: ${JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value))} (must be "high", "medium", "low", "max", true, or false)`,
  );
}

const integerOptions = new Set([
  'num_ctx',
  'num_predict',
  'seed',
  'top_k',
  'num_keep',
  'repeat_last_n',
  'num_batch',
  'num_gpu',
  'main_gpu',
  'num_thread',
  'draft_num_predict',
]);
const floatOptions = new Set([
  'temperature',
  'top_p',
  'min_p',
  'typical_p',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
]);
const boolOptions = new Set(['use_mmap', 'numa']);

export interface SamplingOptions {
  temperature: number;
  seed: number;
  numPredict: number;
  numCtx: number | undefined;
}

/**
 * The options the fake can observe. Unknown keys are ignored (the real server logs them); a wrong
 * type for a known key is an error that reaches the client as HTTP 500 (scheduler error path).
 */
export function parseOptions(options: Record<string, unknown> | null | undefined): SamplingOptions {
  const out: SamplingOptions = { temperature: 0.8, seed: -1, numPredict: -1, numCtx: undefined };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value === null) continue;
    if (integerOptions.has(key) && typeof value !== 'number') {
      throw new SimHttpError(500, `option "${key}" must be of type integer`);
    }
    if (floatOptions.has(key) && typeof value !== 'number') {
      throw new SimHttpError(500, `option "${key}" must be of type float32`);
    }
    if (boolOptions.has(key) && typeof value !== 'boolean') {
      throw new SimHttpError(500, `option "${key}" must be of type boolean`);
    }
    if (key === 'stop' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw new SimHttpError(500, `option "${key}" must be of type array`);
    }
  }
  const get = (key: string): number | undefined => {
    const value = options?.[key];
    return typeof value === 'number' ? value : undefined;
  };
  out.temperature = get('temperature') ?? out.temperature;
  out.seed = Math.trunc(get('seed') ?? out.seed);
  out.numPredict = Math.trunc(get('num_predict') ?? out.numPredict);
  const numCtx = get('num_ctx');
  out.numCtx = numCtx === undefined ? undefined : Math.trunc(numCtx);
  return out;
}

export type FormatSpec = { kind: 'none' } | { kind: 'json' } | { kind: 'schema'; schema: JsonSchema };

export type JsonSchema = { [key: string]: unknown };

/** `format`: absent/null/"" → none, "json" → JSON mode, an object → JSON Schema, else null (invalid). */
export function parseFormat(value: unknown): FormatSpec | null {
  if (value === undefined || value === null || value === '') return { kind: 'none' };
  if (value === 'json') return { kind: 'json' };
  if (typeof value === 'object' && !Array.isArray(value))
    return { kind: 'schema', schema: value as JsonSchema };
  return null;
}

/** The 500 a real server gives (after loading the model) for a `format` it cannot use. */
export function invalidFormatMessage(value: unknown): string {
  return `invalid format: ${JSON.stringify(JSON.stringify(value))}; expected "json" or a valid JSON Schema object`;
}
