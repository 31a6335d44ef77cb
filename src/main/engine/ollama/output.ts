// What the client makes of Ollama's replies: model names, stats, the structured-output format sent on
// the wire, the cheap token-chunk checks, and the JSON check of a completion against its schema.
import { z } from 'zod';
import { isRecord, ShowcaseError } from '../../../shared/index.ts';
import { truncate } from './transport.ts';
import type { JsonSchemaObject, OllamaFormat, OllamaModelDetails, OllamaStats } from './types.ts';
import type { ChatChunk, GenerateChunk, ModelDetailsSchema } from './wire.ts';

/** `llama3.2` ≡ `llama3.2:latest`. */
export function normalizeModelName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

export function toDetails(raw: z.infer<typeof ModelDetailsSchema> | undefined): OllamaModelDetails {
  return {
    format: raw?.format,
    family: raw?.family,
    families: raw?.families ?? [],
    parameterSize: raw?.parameter_size,
    quantizationLevel: raw?.quantization_level,
  };
}

export function toStats(final: ChatChunk | GenerateChunk): OllamaStats {
  const ms = (ns: number | undefined) => (ns ?? 0) / 1e6;
  const evalTokens = final.eval_count ?? 0;
  const evalMs = ms(final.eval_duration);
  return {
    totalMs: ms(final.total_duration),
    loadMs: ms(final.load_duration),
    promptTokens: final.prompt_eval_count ?? 0,
    evalTokens,
    promptEvalMs: ms(final.prompt_eval_duration),
    evalMs,
    tokensPerSecond: evalMs > 0 ? evalTokens / (evalMs / 1000) : undefined,
  };
}

export function isZod(format: OllamaFormat | undefined): format is z.ZodType {
  return format instanceof z.ZodType;
}

/** The `format` field for the wire: zod schemas become JSON Schema (zod 4 `toJSONSchema`). */
export function formatForWire(format: OllamaFormat | undefined): JsonSchemaObject | 'json' | undefined {
  if (format === undefined || format === 'json') return format;
  if (isZod(format)) {
    // The copy schema is the same object for every product: convert it once.
    let schema = wireSchemas.get(format);
    if (!schema) {
      schema = z.toJSONSchema(format, { unrepresentable: 'any' }) as JsonSchemaObject;
      wireSchemas.set(format, schema);
    }
    return schema;
  }
  return format;
}

const wireSchemas = new WeakMap<z.ZodType, JsonSchemaObject>();

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

/** `{model, created_at, message: {role, content[, thinking]}, done: false}` — nothing else to check. */
export function isChatToken(chunk: Record<string, unknown>): boolean {
  const message = chunk.message;
  return (
    optionalString(chunk.created_at) &&
    isRecord(message) &&
    typeof message.role === 'string' &&
    optionalString(message.content) &&
    optionalString(message.thinking) &&
    message.tool_calls == null
  );
}

/** `{model, created_at, response[, thinking], done: false}`. */
export function isGenerateToken(chunk: Record<string, unknown>): boolean {
  return (
    optionalString(chunk.created_at) &&
    optionalString(chunk.response) &&
    optionalString(chunk.thinking) &&
    chunk.context == null
  );
}

const RAW_PREVIEW_CHARS = 2_000;

/**
 * Parses and validates model output against `schema`, or throws `llm_invalid_output` (retryable:
 * small models do produce prose, cut-off or off-schema JSON now and then).
 */
export function validateJsonOutput<S extends z.ZodType>(
  schema: S,
  result: { content: string; doneReason: string; model: string },
): z.output<S> {
  const details = (issues: unknown[]) => ({
    model: result.model,
    doneReason: result.doneReason,
    raw: truncate(result.content, RAW_PREVIEW_CHARS),
    rawLength: result.content.length,
    issues,
  });
  const hint = 'Retry; if it keeps failing, lower the temperature, raise num_predict, or use a larger model';
  if (result.doneReason === 'length') {
    throw new ShowcaseError(
      'llm_invalid_output',
      `Ollama (${result.model}) stopped at the token limit (done_reason "length") before the JSON was complete`,
      {
        hint,
        retryable: true,
        details: details([{ path: '', message: 'output truncated at the token limit' }]),
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(result.content);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ShowcaseError(
      'llm_invalid_output',
      `Ollama (${result.model}) returned text that is not valid JSON: ${message}`,
      {
        hint,
        retryable: true,
        details: details([{ path: '', message }]),
      },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
      code: i.code,
    }));
    throw new ShowcaseError(
      'llm_invalid_output',
      `Ollama (${result.model}) returned JSON that does not match the expected shape: ${issues
        .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
        .join('; ')}`,
      { hint, retryable: true, details: details(issues) },
    );
  }
  return parsed.data;
}
