// The one envelope every adapter answers a contract call with: the HTTP API's body
// (`POST /api/rpc/:method`), the Electron IPC handler's return value, the engine host's answer to the
// main process (with its call id) and what the renderer's bridges unwrap. A thrown error cannot cross
// those boundaries intact (`ipcMain.handle` flattens it to a string), so it travels as data.
import { z } from 'zod';
import { type SerializedError, SerializedErrorSchema, toShowcaseError } from './errors.ts';

export type ReplyResult<T = unknown> = { result: T };
export type ReplyError = { error: SerializedError };
export type Reply<T = unknown> = ReplyResult<T> | ReplyError;

export const ReplyResultSchema = z.object({ result: z.unknown() });
export const ReplyErrorSchema = z.object({ error: SerializedErrorSchema });
export const ReplySchema = z.union([ReplyErrorSchema, ReplyResultSchema]);

export function replyResult<T>(result: T): ReplyResult<T> {
  return { result };
}

/** Anything thrown, as the envelope's error (a ShowcaseError keeps its code, hint and details). */
export function replyError(err: unknown): ReplyError {
  return { error: toShowcaseError(err).toJSON() };
}
