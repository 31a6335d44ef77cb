// Maps ComfyUI failures (HTTP 400 validation replies, execution_error payloads, transport errors) to
// ShowcaseErrors with details the engine and the operator can act on.
import { type ErrorCode, ShowcaseError } from '../../../shared/errors.ts';
import { modelFolderFor } from './models.ts';
import type { NodeErrorsReply, WsExecutionError } from './schemas.ts';
import type { ComfyMissingModel, ComfyNodeErrorItem, ComfyNodeErrors } from './types.ts';

/** Details of a `comfy_validation` / `model_missing` error raised for an HTTP 400 on POST /prompt. */
export interface ComfyValidationDetails {
  type: string;
  nodeErrors: ComfyNodeErrors;
  missingModels: ComfyMissingModel[];
  status: number;
  promptId?: string;
}

/** Details of a `comfy_execution` / `out_of_memory` error raised for an `execution_error`. */
export interface ComfyExecutionDetails {
  promptId: string;
  nodeId: string | null;
  nodeType: string | null;
  exceptionType: string;
  exceptionMessage: string;
}

/** torch.OutOfMemoryError (any module path) or an accelerator message that says so (§8.3, §12.11). */
export function isOutOfMemory(exceptionType: string, exceptionMessage: string): boolean {
  if (/(^|\.)(OutOfMemoryError)$/.test(exceptionType)) return true;
  const text = exceptionMessage.toLowerCase();
  return text.includes('out of memory') || text.includes('allocation on device');
}

/** Converts the wire `node_errors` object into the client's camelCase shape. */
export function toNodeErrors(raw: NodeErrorsReply | null | undefined): ComfyNodeErrors {
  const out: ComfyNodeErrors = {};
  for (const [nodeId, entry] of Object.entries(raw ?? {})) {
    out[nodeId] = {
      classType: entry.class_type,
      dependentOutputs: entry.dependent_outputs.map(String),
      errors: entry.errors.map(
        (e): ComfyNodeErrorItem => ({
          type: e.type,
          message: e.message,
          details: e.details,
          inputName: e.extra_info?.input_name ?? null,
        }),
      ),
    };
  }
  return out;
}

/** `Node 1 (UNETLoader) input unet_name: 'x.safetensors' not in []` */
export function describeNodeError(nodeId: string, classType: string, item: ComfyNodeErrorItem): string {
  const where = `Node ${nodeId}${classType ? ` (${classType})` : ''}`;
  if (item.inputName) {
    let detail = item.details.trim();
    // ComfyUI prefixes details with the input name ("unet_name: …", "image - …"); drop the echo.
    for (const sep of [': ', ' - ']) {
      if (detail.startsWith(`${item.inputName}${sep}`))
        detail = detail.slice(item.inputName.length + sep.length);
    }
    if (detail === '' || detail === item.inputName) detail = item.message;
    return `${where} input ${item.inputName}: ${detail}`;
  }
  const detail = item.details.trim();
  return `${where}: ${item.message}${detail ? ` (${detail})` : ''}`;
}

export function describeNodeErrors(nodeErrors: ComfyNodeErrors): string[] {
  const lines: string[] = [];
  for (const [nodeId, entry] of Object.entries(nodeErrors)) {
    for (const item of entry.errors) lines.push(describeNodeError(nodeId, entry.classType, item));
  }
  return lines;
}

function receivedValue(item: ComfyNodeErrorItem, raw: unknown): string | null {
  if (typeof raw === 'string' && raw !== '') return raw;
  // details: "unet_name: 'x.safetensors' not in [...]"
  const match = /'(.+)' not in/.exec(item.details);
  return match?.[1] ?? null;
}

/** The model files a validation reply says are missing (`value_not_in_list` on a loader input). */
export function findMissingModels(raw: NodeErrorsReply | null | undefined): ComfyMissingModel[] {
  const missing: ComfyMissingModel[] = [];
  for (const [nodeId, entry] of Object.entries(raw ?? {})) {
    for (const e of entry.errors) {
      if (e.type !== 'value_not_in_list') continue;
      const inputName = e.extra_info?.input_name;
      if (!inputName) continue;
      const folder = modelFolderFor(entry.class_type, inputName);
      if (folder === null) continue;
      const item: ComfyNodeErrorItem = { type: e.type, message: e.message, details: e.details, inputName };
      const filename = receivedValue(item, e.extra_info?.received_value);
      if (filename === null) continue;
      missing.push({ nodeId, classType: entry.class_type, inputName, filename, folder });
    }
  }
  return missing;
}

export function missingModelHint(missing: ComfyMissingModel[]): string {
  const files = missing.map((m) => `${m.filename} into ComfyUI's ${m.folder}`);
  return `Install ${files.join(', ')} (ComfyUI picks new files up without a restart), or choose an installed model.`;
}

/**
 * The error for an HTTP 400 from POST /prompt. `value_not_in_list` on a model loader becomes
 * `model_missing` (the common "file not installed" case, §12.7); everything else `comfy_validation`.
 */
export function validationError(
  error: { type: string; message: string; details: string },
  rawNodeErrors: NodeErrorsReply | null | undefined,
  status: number,
  promptId?: string,
): ShowcaseError {
  const nodeErrors = toNodeErrors(rawNodeErrors);
  const missingModels = findMissingModels(rawNodeErrors);
  const lines = describeNodeErrors(nodeErrors);
  const summary =
    lines.length > 0
      ? lines.join('; ')
      : `${error.message || error.type}${error.details ? `: ${error.details}` : ''}`;
  const details: ComfyValidationDetails = { type: error.type, nodeErrors, missingModels, status };
  if (promptId !== undefined) details.promptId = promptId;
  const detailRecord = details as unknown as Record<string, unknown>;
  if (missingModels.length > 0) {
    return new ShowcaseError('model_missing', `ComfyUI is missing a model — ${summary}`, {
      hint: missingModelHint(missingModels),
      details: detailRecord,
    });
  }
  return new ShowcaseError('comfy_validation', `ComfyUI rejected the graph (${error.type}) — ${summary}`, {
    hint: 'Fix the named node inputs in the workflow template; `showcase templates lint --live` checks them against this server.',
    details: detailRecord,
  });
}

// "Model in folder 'checkpoints' with filename 'x' not found." — a file deleted after validation (§12.7).
const modelNotFoundPattern = /Model in folder '([^']+)' with filename '([^']+)' not found/;

/** The error for an `execution_error` payload (WS frame or history message). */
export function executionError(payload: WsExecutionError): ShowcaseError {
  const nodeId = payload.node_id ?? null;
  const nodeType = payload.node_type ?? null;
  const exceptionType = payload.exception_type;
  const exceptionMessage = payload.exception_message;
  const details: ComfyExecutionDetails = {
    promptId: payload.prompt_id,
    nodeId,
    nodeType,
    exceptionType,
    exceptionMessage,
  };
  const detailRecord = details as unknown as Record<string, unknown>;
  const where = nodeId === null ? 'a node' : `node ${nodeId}${nodeType ? ` (${nodeType})` : ''}`;
  // The message carries "\n<tips>" after the exception text; the first line is the useful part.
  const firstLine = exceptionMessage.split('\n')[0]?.trim() || exceptionMessage.trim();
  if (isOutOfMemory(exceptionType, exceptionMessage)) {
    return new ShowcaseError(
      'out_of_memory',
      `GPU out of memory in ${where}: ${firstLine || exceptionType}`,
      {
        hint: 'ComfyUI already unloaded its models; retry once, then lower the resolution or batch size, or free VRAM used by other apps.',
        details: detailRecord,
        retryable: true,
      },
    );
  }
  const missing = modelNotFoundPattern.exec(exceptionMessage);
  if (missing) {
    const [, folder, filename] = missing;
    return new ShowcaseError('model_missing', `ComfyUI could not find model ${filename} (${where})`, {
      hint: `Put ${filename} back into ComfyUI's models/${folder}/ folder, or choose an installed model.`,
      details: { ...detailRecord, filename, folder: `models/${folder}/` },
    });
  }
  return new ShowcaseError(
    'comfy_execution',
    `ComfyUI failed in ${where}: ${exceptionType}${firstLine ? `: ${firstLine}` : ''}`,
    { details: detailRecord },
  );
}

export function interruptedError(
  promptId: string,
  reason: 'server' | 'cancelled' | 'client_closed',
  node?: { nodeId: string | null; nodeType: string | null },
): ShowcaseError {
  const text =
    reason === 'server'
      ? `ComfyUI interrupted prompt ${promptId}${node?.nodeId ? ` in node ${node.nodeId}${node.nodeType ? ` (${node.nodeType})` : ''}` : ''}`
      : reason === 'cancelled'
        ? `Prompt ${promptId} was cancelled`
        : `Prompt ${promptId} was abandoned because the ComfyUI client closed`;
  return new ShowcaseError('interrupted', text, {
    details: { promptId, reason, nodeId: node?.nodeId ?? null, nodeType: node?.nodeType ?? null },
  });
}

export function timeoutError(what: string, ms: number, details: Record<string, unknown> = {}): ShowcaseError {
  return new ShowcaseError('timeout', `${what} took longer than ${ms} ms`, {
    details: { timeoutMs: ms, ...details },
    retryable: true,
  });
}

export function lostPromptError(promptId: string): ShowcaseError {
  return new ShowcaseError(
    'backend_error',
    `ComfyUI lost prompt ${promptId}: it is neither queued nor in history (server restarted?)`,
    {
      hint: 'Queue the prompt again; ComfyUI forgets its queue and history on restart.',
      details: { promptId, reason: 'lost' },
      retryable: true,
    },
  );
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCodesOf(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    // AggregateError (happy eyeballs) carries the per-address errors
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const e of inner) codes.push(...errorCodesOf(e));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** True for errors that mean "the socket could not be opened or died" (refused, reset …). */
export function isConnectionError(err: unknown): boolean {
  return errorCodesOf(err).some((c) => unreachableCodes.has(c));
}

/** Wraps a thrown transport error as `backend_unreachable` (retryable) or `timeout`. */
export function transportError(
  err: unknown,
  context: { url: string; method: string; route: string },
): ShowcaseError {
  if (err instanceof ShowcaseError) return err;
  const codes = errorCodesOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (codes.some((c) => timeoutCodes.has(c))) {
    return new ShowcaseError('timeout', `ComfyUI did not answer ${context.method} ${context.route} in time`, {
      details: { ...context, code: codes[0] ?? null },
      retryable: true,
      cause: err,
    });
  }
  const code: ErrorCode = 'backend_unreachable';
  return new ShowcaseError(code, `ComfyUI at ${context.url} is unreachable (${codes[0] ?? message})`, {
    hint: 'Start ComfyUI (or check the URL in Settings) and try again.',
    details: { ...context, code: codes[0] ?? null },
    retryable: true,
    cause: err,
  });
}

/** A non-2xx status that is not a /prompt validation reply. */
export function httpStatusError(
  status: number,
  context: { url: string; method: string; route: string },
  body: string,
): ShowcaseError {
  const excerpt = body.length > 300 ? `${body.slice(0, 300)}…` : body;
  return new ShowcaseError(
    'backend_error',
    `ComfyUI answered ${context.method} ${context.route} with HTTP ${status}${excerpt ? `: ${excerpt.trim()}` : ''}`,
    { details: { ...context, status, body: excerpt }, retryable: status >= 500 || status === 429 },
  );
}

/** A 2xx reply whose body does not have the documented shape. */
export function badReplyError(
  context: { url: string; method: string; route: string },
  problem: string,
): ShowcaseError {
  return new ShowcaseError(
    'backend_error',
    `ComfyUI sent an unexpected reply to ${context.method} ${context.route}: ${problem}`,
    {
      details: { ...context, problem },
    },
  );
}

/** `err` is a ShowcaseError with (one of) the given code(s). */
export function isComfyError(err: unknown, ...codes: ErrorCode[]): err is ShowcaseError {
  return err instanceof ShowcaseError && (codes.length === 0 || codes.includes(err.code));
}
