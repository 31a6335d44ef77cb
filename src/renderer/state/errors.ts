// Turns errors into something an operator can act on: what failed, why, and what to do next.
import {
  type ErrorCode,
  errorCodes,
  SerializedErrorSchema,
  ShowcaseError,
  toShowcaseError,
} from '../../shared/index.ts';

export interface ErrorInfo {
  code: ErrorCode;
  /** Short headline: what failed. */
  title: string;
  message: string;
  /** What to do about it (the engine's hint when it sent one). */
  hint: string;
  retryable: boolean;
}

const TITLES: Record<ErrorCode, string> = {
  invalid_input: 'Some values are not valid',
  not_found: 'Not found',
  conflict: 'Not possible right now',
  backend_unreachable: 'A backend cannot be reached',
  backend_error: 'A backend answered unexpectedly',
  comfy_validation: 'ComfyUI refused the workflow',
  comfy_execution: 'ComfyUI failed while rendering',
  out_of_memory: 'The GPU ran out of memory',
  interrupted: 'Interrupted',
  timeout: 'Took too long',
  model_missing: 'A model is not installed',
  llm_invalid_output: 'The language model wrote unusable copy',
  template_error: 'A workflow template is broken',
  auth_failed: 'Access denied',
  storage_error: 'Saving to disk failed',
  sync_error: 'Sync with Postgres failed',
  publish_error: 'Publishing failed',
  internal: 'Something went wrong',
};

const DEFAULT_HINTS: Record<ErrorCode, string> = {
  invalid_input: 'Correct the highlighted fields and try again.',
  not_found: 'It may have been deleted or not created yet; refresh the view.',
  conflict: 'Wait for the running work to finish (or cancel it), then try again.',
  backend_unreachable: 'Check that ComfyUI / Ollama are running and the URLs in Settings are right.',
  backend_error: 'Check the backend’s own log; retrying often helps.',
  comfy_validation: 'Run the template lint in Templates; a node or model name does not match the server.',
  comfy_execution: 'Open the ComfyUI console for the node error, then regenerate the image.',
  out_of_memory:
    'Close other GPU programs or lower the size/steps, then regenerate; the queue retries sequentially.',
  interrupted: 'Regenerate the image when you are ready.',
  timeout: 'The backend may be overloaded; check the Queue view and retry.',
  model_missing: 'Install the model on the backend (or pick another in Settings / Templates).',
  llm_invalid_output:
    'Regenerate, or edit the copy by hand; the images still render from the fallback prompts.',
  template_error: 'Run the template lint in Templates to see which placeholder or node is wrong.',
  auth_failed: 'Open the studio again from the address printed by `showcase serve --ui`.',
  storage_error: 'Check free disk space and the output folder in Settings.',
  sync_error: 'Check the Postgres URL in Settings; local work is kept and syncs later.',
  publish_error: 'Check the S3 / SMTP settings and try again.',
  internal: 'Try again; if it repeats, send the studio log to the team.',
};

function isErrorCode(value: string): value is ErrorCode {
  return (errorCodes as readonly string[]).includes(value);
}

function fromShowcaseError(e: ShowcaseError): ErrorInfo {
  return {
    code: e.code,
    title: TITLES[e.code],
    message: e.message,
    hint: e.hint ?? DEFAULT_HINTS[e.code],
    retryable: e.retryable,
  };
}

export function errorInfo(err: unknown): ErrorInfo {
  return fromShowcaseError(toShowcaseError(err));
}

const GUESSES: Array<[RegExp, ErrorCode]> = [
  [/out of memory|outofmemory|\boom\b|cuda error/i, 'out_of_memory'],
  [/econnrefused|unreachable|fetch failed|socket hang up|enotfound/i, 'backend_unreachable'],
  [/model.*(missing|not (found|installed))|value not in list/i, 'model_missing'],
  [/timed? ?out/i, 'timeout'],
  [/interrupt|cancel/i, 'interrupted'],
  [/invalid json|not valid json|llm/i, 'llm_invalid_output'],
  [/node_errors|prompt_outputs_failed_validation|validation/i, 'comfy_validation'],
];

/**
 * Job failures arrive as a plain string (`job.failed.error`, `asset.error`). Reads a serialized
 * ShowcaseError or a `code: message` string when the engine sends one, and otherwise recognises the
 * common failures by their wording.
 */
export function jobErrorInfo(error: string): ErrorInfo {
  const trimmed = error.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = SerializedErrorSchema.safeParse(JSON.parse(trimmed));
      if (parsed.success) return fromShowcaseError(ShowcaseError.fromSerialized(parsed.data));
    } catch {
      // not JSON after all
    }
  }
  const prefixed = /^([a-z_]+):\s*(.*)$/s.exec(trimmed);
  if (prefixed?.[1] && isErrorCode(prefixed[1])) {
    return fromShowcaseError(new ShowcaseError(prefixed[1], prefixed[2] ?? ''));
  }
  const code = GUESSES.find(([pattern]) => pattern.test(trimmed))?.[1] ?? 'internal';
  return { code, title: TITLES[code], message: trimmed, hint: DEFAULT_HINTS[code], retryable: true };
}

/** Field paths named by an invalid_input error (`details.fields`), for highlighting form fields. */
export function errorFields(err: unknown): string[] {
  const e = toShowcaseError(err);
  const fields = e.details?.fields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}
