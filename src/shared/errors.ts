// Typed errors shared by every layer. An error that crosses a process or network boundary travels as
// `SerializedError` and is rebuilt as a `ShowcaseError` on the other side.
import { z } from 'zod';

export const errorCodes = [
  'invalid_input', // a payload, sheet row or setting failed validation (details name the field)
  'not_found', // a product, gallery, asset, template or job id that does not exist
  'conflict', // the operation does not fit the current state (e.g. approving a running showcase)
  'backend_unreachable', // ComfyUI / Ollama / Postgres / S3 / SMTP cannot be reached
  'backend_error', // a backend answered with an unexpected status or body
  'comfy_validation', // ComfyUI refused a graph (HTTP 400 with node_errors)
  'comfy_execution', // a node raised during execution (execution_error)
  'out_of_memory', // GPU out of memory (torch.OutOfMemoryError)
  'interrupted', // the job was interrupted or cancelled
  'timeout', // a request or a job took longer than allowed
  'model_missing', // a model file (ComfyUI) or a model tag (Ollama) is not installed
  'llm_invalid_output', // the LLM produced text that is not valid JSON for the schema
  'template_error', // a workflow template is malformed or a placeholder is missing/unknown
  'auth_failed', // wrong credentials or a missing/incorrect API token
  'storage_error', // the local store or file system failed
  'sync_error', // Postgres sync failed (schema too new, migration failed …)
  'publish_error', // S3 upload or e-mail delivery failed
  'internal', // a bug: anything not covered above
] as const;

export const ErrorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const SerializedErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** What the operator can do about it, in one sentence. */
  hint: z.string().optional(),
  /** Machine-readable context: the failing field path, node ids, HTTP status … (never secrets). */
  details: z.record(z.string(), z.unknown()).optional(),
  retryable: z.boolean().default(false),
});
export type SerializedError = z.infer<typeof SerializedErrorSchema>;

export interface ShowcaseErrorOptions {
  hint?: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
}

export class ShowcaseError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ShowcaseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShowcaseError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): SerializedError {
    const out: SerializedError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }

  static fromSerialized(e: SerializedError): ShowcaseError {
    return new ShowcaseError(e.code, e.message, {
      ...(e.hint === undefined ? {} : { hint: e.hint }),
      ...(e.details === undefined ? {} : { details: e.details }),
      retryable: e.retryable,
    });
  }
}

/**
 * The error for work stopped by `signal`: its reason when that is already a ShowcaseError (a timeout,
 * a cancel with its own message), else `interrupted` with `message`.
 */
export function abortedBy(
  signal: AbortSignal,
  message: string,
  details?: Record<string, unknown>,
): ShowcaseError {
  if (signal.reason instanceof ShowcaseError) return signal.reason;
  return new ShowcaseError('interrupted', message, details === undefined ? {} : { details });
}

/** Wraps anything thrown into a ShowcaseError without losing an existing code. */
export function toShowcaseError(err: unknown): ShowcaseError {
  if (err instanceof ShowcaseError) return err;
  if (err instanceof z.ZodError) return invalidInput(err);
  const message = err instanceof Error ? err.message : String(err);
  return new ShowcaseError('internal', message, { cause: err });
}

/** Formats a zod error as one readable sentence naming every failing field. */
export function describeZodError(err: z.ZodError, prefix?: string): string {
  const parts = err.issues.map((issue) => {
    const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return parts.join('; ');
}

export function invalidInput(err: z.ZodError, prefix?: string): ShowcaseError {
  const fields = err.issues.map((i) => [...(prefix ? [prefix] : []), ...i.path.map(String)].join('.'));
  return new ShowcaseError('invalid_input', `Invalid input — ${describeZodError(err, prefix)}`, {
    details: { fields },
  });
}

/** Parses `value` with `schema`, throwing an `invalid_input` ShowcaseError that names the fields. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, prefix?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error, prefix);
  return result.data;
}
