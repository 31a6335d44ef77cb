// The simulator's execution protocol over real sockets: §8.3 message order and routing, previews,
// caching, history and real PNG outputs.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComfySim, startComfySim } from '../../../src/sim/comfyui/index.ts';
import { getJson, type JsonFrame, post, qwenGraph, WsClient, waitUntil } from './helpers.ts';

let sim: ComfySim;

beforeAll(async () => {
  sim = await startComfySim({ timeScale: 0.0005 });
});
afterAll(async () => {
  await sim.close();
});

/** The frames a fresh, uncached node produces on the owner socket. */
const plainNode = (id: string) => ['progress_state', `executing:${id}`, 'progress_state'];

describe('first run of the Qwen text-to-image graph (§8.3)', () => {
  it('emits the exact owner sequence, then history', async () => {
    const ws = await WsClient.connect(sim.url, 'owner-83');
    const connect = ws.json()[0] as JsonFrame;
    expect(connect.data).toEqual({ status: { exec_info: { queue_remaining: 0 } }, sid: 'owner-83' });
    const start = ws.frames.length;
    const promptId = randomUUID();
    const res = await post(sim.url, '/api/prompt', {
      prompt: qwenGraph({ steps: 3, prefix: 'order/job' }),
      client_id: 'owner-83',
      prompt_id: promptId,
      // Previews are off by default, as on ComfyUI: this client asks for them, like the studio does.
      extra_data: { preview_method: 'auto' },
    });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ prompt_id: promptId, number: expect.any(Number), node_errors: {} });
    await ws.waitDone(promptId);

    const sampler = ['progress_state', 'executing:8'];
    for (let i = 0; i < 3; i++) sampler.push('progress_state', 'progress', 'bin1');
    sampler.push('progress_state');
    expect(ws.labels(start)).toEqual([
      'status',
      'status',
      'execution_start',
      'execution_cached',
      ...plainNode('3'),
      ...plainNode('7'),
      ...plainNode('2'),
      ...plainNode('6'),
      ...plainNode('5'),
      ...plainNode('1'),
      ...plainNode('4'),
      ...sampler,
      ...plainNode('9'),
      'progress_state',
      'executing:10',
      'executed:10',
      'progress_state',
      'execution_success',
      'status',
      'executing:null',
    ]);

    const frames = ws.json().slice(1);
    const statuses = frames.filter((f) => f.type === 'status').map((f) => f.data);
    expect(statuses).toEqual([
      { status: { exec_info: { queue_remaining: 1 } } },
      { status: { exec_info: { queue_remaining: 1 } } },
      { status: { exec_info: { queue_remaining: 0 } } },
    ]);
    expect(frames.find((f) => f.type === 'execution_cached')?.data).toMatchObject({
      nodes: [],
      prompt_id: promptId,
    });
    const progress = frames.filter((f) => f.type === 'progress').map((f) => f.data);
    expect(progress).toEqual([1, 2, 3].map((value) => ({ value, max: 3, prompt_id: promptId, node: '8' })));
    // progress_state before `executing` shows the node just started.
    const executingIndex = frames.findIndex((f) => f.type === 'executing' && f.data.node === '8');
    const before = frames[executingIndex - 1] as JsonFrame;
    expect((before.data.nodes as Record<string, unknown>)['8']).toEqual({
      value: 0,
      max: 1,
      state: 'running',
      node_id: '8',
      prompt_id: promptId,
      display_node_id: '8',
      parent_node_id: null,
      real_node_id: '8',
    });
    const executed = frames.find((f) => f.type === 'executed');
    expect(executed?.data).toEqual({
      node: '10',
      display_node: '10',
      output: { images: [{ filename: 'job_00001_.png', subfolder: 'order', type: 'output' }] },
      prompt_id: promptId,
    });

    const history = await getJson<Record<string, Record<string, unknown>>>(sim.url, `/history/${promptId}`);
    const entry = history[promptId] as Record<string, unknown>;
    const [number, id, graph, extra, outputs] = entry.prompt as unknown[];
    expect(number).toBe(res.body.number);
    expect(id).toBe(promptId);
    expect(Object.keys(graph as object)).toHaveLength(10);
    expect(extra).toMatchObject({ client_id: 'owner-83', create_time: expect.any(Number) });
    expect(outputs).toEqual(['10']);
    expect(entry.outputs).toEqual({ '10': executed?.data.output });
    const status = entry.status as { status_str: string; completed: boolean; messages: [string, unknown][] };
    expect(status.status_str).toBe('success');
    expect(status.completed).toBe(true);
    expect(status.messages.map(([event]) => event)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ]);
    expect(entry.meta).toEqual({
      '10': { node_id: '10', display_node: '10', parent_node: null, real_node_id: '10' },
    });
    ws.close();
  });

  it('echoes coerced floats like Python in the stored graph', async () => {
    const ws = await WsClient.connect(sim.url, 'floats');
    const promptId = randomUUID();
    await post(sim.url, '/prompt', {
      prompt: qwenGraph({ seed: 7 }),
      client_id: 'floats',
      prompt_id: promptId,
    });
    await ws.waitDone(promptId);
    const raw = await (await fetch(`${sim.url}/history/${promptId}`)).text();
    expect(raw).toContain('"denoise": 1.0');
    expect(raw).toContain('"shift": 3.1');
    ws.close();
  });
});

describe('routing', () => {
  it('sends per-prompt events only to the owner; other sockets see status only', async () => {
    const owner = await WsClient.connect(sim.url, 'route-owner');
    const other = await WsClient.connect(sim.url, 'route-other');
    const otherStart = other.frames.length;
    const promptId = randomUUID();
    await post(sim.url, '/prompt', {
      prompt: qwenGraph({ seed: 11 }),
      client_id: 'route-owner',
      prompt_id: promptId,
    });
    await owner.waitDone(promptId);
    await other.waitFor((_f) => other.labels(otherStart).filter((l) => l === 'status').length >= 3);
    expect(other.labels(otherStart)).toEqual(['status', 'status', 'status']);
    owner.close();
    other.close();
  });

  it('broadcasts only status, progress, progress_state and previews when client_id is absent', async () => {
    const a = await WsClient.connect(sim.url, 'bc-a');
    const b = await WsClient.connect(sim.url);
    expect((b.json()[0] as JsonFrame).data.sid).toMatch(/^[0-9a-f]{32}$/);
    const startA = a.frames.length;
    const startB = b.frames.length;
    const res = await post(sim.url, '/prompt', {
      prompt: qwenGraph({ seed: 12 }),
      extra_data: { preview_method: 'auto' },
    });
    const promptId = res.body.prompt_id as string;
    const threeStatuses = (c: WsClient, from: number) => () =>
      c.labels(from).filter((l) => l === 'status').length >= 3;
    await a.waitFor(threeStatuses(a, startA));
    await b.waitFor(threeStatuses(b, startB));
    for (const [client, from] of [
      [a, startA],
      [b, startB],
    ] as const) {
      const types = new Set(client.labels(from).map((l) => l.split(':')[0]));
      expect([...types].sort()).toEqual(['bin1', 'progress', 'progress_state', 'status']);
    }
    const history = await getJson<Record<string, { status: { status_str: string } }>>(
      sim.url,
      `/history/${promptId}`,
    );
    expect(history[promptId]?.status.status_str).toBe('success');
    a.close();
    b.close();
  });

  it('replays the running node to a reconnecting owner without prompt_id', async () => {
    sim.faults.hangNext();
    const first = await WsClient.connect(sim.url, 'reconnect');
    const promptId = randomUUID();
    await post(sim.url, '/prompt', {
      prompt: qwenGraph({ seed: 13 }),
      client_id: 'reconnect',
      prompt_id: promptId,
    });
    await first.waitFor((f) => f.kind === 'json' && f.type === 'executing' && f.data.node === '8');
    first.close();
    // The server must have dropped the old session before the owner comes back.
    await waitUntil(() => serverSawClose(sim, 'reconnect'));
    const second = await WsClient.connect(sim.url, 'reconnect');
    const replay = await second.waitFor((f) => f.kind === 'json' && f.type === 'executing');
    expect((replay as JsonFrame).data).toEqual({ node: '8' });
    await post(sim.url, '/interrupt', { prompt_id: promptId });
    await second.waitDone(promptId);
    second.close();
  });
});

describe('opt-in bug reproductions', () => {
  it('reconnectBug (#16010): closing the old socket unregisters the new one with the same clientId', async () => {
    for (const reconnectBug of [false, true]) {
      const own = await startComfySim({ timeScale: 0.0005, reconnectBug });
      try {
        const old = await WsClient.connect(own.url, 'same');
        const fresh = await WsClient.connect(own.url, 'same');
        old.close();
        await waitUntil(() => serverSawClose(own, 'same'));
        const promptId = randomUUID();
        await post(own.url, '/prompt', { prompt: qwenGraph(), client_id: 'same', prompt_id: promptId });
        await waitUntil(async () => Object.keys(await getJson(own.url, `/history/${promptId}`)).length > 0);
        const gotOwnerEvents = fresh.json().some((f) => f.type === 'execution_start');
        expect(gotOwnerEvents).toBe(!reconnectBug);
        fresh.close();
      } finally {
        await own.close();
      }
    }
  });

  it('cachedOutputsBug (2026, PR #14939): a cached run without client_id has empty history outputs', async () => {
    const own = await startComfySim({ timeScale: 0.0005, cachedOutputsBug: true });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const promptId = randomUUID();
        ids.push(promptId);
        await post(own.url, '/prompt', { prompt: qwenGraph({ prefix: 'bug/x' }), prompt_id: promptId });
      }
      const history = async (id: string) =>
        (await getJson<Record<string, { outputs: object }>>(own.url, `/history/${id}`))[id];
      await waitUntil(async () => (await history(ids[1] as string)) !== undefined);
      expect(Object.keys((await history(ids[0] as string))?.outputs ?? {})).toEqual(['10']);
      expect((await history(ids[1] as string))?.outputs).toEqual({});
    } finally {
      await own.close();
    }
  });
});

describe('binary previews (§8.5)', () => {
  it('sends type 4 with metadata to negotiated sockets and type 1 JPEG to the others', async () => {
    const modern = await WsClient.connect(sim.url, 'pv-modern', { featureFlags: true });
    const flags = modern.json().find((f) => f.type === 'feature_flags');
    expect(flags?.data).toEqual({ supports_preview_metadata: true, max_upload_size: 104857600 });
    const legacy = await WsClient.connect(sim.url, 'pv-legacy');
    const res = await post(sim.url, '/prompt', {
      prompt: qwenGraph({ seed: 21, steps: 2 }),
      extra_data: { preview_method: 'latent2rgb' },
    });
    const promptId = res.body.prompt_id as string;
    await modern.waitFor(() => modern.binary().length >= 2);
    await legacy.waitFor(() => legacy.binary().length >= 2);
    expect(modern.binary().map((f) => f.event)).toEqual([4, 4]);
    expect(legacy.binary().map((f) => f.event)).toEqual([1, 1]);

    const type1 = legacy.binary()[0]?.bytes as Buffer;
    expect(type1.readUInt32BE(4)).toBe(1);
    expect([type1[8], type1[9]]).toEqual([0xff, 0xd8]);
    expect((await sharp(type1.subarray(8)).metadata()).format).toBe('jpeg');

    const type4 = modern.binary()[0]?.bytes as Buffer;
    const length = type4.readUInt32BE(4);
    const meta = JSON.parse(type4.subarray(8, 8 + length).toString('utf8'));
    expect(meta).toEqual({
      node_id: '8',
      prompt_id: promptId,
      display_node_id: '8',
      parent_node_id: null,
      real_node_id: '8',
      image_type: 'image/jpeg',
    });
    expect([type4[8 + length], type4[9 + length]]).toEqual([0xff, 0xd8]);
    modern.close();
    legacy.close();
  });

  it('sends no binary frames unless asked, like ComfyUI (--preview-method none by default)', async () => {
    const ws = await WsClient.connect(sim.url, 'q');
    const promptId = randomUUID();
    await post(sim.url, '/prompt', { prompt: qwenGraph({ seed: 31 }), client_id: 'q', prompt_id: promptId });
    await ws.waitDone(promptId);
    expect(ws.binary()).toHaveLength(0);
    expect(ws.labels().filter((l) => l === 'progress')).toHaveLength(3);
    ws.close();
  });

  it('honours extra_data.preview_method per prompt on 2026 servers only; 0.3.64 reads only its flag', async () => {
    /** Binary frames one prompt of 2 steps produced for `extra`, on a server started with `options`. */
    const framesFor = async (own: ComfySim, seed: number, extra?: Record<string, unknown>) => {
      const ws = await WsClient.connect(own.url, `pm-${seed}`);
      const promptId = randomUUID();
      await post(own.url, '/prompt', {
        prompt: qwenGraph({ seed, steps: 2 }),
        client_id: `pm-${seed}`,
        prompt_id: promptId,
        ...(extra ? { extra_data: extra } : {}),
      });
      await ws.waitDone(promptId);
      ws.close();
      return ws.binary().length;
    };
    const modern = await startComfySim({ timeScale: 0.0005, previewMethod: 'auto' });
    const old = await startComfySim({ timeScale: 0.0005, version: '0.3.64' });
    const oldOn = await startComfySim({ timeScale: 0.0005, version: '0.3.64', previewMethod: 'auto' });
    try {
      // A known method overrides the flag for that prompt; "default" or an unknown name keeps the flag.
      expect(await framesFor(modern, 1, { preview_method: 'none' })).toBe(0);
      expect(await framesFor(modern, 2, { preview_method: 'default' })).toBe(2);
      expect(await framesFor(modern, 3, { preview_method: 'bogus' })).toBe(2);
      expect(await framesFor(modern, 4)).toBe(2);
      expect(await framesFor(sim, 5, { preview_method: 'taesd' })).toBe(2);
      // 0.3.64 ignores the per-prompt request either way.
      expect(await framesFor(old, 6, { preview_method: 'auto' })).toBe(0);
      expect(await framesFor(oldOn, 7, { preview_method: 'none' })).toBe(2);
    } finally {
      await Promise.all([modern.close(), old.close(), oldOn.close()]);
    }
  });
});

describe('classic caching (§9.2)', () => {
  it('replays an identical prompt with the old filenames, re-runs only downstream of a new seed', async () => {
    const ws = await WsClient.connect(sim.url, 'cache');
    const run = async (graph: ReturnType<typeof qwenGraph>) => {
      const from = ws.frames.length;
      const promptId = randomUUID();
      const res = await post(sim.url, '/prompt', { prompt: graph, client_id: 'cache', prompt_id: promptId });
      expect(res.status).toBe(200);
      await ws.waitDone(promptId);
      return { from, promptId, frames: ws.json().filter((f) => ws.frames.indexOf(f) >= from) };
    };
    const folder = path.join(sim.dirs.output, 'cache');
    const first = await run(qwenGraph({ seed: 31, prefix: 'cache/run' }));
    const firstOutput = first.frames.find((f) => f.type === 'executed')?.data.output;
    expect(readdirSync(folder)).toEqual(['run_00001_.png']);

    const again = await run(qwenGraph({ seed: 31, prefix: 'cache/run' }));
    expect(ws.labels(again.from)).toEqual([
      'status',
      'status',
      'execution_start',
      'execution_cached',
      'executed:10',
      'progress_state',
      'execution_success',
      'status',
      'executing:null',
    ]);
    expect(again.frames.find((f) => f.type === 'execution_cached')?.data.nodes).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
    expect(again.frames.find((f) => f.type === 'executed')?.data.output).toEqual(firstOutput);
    expect(readdirSync(folder)).toEqual(['run_00001_.png']);
    const history = await getJson<Record<string, { outputs: unknown }>>(
      sim.url,
      `/history/${again.promptId}`,
    );
    expect(history[again.promptId]?.outputs).toEqual({ '10': firstOutput });

    const reseeded = await run(qwenGraph({ seed: 32, prefix: 'cache/run' }));
    expect(reseeded.frames.find((f) => f.type === 'execution_cached')?.data.nodes).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
    ]);
    const executing = reseeded.frames.filter((f) => f.type === 'executing' && f.data.node !== null);
    expect(executing.map((f) => f.data.node)).toEqual(['8', '9', '10']);
    expect(readdirSync(folder).sort()).toEqual(['run_00001_.png', 'run_00002_.png']);

    expect((await post(sim.url, '/free', { free_memory: true })).status).toBe(200);
    const fresh = await run(qwenGraph({ seed: 32, prefix: 'cache/run' }));
    expect(fresh.frames.find((f) => f.type === 'execution_cached')?.data.nodes).toEqual([]);
    expect(readdirSync(folder).sort()).toEqual(['run_00001_.png', 'run_00002_.png', 'run_00003_.png']);
    ws.close();
  });
});

describe('real images', () => {
  const render = async (seed: number, prefix: string, width = 640, height = 384) => {
    const ws = await WsClient.connect(sim.url, `img-${prefix}`);
    const promptId = randomUUID();
    await post(sim.url, '/prompt', {
      prompt: qwenGraph({ seed, prefix, width, height }),
      client_id: `img-${prefix}`,
      prompt_id: promptId,
    });
    await ws.waitDone(promptId);
    ws.close();
    const history = await getJson<
      Record<string, { outputs: Record<string, { images: Record<string, string>[] }> }>
    >(sim.url, `/history/${promptId}`);
    const image = history[promptId]?.outputs['10']?.images[0] as Record<string, string>;
    const query = new URLSearchParams({
      filename: image.filename ?? '',
      subfolder: image.subfolder ?? '',
      type: 'output',
    });
    const res = await fetch(`${sim.url}/api/view?${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe(`filename="${image.filename}"`);
    return Buffer.from(await res.arrayBuffer());
  };

  it('/view returns a PNG of the requested size; same seed → same bytes, new seed → new bytes', async () => {
    const a = await render(4242, 'det/a');
    const meta = await sharp(a).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 640, 384]);
    const b = await render(4242, 'det/b');
    expect(b.equals(a)).toBe(true);
    const c = await render(4243, 'det/c');
    expect(c.equals(a)).toBe(false);
  });

  it('rounds latent sizes down to multiples of 8 like the VAE', async () => {
    const png = await render(1, 'det/odd', 333, 250);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([328, 248]);
  });
});

/** The simulator has handled the close of a WebSocket session of `clientId` (its transcript says so). */
function serverSawClose(target: ComfySim, clientId: string): boolean {
  return target.transcript.some((e) => e.channel === 'ws' && e.kind === 'close' && e.sid === clientId);
}
