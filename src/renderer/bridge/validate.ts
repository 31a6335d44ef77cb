// Boundary checks shared by both bridges: inputs before they leave, results and events as they arrive.
import {
  describeZodError,
  type EventName,
  events,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  methods,
  parseOrThrow,
  SerializedErrorSchema,
  ShowcaseError,
} from '../../shared/index.ts';
import type { BridgeEvent } from './types.ts';

/** Validates an input with the method's schema so a bad form field fails fast, naming the field. */
export function checkInput<M extends MethodName>(method: M, input: MethodInput<M>): unknown {
  return parseOrThrow(methods[method].input, input ?? {}, method);
}

export function parseResult<M extends MethodName>(method: M, raw: unknown): MethodOutput<M> {
  const parsed = methods[method].output.safeParse(raw);
  if (!parsed.success) {
    throw new ShowcaseError(
      'backend_error',
      `Unexpected reply from ${method}: ${describeZodError(parsed.error)}`,
      {
        hint: 'The studio engine and this window may be different versions; restart the studio.',
        details: { method },
      },
    );
  }
  return parsed.data as MethodOutput<M>;
}

/** Turns an `{ result } | { error }` reply (HTTP body or IPC return value) into the result or a thrown ShowcaseError. */
export function unwrapReply<M extends MethodName>(method: M, reply: unknown): MethodOutput<M> {
  if (reply !== null && typeof reply === 'object') {
    if ('error' in reply) {
      const err = SerializedErrorSchema.safeParse(reply.error);
      if (err.success) throw ShowcaseError.fromSerialized(err.data);
      throw new ShowcaseError('backend_error', `${method} failed with an unreadable error`, {
        details: { method },
      });
    }
    if ('result' in reply) return parseResult(method, reply.result);
  }
  throw new ShowcaseError('backend_error', `Unexpected reply from ${method}: no result`, {
    details: { method },
  });
}

function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

/** Returns the typed event, or null (the caller logs and drops it) when the name or payload is unknown. */
export function parseEvent(name: unknown, payload: unknown): BridgeEvent | null {
  if (typeof name !== 'string' || !isEventName(name)) return null;
  const parsed = events[name].safeParse(payload);
  if (!parsed.success) return null;
  return { event: name, payload: parsed.data } as BridgeEvent;
}
