// Fixtures for the sync tests: workstations (real SQLite files), raw views of their tables, a
// Postgres client for looking at the server side, and a wire-protocol peer that rejects passwords.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { Store } from '../../../../src/main/engine/store/index.ts';
import { syncedTables } from '../../../../src/main/engine/store/index.ts';
import type { SyncEngineOptions } from '../../../../src/main/engine/sync/index.ts';
import { SyncEngine } from '../../../../src/main/engine/sync/index.ts';

export {
  assetDraft,
  fakeClock,
  galleryDraft,
  product,
  seedGallery,
  type TempStores,
  tempStores,
} from '../store/helpers.ts';

let schemaCounter = 0;
/** A schema name unique within the test file (each file has its own database too). */
export function freshSchema(label: string): string {
  schemaCounter += 1;
  return `t_${label}_${schemaCounter}`;
}

/** Engines made here are closed by `closeEngines`. */
const engines: SyncEngine[] = [];
export function engineFor(
  store: Store,
  url: string | undefined,
  options: SyncEngineOptions = {},
): SyncEngine {
  const engine = new SyncEngine(store, { url, connectTimeoutMs: 3000, ...options });
  engines.push(engine);
  return engine;
}
export async function closeEngines(): Promise<void> {
  for (const e of engines.splice(0)) await e.close();
}

/** Every row of every synced table (hlc included) straight from the SQLite file, for convergence checks. */
export function rawTables(
  path: string,
  tables: readonly string[] = syncedTables.filter((t) => t !== 'jobs'),
) {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of tables) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY id`).all();
    return out;
  } finally {
    db.close();
  }
}

/** Runs `fn` with a short-lived client on `url`. */
export async function withPg<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function count(url: string, sql: string, params: unknown[] = []): Promise<number> {
  return withPg(url, async (c) => Number((await c.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0));
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export interface PasswordRejectingPeer {
  port: number;
  /** Passwords clients sent (proves the password was on the wire, so a clean message is not luck). */
  received: string[];
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/**
 * Speaks just enough of the PostgreSQL v3 protocol to refuse a login the way a real server does with
 * `password` auth: AuthenticationCleartextPassword, then ErrorResponse 28P01 (invalid_password).
 */
export async function startPasswordRejectingPeer(): Promise<PasswordRejectingPeer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!started) {
        if (buf.length < 4) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        if (code === 80877103) {
          socket.write('N'); // SSLRequest: no TLS here
          return;
        }
        started = true;
        const auth = Buffer.alloc(4);
        auth.writeInt32BE(3); // AuthenticationCleartextPassword
        socket.write(message('R', auth));
        return;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1);
      if (buf.length < len + 1) return;
      if (buf.toString('latin1', 0, 1) === 'p')
        received.push(buf.toString('utf8', 5, len).replace(/\0$/, ''));
      buf = buf.subarray(len + 1);
      const fields = Buffer.from(
        'SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "alice"\0\0',
        'utf8',
      );
      socket.end(message('E', fields));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    received,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
