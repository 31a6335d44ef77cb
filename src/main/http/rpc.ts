// Transport-neutral dispatch of the contract's method table: parse the input with the method's
// schema, call the handler, return the output. Used by the HTTP server and the Electron IPC bridge,
// so both validate exactly the same way.
import {
  type MethodHandlers,
  type MethodName,
  methods,
  parseOrThrow,
  ShowcaseError,
} from '../../shared/index.ts';
import { quoteForError } from './guards.ts';

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

export async function dispatch(handlers: MethodHandlers, name: string, rawInput: unknown): Promise<unknown> {
  if (!isMethodName(name)) {
    throw new ShowcaseError('not_found', `Unknown method ${quoteForError(name, 64)}`, {
      hint: `Known methods: ${Object.keys(methods).join(', ')}`,
    });
  }
  const input = parseOrThrow(methods[name].input, rawInput ?? {}, name);
  // The handler table is keyed by the same names; the cast bridges TypeScript's lack of
  // correlated-union narrowing for `handlers[name](input)`.
  const handler = handlers[name] as (input: unknown) => Promise<unknown>;
  return handler(input);
}

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
