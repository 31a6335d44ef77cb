// The sync part of the method table (issue #16): status, a manual round, and the conflicts a round
// kept for the operator. Spread into `methods` in api.ts like api-edits.ts, so every transport and the
// CLI get them like any other method; api.ts re-exports the conflict schemas under their old names.
import { z } from 'zod';
import { SyncStatusSchema } from './domain.ts';

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

/** A synced row as JSON (snake_case columns), as kept in a sync conflict. */
export const ConflictVersionSchema = z.record(z.string(), z.json());

/** The version of a row that lost a sync race, kept beside the one that won for the operator to pick. */
export const SyncConflictSchema = z.object({
  id: z.number().int().positive(),
  table: z.string(),
  rowId: z.string(),
  /** This workstation's version (null when a pulled row was refused and nothing local was involved). */
  local: ConflictVersionSchema.nullable(),
  remote: ConflictVersionSchema.nullable(),
  localHlc: z.string().nullable(),
  remoteHlc: z.string().nullable(),
  resolved: z.boolean(),
  at: z.string(),
  /** The field(s) both edits changed (columns of one field group), when known. */
  field: z.string().nullable().optional(),
  /** Why it was recorded: two edits of the same field, a clock refused for skew, a schema mismatch. */
  reason: z.enum(['concurrent_edit', 'clock_skew', 'schema']).optional(),
});
export type ConflictRecord = z.infer<typeof SyncConflictSchema>;

export const ConflictSideSchema = z.enum(['local', 'remote']);
export type ConflictSide = z.infer<typeof ConflictSideSchema>;

export const syncMethods = {
  'sync.status': method(z.object({}), SyncStatusSchema),
  'sync.now': method(
    z.object({}),
    z.object({ pushed: z.number().int(), pulled: z.number().int(), conflicts: z.number().int() }),
  ),
  'sync.conflicts': method(
    z.object({
      /** Omit for all conflicts; `false` for the ones still waiting for a decision. */
      resolved: z.boolean().optional(),
      limit: z.number().int().min(1).max(10_000).default(200),
    }),
    z.array(SyncConflictSchema),
  ),
  'sync.resolveConflict': method(
    z.object({ conflictId: z.number().int().positive(), keep: ConflictSideSchema }),
    SyncConflictSchema,
  ),
};
