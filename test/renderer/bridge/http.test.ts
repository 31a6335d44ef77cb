// HttpBridge against the real local API server (startApiServer) on a real socket, with Node's own
// fetch and WebSocket — the same calls the browser makes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../../src/main/server/server.ts';
import { HttpBridge } from '../../../src/renderer/bridge/http.ts';
import type { ConnectionState } from '../../../src/renderer/bridge/types.ts';
import {
  type EventName,
  type EventPayload,
  type MethodHandlers,
  ShowcaseError,
  type SyncStatus,
} from '../../../src/shared/index.ts';

type Listener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

const TOKEN = 'test-token';
const sync: SyncStatus = {
  configured: true,
  online: true,
  pendingOps: 2,
  lastSyncAt: null,
  conflicts: 0,
  error: null,
};

let server: ApiServer;
let outDir: string;
let listeners: Set<Listener>;
let calls: string[];
/** TCP sockets of upgraded (WebSocket) connections, so a test can cut them. */
const upgradedSockets = new Set<Duplex>();
let bridge: HttpBridge | null = null;
/** The server subscribes to the engine once for itself (webhooks); every WS client adds one more. */
let ownSubscriptions = 0;
const wsClients = () => listeners.size - ownSubscriptions;

function until(check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() - start > ms) reject(new Error('timed out waiting'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

/** Sends one raw frame to every connected WS client, bypassing the engine's typing. */
function emitRaw(event: string, payload: unknown): void {
  for (const l of listeners) (l as (e: string, p: unknown) => void)(event, payload);
}

beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'renderer-bridge-'));
  listeners = new Set();
  calls = [];
  const handlers = {
    'sync.status': async () => {
      calls.push('sync.status');
      return sync;
    },
    'showcase.get': async () => {
      calls.push('showcase.get');
      throw new ShowcaseError('not_found', 'No gallery g-1', { hint: 'Refresh the catalog.' });
    },
    // Answers a shape that breaks the contract (counts must be numbers).
    'queue.status': async () => {
      calls.push('queue.status');
      return { paused: false, counts: { queued: 'many' }, backends: [], running: [] } as never;
    },
    'gallery.email': async () => {
      calls.push('gallery.email');
      return { messageId: 'm', accepted: [] };
    },
  } as Partial<MethodHandlers> as MethodHandlers;
  server = await startApiServer({
    engine: {
      handlers,
      subscribe(listener) {
        listeners.add(listener as Listener);
        return () => listeners.delete(listener as Listener);
      },
      submitShowcases: async () => ({ galleryIds: [], errors: [] }),
      galleryDocument: async () => null,
      outputRoot: () => outDir,
    },
    token: TOKEN,
    webhookSecret: 'secret',
    port: 0,
  });
  ownSubscriptions = listeners.size;
  server.server.prependListener('upgrade', (_req, socket) => upgradedSockets.add(socket));
});

afterEach(async () => {
  bridge?.close();
  bridge = null;
  await server.close();
  await rm(outDir, { recursive: true, force: true });
});

describe('HttpBridge calls', () => {
  it('returns the validated result of a method', async () => {
    bridge = new HttpBridge({ baseUrl: server.url, token: TOKEN });
    await expect(bridge.call('sync.status', {})).resolves.toEqual(sync);
  });

  it('rethrows the server’s error as a ShowcaseError with its code and hint', async () => {
    bridge = new HttpBridge({ baseUrl: server.url, token: TOKEN });
    const err = await bridge.call('showcase.get', { galleryId: 'g-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShowcaseError);
    expect(err).toMatchObject({ code: 'not_found', message: 'No gallery g-1', hint: 'Refresh the catalog.' });
  });

  it('refuses a result that does not match the method’s output schema', async () => {
    bridge = new HttpBridge({ baseUrl: server.url, token: TOKEN });
    await expect(bridge.call('queue.status', {})).rejects.toMatchObject({ code: 'backend_error' });
  });

  it('checks inputs before sending, naming the field', async () => {
    bridge = new HttpBridge({ baseUrl: server.url, token: TOKEN });
    const err = await bridge
      .call('gallery.email', { galleryId: 'g', to: ['not-an-address'] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input' });
    expect((err as ShowcaseError).details?.fields).toEqual(['gallery.email.to.0']);
    expect(calls).not.toContain('gallery.email');
  });

  it('reports a wrong token as auth_failed and an unreachable server as backend_unreachable', async () => {
    const wrong = new HttpBridge({ baseUrl: server.url, token: 'nope' });
    await expect(wrong.call('sync.status', {})).rejects.toMatchObject({ code: 'auth_failed' });
    const gone = new HttpBridge({ baseUrl: 'http://127.0.0.1:9', token: TOKEN });
    await expect(gone.call('sync.status', {})).rejects.toMatchObject({
      code: 'backend_unreachable',
      retryable: true,
    });
  });

  it('builds file URLs without the token (an encoded name) that the session cookie opens', async () => {
    await writeFile(join(outDir, 'product_a b_hero.png'), 'png-bytes');
    bridge = new HttpBridge({ baseUrl: server.url, token: TOKEN });
    const url = bridge.fileUrl('product_a b_hero.png');
    expect(url).toBe(`${server.url}/files/product_a%20b_hero.png`);
    expect((await fetch(url)).status).toBe(401);
    // What the browser keeps from the bridge's first call (Node's fetch has no cookie jar).
    const session = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const res = await fetch(url, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('png-bytes');
  });
});

describe('HttpBridge events', () => {
  it('delivers valid events and drops invalid ones', async () => {
    const invalid: string[] = [];
    bridge = new HttpBridge({
      baseUrl: server.url,
      token: TOKEN,
      onInvalidEvent: (_raw, reason) => invalid.push(reason),
    });
    const got: Array<[string, unknown]> = [];
    const states: ConnectionState[] = [];
    bridge.onConnectionChange((s) => states.push(s));
    bridge.subscribe((event, payload) => got.push([event, payload]));
    await until(() => states.includes('open') && wsClients() === 1);

    emitRaw('job.progress', {
      jobId: 'j',
      galleryId: 'g',
      assetId: 'g:hero:0',
      kind: 'hero',
      value: 3,
      max: 20,
      node: '3',
    });
    emitRaw('job.progress', {
      jobId: 'j',
      galleryId: 'g',
      assetId: null,
      kind: 'hero',
      value: 'three',
      max: 20,
      node: null,
    });
    emitRaw('no.such.event', {});
    emitRaw('sync.status', sync);
    await until(() => got.length === 2 && invalid.length === 2);

    expect(got).toEqual([
      [
        'job.progress',
        { jobId: 'j', galleryId: 'g', assetId: 'g:hero:0', kind: 'hero', value: 3, max: 20, node: '3' },
      ],
      ['sync.status', sync],
    ]);
    expect(invalid.every((r) => r.startsWith('unknown event or invalid payload'))).toBe(true);
  });

  it('reconnects with backoff after the stream drops and keeps delivering', async () => {
    bridge = new HttpBridge({ baseUrl: server.url, token: TOKEN, backoffMs: 20, maxBackoffMs: 100 });
    const states: ConnectionState[] = [];
    const got: unknown[] = [];
    bridge.onConnectionChange((s) => states.push(s));
    bridge.subscribe((_event, payload) => got.push(payload));
    await until(() => wsClients() === 1);

    emitRaw('sync.status', sync); // one event before the drop
    await until(() => got.length === 1);
    // Cut the connection from the server side: what a server restart or a network blip looks like.
    for (const socket of upgradedSockets) socket.destroy();
    upgradedSockets.clear();

    await until(() => states.includes('reconnecting'));
    await until(() => states.lastIndexOf('open') > states.indexOf('reconnecting') && wsClients() === 1);
    emitRaw('sync.status', { ...sync, pendingOps: 0 });
    await until(() => got.length === 2);
    expect(got[1]).toMatchObject({ pendingOps: 0 });
  });

  it('closes the stream when the last listener leaves', async () => {
    bridge = new HttpBridge({ baseUrl: server.url, token: TOKEN });
    const off = bridge.subscribe(() => {});
    await until(() => wsClients() === 1);
    off();
    await until(() => wsClients() === 0);
  });
});
