// The local API against hostile input, over real sockets with a real engine (SQLite in a temp dir)
// and the real PostgreSQL: DNS rebinding (Host), tokens in URLs, the /files cookie, malformed
// %-escapes, oversized ids, backend credentials vs the API token's 401, and URL settings.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { engineApi } from '../../../src/main/cli/commands/serve.ts';
import { Engine } from '../../../src/main/engine/engine.ts';
import { type ApiServer, startApiServer } from '../../../src/main/server/index.ts';
import { eventsProtocols } from '../../../src/shared/index.ts';
import { createTestDatabase, skipNote } from '../../fixtures/postgres.ts';

const TOKEN = 'hardening-token-0123456789abcdefghijklmn';
const SECRET = 'hardening-webhook-secret-0123456789abcdef';

let dir: string;
let engine: Engine;
let api: ApiServer;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-api-hardening-'));
  engine = await Engine.open({ dbPath: join(dir, 'studio.db'), outputRoot: join(dir, 'out') });
  await writeFile(join(dir, 'out', 'product_mug_hero.png'), 'png-bytes');
  api = await startApiServer({ engine: engineApi(engine), token: TOKEN, webhookSecret: SECRET });
});

afterAll(async () => {
  await api?.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a real socket to 127.0.0.1 with exactly the headers given (fetch cannot set Host). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: api.port,
        method,
        path,
        headers: { host: `127.0.0.1:${api.port}`, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function rpc(method: string, input: unknown, headers: Record<string, string> = auth): Promise<RawReply> {
  return raw(
    'POST',
    `/api/rpc/${method}`,
    { 'content-type': 'application/json', ...headers },
    JSON.stringify(input),
  );
}

/** Opens the event stream with the `ws` client (it can send any header); resolves 'open' or the failure. */
function openEvents(path: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}) {
  return new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}${path}`, options.protocols ?? [], {
      headers: options.headers ?? {},
    });
    ws.on('open', () => {
      resolve(`open:${ws.protocol}`);
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(`refused:${res.statusCode}`);
      ws.terminate();
    });
    ws.on('error', (err) => resolve(`error:${err.message}`));
  });
}

describe('Host header (DNS rebinding)', () => {
  it('answers only to 127.0.0.1, localhost and [::1] on its own port', async () => {
    for (const host of [
      `127.0.0.1:${api.port}`,
      `localhost:${api.port}`,
      `[::1]:${api.port}`,
      `LOCALHOST:${api.port}`,
    ]) {
      expect({ host, status: (await raw('GET', '/health', { host })).status }).toEqual({ host, status: 200 });
    }
    for (const host of [
      `evil.example:${api.port}`,
      'evil.example',
      `127.0.0.1:${api.port + 1}`,
      `127.0.0.1`,
    ]) {
      const health = await raw('GET', '/health', { host });
      expect({ host, status: health.status }).toEqual({ host, status: 403 });
      expect(JSON.parse(health.body).error.message).toContain('DNS rebinding');
      // A valid token does not help a page that reached us under another name.
      expect((await rpc('queue.status', {}, { ...auth, host })).status).toBe(403);
      expect((await raw('GET', '/files/product_mug_hero.png', { ...auth, host })).status).toBe(403);
      expect(await openEvents('/api/events', { headers: { ...auth, host } })).toBe('refused:403');
    }
  });
});

describe('tokens and cookies', () => {
  it('never takes the token from the query string', async () => {
    const viaQuery = await rpc('queue.status', {}, {});
    expect(viaQuery.status).toBe(401);
    const q = await raw(
      'POST',
      `/api/rpc/queue.status?token=${TOKEN}`,
      { 'content-type': 'application/json' },
      '{}',
    );
    expect(q.status).toBe(401);
    expect(JSON.parse(q.body).error.hint).toContain('not accepted');
    expect((await raw('GET', `/api/galleries/x?token=${TOKEN}`)).status).toBe(401);
    expect((await raw('GET', `/files/product_mug_hero.png?token=${TOKEN}`)).status).toBe(401);
    expect(await openEvents(`/api/events?token=${TOKEN}`)).toBe('refused:401');
    expect((await rpc('queue.status', {})).status).toBe(200);
  });

  it('opens the event stream with the Bearer header or the browser subprotocol, nothing else', async () => {
    expect(await openEvents('/api/events', { headers: auth })).toBe('open:');
    expect(await openEvents('/api/events', { protocols: eventsProtocols(TOKEN) })).toBe(
      'open:showcase.events',
    );
    expect(await openEvents('/api/events', { protocols: eventsProtocols('wrong-token') })).toBe(
      'refused:401',
    );
    expect(await openEvents('/api/events')).toBe('refused:401');
  });

  it('sets an HttpOnly, SameSite=Strict, /files-scoped cookie that opens files and nothing else', async () => {
    expect((await raw('POST', '/api/session')).status).toBe(401);
    const session = await raw('POST', '/api/session', auth);
    expect(session.status).toBe(204);
    const setCookie = String(session.headers['set-cookie'] ?? '');
    const attributes = setCookie.split(';').map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['Path=/files', 'HttpOnly', 'SameSite=Strict']));
    const cookie = attributes[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^showcase_files_${api.port}=`));
    // The cookie is not the token: a leaked cookie cannot call the API.
    expect(setCookie).not.toContain(TOKEN);

    const file = await raw('GET', '/files/product_mug_hero.png', { cookie });
    expect(file.status).toBe(200);
    expect(file.body).toBe('png-bytes');
    expect((await rpc('queue.status', {}, { cookie })).status).toBe(401);
    expect((await raw('GET', '/api/galleries/x', { cookie })).status).toBe(401);
    expect(await openEvents('/api/events', { headers: { cookie } })).toBe('refused:401');
    expect((await raw('GET', '/files/product_mug_hero.png', { cookie: `${cookie}x` })).status).toBe(401);
  });
});

describe('malformed input', () => {
  it('answers a malformed %-escape with 400, not 500', async () => {
    for (const path of ['/files/%E0%A4%A.png', '/files/100%.png', '/api/galleries/%zz']) {
      const res = await raw('GET', path, auth);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(res.body).error.code).toBe('invalid_input');
    }
    // A cookie with a stray % cannot break the request either.
    expect((await raw('GET', '/files/product_mug_hero.png', { cookie: 'other=%E0%A4%A' })).status).toBe(401);
  });

  it('does not echo an oversized id or path back', async () => {
    const long = `id-${'x'.repeat(10_000)}`;
    const replies = [
      await raw('GET', `/api/galleries/${long}`, auth),
      await rpc('showcase.get', { galleryId: long }),
      await rpc('showcase.regenerateAsset', { assetId: long }),
      await rpc('queue.cancel', { jobId: long }),
      await rpc(`no.${'y'.repeat(5_000)}`, {}),
      await raw('GET', `/api/${long}`, auth),
      await raw('GET', `/files/${long}.png`, auth),
    ];
    for (const reply of replies) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(reply.body.length).toBeLessThan(2_000);
      expect(reply.body).not.toContain('xxxxxxxxxx');
      expect(reply.body).not.toContain('yyyyyyyyyy');
    }
    expect(JSON.parse(replies[0]?.body ?? '{}').error.details.fields).toEqual(['galleryId']);
    expect(JSON.parse(replies[1]?.body ?? '{}').error.details.fields).toEqual(['showcase.get.galleryId']);
    // A short unknown id is still named, so the operator can see which one.
    const short = await raw('GET', '/api/galleries/no-such-gallery', auth);
    expect(short.status).toBe(404);
    expect(JSON.parse(short.body).error.message).toContain('no-such-gallery');
  });
});

describe('settings URLs', () => {
  it('accepts only http(s) backend URLs and a Postgres URL sync can use, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ comfyUrls: ['http://127.0.0.1:8188', 'file:///etc/passwd'] }, 'settings.update.comfyUrls.1'],
      [{ ollamaUrl: 'javascript:alert(1)' }, 'settings.update.ollamaUrl'],
      [{ ollamaUrl: 'not a url' }, 'settings.update.ollamaUrl'],
      [{ postgresUrl: 'mysql://app:pw@db/x' }, 'settings.update.postgresUrl'],
      [{ postgresUrl: 'host=db user=app password=pw' }, 'settings.update.postgresUrl'],
      [{ postgresUrl: 'postgres://app@db/x?password=pw' }, 'settings.update.postgresUrl'],
      [
        { s3: { endpoint: 'ftp://127.0.0.1:9000', bucket: 'gallery', accessKey: 'a', secretKey: 'b' } },
        'settings.update.s3.endpoint',
      ],
    ];
    for (const [patch, field] of cases) {
      const res = await rpc('settings.update', patch);
      expect({ patch, status: res.status }).toEqual({ patch, status: 400 });
      const error = JSON.parse(res.body).error;
      expect(error.details.fields).toEqual([field]);
      expect(error.message).not.toContain('pw');
    }
    const ok = await rpc('settings.update', {
      comfyUrls: ['http://127.0.0.1:8188', 'https://gpu-2.studio.example'],
      ollamaUrl: 'http://localhost:11434',
      postgresUrl: 'postgresql://app@127.0.0.1:5432/studio',
    });
    expect(ok.status).toBe(200);
    expect(engine.settings().comfyUrls).toEqual(['http://127.0.0.1:8188', 'https://gpu-2.studio.example']);
    await rpc('settings.update', { postgresUrl: null });
  });

  it('accepts only an http(s) completion callback', async () => {
    const res = await raw(
      'POST',
      '/api/showcases',
      { ...auth, 'content-type': 'application/json' },
      JSON.stringify({ product: { name: 'Mug' }, callbackUrl: 'file:///tmp/x' }),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.details.fields).toEqual(['callbackUrl']);
  });
});

const pg = await createTestDatabase('harden_api');
afterAll(async () => {
  await pg?.drop();
});

describe.skipIf(!pg)(`backend credentials${skipNote(pg)}`, () => {
  it('reports a team database that refuses the login as 502 auth_failed, never the API token’s 401', async () => {
    const url = new URL(pg?.url ?? '');
    url.username = 'no_such_role_harden';
    url.password = 'wrong-password';
    const saved = await rpc('settings.update', { postgresUrl: url.toString(), syncIntervalSec: 86_400 });
    expect(saved.status).toBe(200);
    const res = await rpc('sync.now', {});
    expect(res.status).toBe(502);
    const error = JSON.parse(res.body).error;
    expect(error.code).toBe('auth_failed');
    expect(error.message).toContain('team database');
    expect(res.body).not.toContain('wrong-password');
    await rpc('settings.update', { postgresUrl: null });
  });
});
