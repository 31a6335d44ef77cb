// The message protocol between the main process and the engine host (an Electron utilityProcess).
// Both ends parse every message with these schemas: the port is a process boundary like any other.
//
//   main → host   { type: 'init', options, sealSecrets, secrets }     once, first
//                 { id, method, input }                               a contract call
//                 { type: 'shutdown' }                                close the engine, then exit
//   host → main   { type: 'ready' } | { type: 'fatal', error }        answer to init
//                 { id, result, secrets? } | { id, error }            answer to a call
//                 { event, payload }                                  an engine event
//                 { type: 'log', line }                               a diagnostic line
//                 { type: 'closed' }                                  answer to shutdown
//
// `secrets` rides only on a successful `settings.update` reply when sealing is on: the new clear
// values the main process must store encrypted (see settings-secrets.ts).
import { z } from 'zod';
import {
  ReplyErrorSchema,
  ReplyResultSchema,
  SerializedErrorSchema,
  SettingsPatchSchema,
} from '../../shared/index.ts';
import { SecretValuesSchema } from './settings-secrets.ts';

export const EngineHostOptionsSchema = z.object({
  dbPath: z.string().min(1),
  outputRoot: z.string().min(1),
  templatesDir: z.string().min(1).optional(),
  objectInfoPath: z.string().min(1).optional(),
  /** Settings for this run only (e.g. demo backends); never persisted. */
  overrides: SettingsPatchSchema.optional(),
});
export type EngineHostOptions = z.infer<typeof EngineHostOptionsSchema>;

export const HostInitSchema = z.object({
  type: z.literal('init'),
  options: EngineHostOptionsSchema,
  /** True when the main process can encrypt secrets (safeStorage): the host keeps them out of SQLite. */
  sealSecrets: z.boolean(),
  secrets: SecretValuesSchema,
});
export type HostInit = z.infer<typeof HostInitSchema>;

export const HostCallSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1),
  input: z.unknown(),
});
export type HostCall = z.infer<typeof HostCallSchema>;

export const HostShutdownSchema = z.object({ type: z.literal('shutdown') });

export const MainToHostSchema = z.union([HostInitSchema, HostShutdownSchema, HostCallSchema]);
export type MainToHost = z.infer<typeof MainToHostSchema>;

/** The contract's reply envelope (src/shared/reply.ts) with the call's id. */
export const HostReplySchema = z.union([
  ReplyErrorSchema.extend({ id: z.number().int().nonnegative() }),
  ReplyResultSchema.extend({
    id: z.number().int().nonnegative(),
    secrets: SecretValuesSchema.optional(),
  }),
]);
export type HostReply = z.infer<typeof HostReplySchema>;

export const HostEventSchema = z.object({ event: z.string().min(1), payload: z.unknown() });

export const HostStatusSchema = z.union([
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('fatal'), error: SerializedErrorSchema }),
  z.object({ type: z.literal('closed') }),
  z.object({ type: z.literal('log'), line: z.string() }),
]);

export const HostToMainSchema = z.union([HostStatusSchema, HostReplySchema, HostEventSchema]);
export type HostToMain = z.infer<typeof HostToMainSchema>;
