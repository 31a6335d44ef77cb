// What the engine checks about the team database on each connection and round: that it is still the
// database this workstation synced with (else its checkpoints mean nothing), and how far its clock is
// from this machine's.
import type { Client } from 'pg';
import type { Store } from '../store/index.ts';
import { EXCHANGE_KEYS } from './exchange.ts';
import { SYNC_STATE_KEYS, type SyncLogLevel } from './types.ts';

export interface ServerCheckContext {
  store: Store;
  /** The quoted schema name. */
  q: string;
  /** The database as shown to the operator (no password). */
  target: string;
  log: (level: SyncLogLevel, message: string, fields?: Record<string, unknown>) => void;
}

// Checkpoints are positions in one database's change sequence. Behind the same URL there may now be
// another database (restored from a backup, recreated, another team's): then they mean nothing, and
// this workstation pulls everything again (applying is idempotent, so that is safe).
export async function checkServerIdentity(client: Client, ctx: ServerCheckContext): Promise<void> {
  const { rows } = await client.query<{ value: string }>(
    `SELECT value FROM ${ctx.q}.sync_meta WHERE key = 'database_id'`,
  );
  const id = rows[0]?.value;
  if (!id) return;
  const known = ctx.store.syncState.get(SYNC_STATE_KEYS.serverId);
  if (known === id) return;
  ctx.store.transaction(() => {
    if (known !== null) {
      ctx.store.syncState.set(SYNC_STATE_KEYS.checkpoint, '0');
      ctx.store.syncState.set(EXCHANGE_KEYS.conflictCheckpoint, '0');
      ctx.store.syncState.set(EXCHANGE_KEYS.conflictsUploaded, '0');
    }
    ctx.store.syncState.set(SYNC_STATE_KEYS.serverId, id);
  });
  if (known !== null) {
    ctx.log(
      'warn',
      `the team database at ${ctx.target} is not the one this workstation synced with before; pulling everything again`,
    );
  }
}

/**
 * Measures the server's clock against this machine's (half the round trip either side), corrects the
 * HLC by it, and repairs a clock state left in the future. Returns the offset and the pending edits restamped.
 */
export async function measureClock(
  client: Client,
  ctx: ServerCheckContext & {
    correctClock: boolean;
    maxDriftMs: number;
    /** Called as soon as the offset is measured (the engine reports it even if the repair fails). */
    onOffset: (offsetMs: number) => void;
  },
): Promise<{ offsetMs: number; restamped: number }> {
  const clock = ctx.store.clock;
  const t0 = clock.rawWallMs();
  const { rows } = await client.query<{ ms: string }>(
    'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ms',
  );
  const t1 = clock.rawWallMs();
  const offset = Math.round(Number(rows[0]?.ms ?? t1) - (t0 + t1) / 2);
  ctx.onOffset(offset);
  if (ctx.correctClock) {
    clock.setOffset(offset);
    ctx.store.syncState.set(SYNC_STATE_KEYS.clockOffset, String(offset));
  }
  if (Math.abs(offset) > ctx.maxDriftMs) {
    ctx.log(
      'warn',
      `this workstation's clock is ${Math.round(-offset / 1000)} s off the team database's${ctx.correctClock ? "; edits are stamped in the server's time" : ''} — fix the system clock`,
      { offsetMs: offset },
    );
  }
  // Against the corrected clock (or the machine's own, once fixed): a state far ahead is repaired.
  const repair = ctx.store.syncLocal.repairClock(ctx.maxDriftMs);
  if (repair.restamped > 0 || repair.aheadMs > ctx.maxDriftMs) {
    ctx.log(
      'warn',
      `the clock state ran ${Math.round(repair.aheadMs / 1000)} s ahead; repaired, ${repair.restamped} pending edit(s) restamped`,
      { ...repair },
    );
  }
  return { offsetMs: offset, restamped: repair.restamped };
}
