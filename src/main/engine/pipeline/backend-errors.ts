// Every failure a job reports names the backend it happened on: "ComfyUI at http://…:8189 answered
// POST /prompt with HTTP 500", "Ollama at http://…: model "llama3.2" is not installed". With several
// servers the operator must know which one to look at.
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';

export function namingBackend(raw: unknown, label: 'ComfyUI' | 'Ollama', url: string): unknown {
  if (!(raw instanceof ShowcaseError) && !(raw instanceof Error)) return raw;
  const error = toShowcaseError(raw);
  if (error.code === 'interrupted' || error.message.includes(url)) return raw;
  const name = `${label} at ${url}`;
  let message = error.message.startsWith(`${label} `)
    ? `${name} ${error.message.slice(label.length + 1)}`
    : `${name}: ${error.message}`;
  // A missing model is fixed by the operator: the command belongs in the message the summary shows.
  if (error.code === 'model_missing' && error.hint && !message.includes(error.hint))
    message += `. ${error.hint}`;
  return new ShowcaseError(error.code, message, {
    ...(error.hint ? { hint: error.hint } : {}),
    details: { ...error.details, url },
    retryable: error.retryable,
    cause: error,
  });
}

/**
 * Only the message of a job's error reaches the asset, the gallery and the CLI summary. A missing
 * model is fixed by the operator, who needs the folder the file belongs in, and that is in the hint
 * ("Install x.safetensors into ComfyUI's models/diffusion_models/"): keep it in the message.
 */
export function withModelFolder(err: unknown): unknown {
  if (!(err instanceof ShowcaseError) || err.code !== 'model_missing' || !err.hint) return err;
  if (err.message.includes(err.hint)) return err;
  return new ShowcaseError(err.code, `${err.message}. ${err.hint}`, {
    hint: err.hint,
    ...(err.details ? { details: err.details } : {}),
    retryable: err.retryable,
    cause: err,
  });
}
