// The HTTP status the local API answers a contract error with.
import type { ShowcaseError } from '../../shared/index.ts';

export function httpStatusFor(error: ShowcaseError): number {
  switch (error.code) {
    case 'invalid_input':
    case 'template_error':
      return 400;
    // 401 is the API token's answer alone (the server sends it itself): an auth_failed out of the
    // engine is a backend refusing its credentials (Postgres, S3, SMTP, Ollama), an upstream failure.
    case 'auth_failed':
      return 502;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'backend_unreachable':
    case 'backend_error':
    case 'comfy_validation':
    case 'comfy_execution':
    case 'model_missing':
    case 'out_of_memory':
    case 'llm_invalid_output':
    case 'sync_error':
    case 'publish_error':
      return 502;
    case 'timeout':
      return 504;
    default:
      return 500;
  }
}
