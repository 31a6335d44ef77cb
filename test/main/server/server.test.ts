// The local API over real sockets: auth, origin, validation, RPC, the event stream and signed
// completion callbacks, with the engine running on the simulators.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineApi } from '../../../src/main/cli/commands/serve.ts';
import { type ApiServer, startApiServer } from '../../../src/main/server/index.ts';
import { eventsProtocols } from '../../../src/shared/index.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';

const TOKEN = 'test-token-0123456789abcdefghijklmnop';
const SECRET = 'webhook-secret-0123456789abcdefghijkl';

let sims: Sims;
let api: ApiServer;

beforeAll(async () => {
  sims = await startSims();
  api = await startApiServer({
    engine: engineApi(sims.engine),
    token: TOKEN,
    webhookSecret: SECRET,
    callbackBackoffMs: 20,
  });
});

afterAll(async () => {
  await api?.close();
  await sims?.close();
});

function rpc(
  method: string,
  body: unknown,
  token: string | null = TOKEN,
  headers: Record<string, string> = {},
) {
  return fetch(`${api.url}/api/rpc/${method}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

describe('local API', () => {
  it('binds 127.0.0.1 and answers /health without a token', async () => {
    expect(new URL(api.url).hostname).toBe('127.0.0.1');
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it('rejects a missing or wrong token with 401', async () => {
    expect((await rpc('queue.status', {}, null)).status).toBe(401);
    expect((await rpc('queue.status', {}, 'wrong-token')).status).toBe(401);
    const ok = await rpc('queue.status', {});
    expect(ok.status).toBe(200);
    expect((await ok.json()).result).toHaveProperty('counts');
  });

  it('rejects foreign Origin headers', async () => {
    const res = await rpc('queue.status', {}, TOKEN, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    const own = await rpc('queue.status', {}, TOKEN, { origin: api.url });
    expect(own.status).toBe(200);
  });

  it('answers a bad payload with 400 naming the field', async () => {
    const res = await rpc('showcase.regenerateAsset', { assetId: 42, seed: 'sideways' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.details.fields).toEqual(
      expect.arrayContaining(['showcase.regenerateAsset.assetId', 'showcase.regenerateAsset.seed']),
    );
    const unknown = await rpc('no.such', {});
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${api.url}/api/showcases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ product: { description: 'no name' } }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('product.name');
  });

  it('caps the body size', async () => {
    const res = await fetch(`${api.url}/api/rpc/catalog.import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: 'x'.repeat(65 * 1024 * 1024),
    }).catch((err: Error) => err);
    // Either a clean 413 or the server cutting the upload short: never accepted.
    if (res instanceof Error) expect(res.message).toBeTruthy();
    else expect(res.status).toBe(413);
  });

  it('streams events and POSTs a signed callback when the showcase finishes', async () => {
    const received: Array<{ body: string; signature: string | undefined }> = [];
    let onDelivered: () => void = () => {};
    const delivered = new Promise<void>((resolve) => {
      onDelivered = resolve;
    });
    const hook = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        // The first delivery fails, to prove the retry.
        if (received.length === 0 && !req.headers['x-showcase-retried']) {
          received.push({ body: '', signature: undefined });
          res.statusCode = 503;
          res.end();
          return;
        }
        received.push({ body, signature: req.headers['x-showcase-signature'] as string | undefined });
        res.end('ok');
        onDelivered();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/done`;

    const events: string[] = [];
    // A browser's way in: the token in the subprotocol list, never in the URL.
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/api/events`, eventsProtocols(TOKEN));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    ws.onmessage = (m) => events.push(JSON.parse(String(m.data)).event);

    const res = await fetch(`${api.url}/api/showcases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        product: { id: 'api-mug', name: 'Harbor "Deck" Mug', materials: ['stoneware'], colors: ['sea blue'] },
        callbackUrl: hookUrl,
      }),
    });
    expect(res.status).toBe(202);
    const { galleryIds } = (await res.json()) as { galleryIds: string[] };
    expect(galleryIds).toHaveLength(1);

    await delivered;
    ws.close();
    hook.close();

    const bodies = received.filter((r) => r.body);
    expect(received.length).toBeGreaterThanOrEqual(2); // one failed attempt, then the retry
    expect(bodies).toHaveLength(1);
    const [first] = bodies;
    const expected = `sha256=${createHmac('sha256', SECRET)
      .update(first?.body ?? '')
      .digest('hex')}`;
    expect(first?.signature).toBe(expected);
    const payload = JSON.parse(first?.body ?? '{}');
    expect(payload.galleryIds).toEqual(galleryIds);
    expect(payload.galleries[0].product.name).toBe('Harbor "Deck" Mug');
    expect(payload.galleries[0].assets).toHaveLength(7);

    for (const e of ['job.queued', 'job.started', 'job.progress', 'job.completed', 'showcase.updated']) {
      expect(events).toContain(e);
    }
    const doc = await fetch(`${api.url}/api/galleries/${galleryIds[0]}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(doc.status).toBe(200);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const hero = payload.galleries[0].assets.find((a: { kind: string }) => a.kind === 'hero');
    const png = await fetch(`${api.url}/files/${hero.filename}`, { headers: auth });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    // The gallery page's relative image URLs work through the /files cookie the UI's session set.
    const session = await fetch(`${api.url}/api/session`, { method: 'POST', headers: auth });
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^showcase_files_\d+=/);
    const thumb = payload.galleries[0].assets.find((a: { kind: string }) => a.kind === 'thumbnail');
    const viaCookie = await fetch(`${api.url}/files/${thumb.filename}`, { headers: { cookie } });
    expect(viaCookie.status).toBe(200);
    const apiViaCookie = await fetch(`${api.url}/api/rpc/queue.status`, {
      method: 'POST',
      headers: { cookie },
    });
    expect(apiViaCookie.status).toBe(401);
    const traversal = await fetch(`${api.url}/files/..%2F..%2Fetc%2Fpasswd`, { headers: auth });
    expect(traversal.status).toBe(404);
  });

  it('refuses the event stream without a token', async () => {
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/api/events`);
    const outcome = await new Promise<string>((resolve) => {
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('error');
    });
    expect(outcome).toBe('error');
  });
});
