// Transport-neutral dispatch of the contract's method table: parse the input with the method's
// schema, call the handler, return the output. Used by the HTTP server, the Electron IPC bridge and
// the engine host, so every adapter validates exactly the same way.
import {
  type MethodHandlers,
  type MethodName,
  methods,
  parseOrThrow,
  ShowcaseError,
} from '../../shared/index.ts';
import { quoteForError } from './quote.ts';

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
