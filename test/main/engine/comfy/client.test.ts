// ComfyClient against the protocol-faithful ComfyUI simulator over real sockets on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ComfyClient,
  type ComfyClientOptions,
  type ComfyGraph,
  type ComfyJobEvent,
  type ComfyPreview,
  type ComfyProgress,
  type ComfyWarning,
} from '../../../../src/main/engine/comfy/index.ts';
import { ShowcaseError } from '../../../../src/shared/errors.ts';
import { type ComfySim, defaultModels, startComfySim } from '../../../../src/sim/comfyui/index.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** §10(a) Qwen-Image text-to-image, small and with a unique prefix/seed per call. */
function qwenGraph(opts: { prefix?: string; seed?: number; steps?: number; size?: number } = {}): ComfyGraph {
  const prefix = opts.prefix ?? `qwen/t-${randomUUID().slice(0, 8)}`;
  const size = opts.size ?? 256;
  return {
    '1': {
      class_type: 'UNETLoader',
      inputs: { unet_name: 'qwen_image_fp8_e4m3fn.safetensors', weight_dtype: 'default' },
    },
    '2': {
      class_type: 'CLIPLoader',
      inputs: { clip_name: 'qwen_2.5_vl_7b_fp8_scaled.safetensors', type: 'qwen_image', device: 'default' },
    },
    '3': { class_type: 'VAELoader', inputs: { vae_name: 'qwen_image_vae.safetensors' } },
    '4': { class_type: 'ModelSamplingAuraFlow', inputs: { model: ['1', 0], shift: 3.1 } },
    '5': {
      class_type: 'CLIPTextEncode',
      inputs: { clip: ['2', 0], text: 'studio product photo of a teapot' },
    },
    '6': { class_type: 'CLIPTextEncode', inputs: { clip: ['2', 0], text: '' } },
    '7': { class_type: 'EmptySD3LatentImage', inputs: { width: size, height: size, batch_size: 1 } },
    '8': {
      class_type: 'KSampler',
      inputs: {
        model: ['4', 0],
        positive: ['5', 0],
        negative: ['6', 0],
        latent_image: ['7', 0],
        seed: opts.seed ?? Math.floor(Math.random() * 1e12),
        steps: opts.steps ?? 6,
        cfg: 2.5,
        sampler_name: 'euler',
        scheduler: 'simple',
        denoise: 1.0,
      },
    },
    '9': { class_type: 'VAEDecode', inputs: { samples: ['8', 0], vae: ['3', 0] } },
    '10': { class_type: 'SaveImage', inputs: { images: ['9', 0], filename_prefix: prefix } },
  };
}

async function rejection(promise: Promise<unknown>): Promise<ShowcaseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ShowcaseError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let sim: ComfySim;
const clients: ComfyClient[] = [];

function newClient(options: Partial<ComfyClientOptions> = {}): ComfyClient {
  const client = new ComfyClient({
    url: sim.url,
    requestTimeoutMs: 5_000,
    pollIntervalMs: 40,
    connectTimeoutMs: 3_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
  clients.push(client);
  return client;
}

function transcriptFor(promptId: string) {
  return sim.transcript.filter(
    (e) =>
      (e.channel === 'http' && (e.path?.includes(promptId) ?? false)) ||
      (e.channel === 'ws' && typeof e.data === 'object' && e.data !== null && 'prompt_id' in e.data
        ? (e.data as { prompt_id: unknown }).prompt_id === promptId
        : false),
  );
}

beforeAll(async () => {
  // Started like a stock ComfyUI (--preview-method none): previews come only to clients that ask.
  sim = await startComfySim({ port: 0, timeScale: 0.001 });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.faults.clear();
  for (const [folder, files] of Object.entries(defaultModels)) sim.setModels(folder, [...files]);
});

afterAll(async () => {
  await sim.close();
});

describe('ComfyClient.run', () => {
  it('renders the Qwen graph: WS first, progress 1..steps, previews, outputs and a PNG via /view', async () => {
    // The studio asks for previews with every prompt (extra_data.preview_method), as here.
    const client = newClient({ previewMethod: 'auto' });
    const progress: ComfyProgress[] = [];
    const previews: ComfyPreview[] = [];
    const events: ComfyJobEvent[] = [];
    const graph = qwenGraph({ prefix: 'qwen/hero-1', steps: 5 });
    const result = await client.run(graph, {
      onProgress: (p) => progress.push(p),
      onPreview: (p) => previews.push(p),
      onEvent: (e) => events.push(e),
    });

    expect(result.promptId).toMatch(UUID_RE);
    expect(result.cached).toBe(false);
    expect(result.completedVia).toBe('websocket');
    expect(result.outputs).toEqual({
      '10': { images: [{ filename: 'hero-1_00001_.png', subfolder: 'qwen', type: 'output' }] },
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(result.timings.runMs);
    expect(result.timings.runMs).toBeGreaterThan(0);

    expect(progress.map((p) => p.value)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.every((p) => p.max === 5 && p.node === '8' && p.promptId === result.promptId)).toBe(true);
    expect(previews.length).toBeGreaterThan(0);
    for (const p of previews) {
      expect(p.promptId).toBe(result.promptId);
      expect(p.mime).toBe('image/jpeg');
      expect([...p.bytes.slice(0, 2)]).toEqual([0xff, 0xd8]);
    }
    expect(events[0]?.type).toBe('queued');
    expect(events.map((e) => e.type)).toContain('execution_start');
    expect(events.filter((e) => e.type === 'executing' && e.node !== null).length).toBeGreaterThan(0);
    // Watched live from start to `executing null` on one socket: the outputs came with the frames,
    // so no /history round trip was needed to finish.
    expect(
      sim.transcript.filter((e) => e.channel === 'http' && e.path?.includes(`/history/${result.promptId}`)),
    ).toEqual([]);

    const png = await client.download(
      result.outputs['10']?.images[0] ?? { filename: '', subfolder: '', type: '' },
    );
    expect([...png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);

    // Protocol order: WS opened and feature_flags sent before POST /prompt, with our prompt_id and client_id.
    const sid = client.clientId;
    const open = sim.transcript.findIndex((e) => e.channel === 'ws' && e.kind === 'open' && e.sid === sid);
    const firstIn = sim.transcript.find(
      (e) => e.channel === 'ws' && e.dir === 'in' && e.kind === 'text' && e.sid === sid,
    );
    const post = sim.transcript.findIndex(
      (e) =>
        e.channel === 'http' && e.kind === 'request' && e.method === 'POST' && e.path?.endsWith('/prompt'),
    );
    expect(open).toBeGreaterThanOrEqual(0);
    expect(post).toBeGreaterThan(open);
    expect(firstIn?.type).toBe('feature_flags');
    expect(firstIn?.data).toEqual({ supports_preview_metadata: true });
    expect(sim.stats.promptIds).toContain(result.promptId);
  });

  it('uses a caller-supplied prompt id and rejects a non-canonical one', async () => {
    const client = newClient();
    const promptId = randomUUID();
    const result = await client.run(qwenGraph(), { promptId });
    expect(result.promptId).toBe(promptId);
    const err = await rejection(client.run(qwenGraph(), { promptId: 'ABC' }));
    expect(err.code).toBe('invalid_input');
  });

  it('answers an identical re-run from cache with the same filenames and no new file', async () => {
    const client = newClient();
    const graph = qwenGraph({ prefix: 'cache/again' });
    const first = await client.run(graph);
    const second = await client.run(graph);
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.promptId).not.toBe(first.promptId);
    expect(second.outputs).toEqual(first.outputs);
    expect(readdirSync(path.join(sim.dirs.output, 'cache'))).toEqual(['again_00001_.png']);
    // The cached verdict also holds when only /history is read.
    const collected = await client.collect(second.promptId);
    expect(collected).toMatchObject({ state: 'success', cached: true, outputs: first.outputs });
  });

  it('handles events that arrive before the POST /prompt reply', async () => {
    const client = newClient();
    sim.faults.delayPromptReply(250);
    const events: ComfyJobEvent[] = [];
    const result = await client.run(qwenGraph(), { onEvent: (e) => events.push(e) });
    expect(Object.keys(result.outputs)).toEqual(['10']);
    const t = transcriptFor(result.promptId);
    const startFrame = sim.transcript.find(
      (e) =>
        e.channel === 'ws' &&
        e.type === 'execution_start' &&
        (e.data as { prompt_id?: string }).prompt_id === result.promptId,
    );
    const postReply = sim.transcript.find(
      (e) =>
        e.channel === 'http' &&
        e.kind === 'response' &&
        e.path?.endsWith('/prompt') &&
        (e.body?.includes(result.promptId) ?? false),
    );
    expect(t.length).toBeGreaterThan(0);
    expect(startFrame && postReply && startFrame.seq < postReply.seq).toBe(true);
    // buffered until acknowledged, then replayed in order
    expect(events[0]?.type).toBe('queued');
    expect(events[1]?.type).toBe('execution_start');
    expect(events.at(-1)?.type).toBe('executing');
  });

  it('waits for a history write that lags behind execution_success', async () => {
    const client = newClient();
    sim.faults.delayHistoryWrite(200);
    const result = await client.run(qwenGraph({ prefix: 'lag/a' }));
    expect(result.outputs['10']?.images[0]?.filename).toBe('a_00001_.png');
    const historyReads = transcriptFor(result.promptId).filter(
      (e) => e.kind === 'response' && e.path?.includes('/history/'),
    );
    // at least one read came back {} (race) before the confirming one
    expect(historyReads.some((e) => e.body === '{}')).toBe(true);
  });
});

describe('ComfyClient recovery', () => {
  it.each(['close', 'reset'] as const)(
    'completes via /history when the socket drops mid-run (%s)',
    async (mode) => {
      const client = newClient();
      const firstSid = client.clientId;
      const connectionsBefore = sim.stats.wsConnections;
      sim.faults.dropWsAfterFrames(8, mode);
      const events: ComfyJobEvent[] = [];
      const result = await client.run(qwenGraph({ steps: 8 }), { onEvent: (e) => events.push(e) });
      expect(result.completedVia).toBe('history');
      expect(Object.keys(result.outputs)).toEqual(['10']);
      expect(events).toContainEqual({ type: 'polling', promptId: result.promptId, reason: 'socket_closed' });
      // reconnected with a fresh session id (issue #16010) and usable again
      await vi.waitFor(() => expect(client.connected).toBe(true));
      expect(client.clientId).not.toBe(firstSid);
      expect(sim.stats.wsConnections).toBeGreaterThan(connectionsBefore);
      const next = await client.run(qwenGraph());
      expect(next.completedVia).toBe('websocket');
    },
  );

  it('polls /history when the running prompt stalls, and still completes', async () => {
    const client = newClient({ stallTimeoutMs: 100 });
    sim.faults.stallSteps(300);
    const events: ComfyJobEvent[] = [];
    const result = await client.run(qwenGraph({ steps: 3 }), { onEvent: (e) => events.push(e) });
    expect(events).toContainEqual({ type: 'polling', promptId: result.promptId, reason: 'stall' });
    expect(events).toContainEqual({ type: 'queue_state', promptId: result.promptId, state: 'running' });
    expect(Object.keys(result.outputs)).toEqual(['10']);
  });

  it('fails a prompt lost to a server restart as a retryable backend_error', async () => {
    const client = newClient({ lostAfterPolls: 2 });
    sim.faults.stallSteps(200);
    let restarted = false;
    const queued = await client.queuePrompt(qwenGraph({ steps: 4 }), {
      onProgress: () => {
        if (restarted) return;
        restarted = true;
        void sim.restart();
      },
    });
    const err = await rejection(queued.wait());
    expect(err.code).toBe('backend_error');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ promptId: queued.promptId, reason: 'lost' });
    expect(await client.collect(queued.promptId)).toEqual({ state: 'unknown', promptId: queued.promptId });
  });

  it('retries a refused WebSocket upgrade while HTTP answers', async () => {
    sim.faults.refuseWsFor(300);
    const client = newClient();
    const started = Date.now();
    const result = await client.run(qwenGraph());
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Object.keys(result.outputs)).toEqual(['10']);
  });

  it('follows a prompt queued by another session with attach()', async () => {
    const owner = newClient();
    const follower = newClient();
    sim.faults.stallSteps(50);
    const queued = await owner.queuePrompt(qwenGraph({ steps: 3 }));
    const followed = await follower.attach(queued.promptId).wait();
    expect(followed.completedVia).toBe('history');
    expect(followed.outputs).toEqual((await queued.wait()).outputs);
  });
});

describe('ComfyClient errors', () => {
  it('maps an OOM execution_error to a retryable out_of_memory, and a retry succeeds', async () => {
    const client = newClient();
    sim.faults.oomOnPrompt(1);
    const err = await rejection(client.run(qwenGraph()));
    expect(err.code).toBe('out_of_memory');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ exceptionType: 'torch.OutOfMemoryError' });
    expect(typeof (err.details as { nodeId?: unknown }).nodeId).toBe('string');
    const retry = await client.run(qwenGraph());
    expect(Object.keys(retry.outputs)).toEqual(['10']);
  });

  it('maps a node exception to comfy_execution with node and exception details', async () => {
    const client = newClient();
    sim.faults.failNode('VAEDecode', 'RuntimeError', 'decoder exploded');
    const err = await rejection(client.run(qwenGraph()));
    expect(err.code).toBe('comfy_execution');
    expect(err.details).toMatchObject({ nodeId: '9', nodeType: 'VAEDecode', exceptionType: 'RuntimeError' });
    expect(err.message).toContain('decoder exploded');
  });

  it('reports a missing model as model_missing naming node, class, input and folder', async () => {
    const client = newClient();
    sim.setModels('diffusion_models', []);
    const err = await rejection(client.run(qwenGraph()));
    expect(err.code).toBe('model_missing');
    expect(err.message).toContain(
      "Node 1 (UNETLoader) input unet_name: 'qwen_image_fp8_e4m3fn.safetensors' not in []",
    );
    expect(err.hint).toContain('models/diffusion_models/');
    expect(err.details).toMatchObject({
      type: 'prompt_outputs_failed_validation',
      nodeErrors: {
        '1': { classType: 'UNETLoader', errors: [{ type: 'value_not_in_list', inputName: 'unet_name' }] },
      },
      missingModels: [
        { nodeId: '1', filename: 'qwen_image_fp8_e4m3fn.safetensors', folder: 'models/diffusion_models/' },
      ],
    });
  });

  it('reports other validation failures as comfy_validation with node ids', async () => {
    const client = newClient();
    const graph = qwenGraph();
    graph['7'] = { class_type: 'EmptySD3LatentImage', inputs: { width: 99_999, height: 256, batch_size: 1 } };
    const err = await rejection(client.run(graph));
    expect(err.code).toBe('comfy_validation');
    expect(err.message).toContain('Node 7 (EmptySD3LatentImage) input width');
    expect(err.details).toMatchObject({ nodeErrors: { '7': { classType: 'EmptySD3LatentImage' } } });
  });

  it('surfaces a 200 with node_errors as a warning and runs the valid output', async () => {
    const warnings: ComfyWarning[] = [];
    const client = newClient({ onWarning: (w) => warnings.push(w) });
    const graph = qwenGraph({ prefix: 'partial/ok' });
    graph['11'] = { class_type: 'SaveImage', inputs: { filename_prefix: 'partial/bad' } };
    const queued = await client.queuePrompt(graph);
    expect(Object.keys(queued.nodeErrors)).toEqual(['11']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('Node 11 (SaveImage)');
    const result = await queued.wait();
    expect(Object.keys(result.outputs)).toEqual(['10']);
  });

  it('maps interrupt() to interrupted', async () => {
    const client = newClient();
    sim.faults.stallSteps(40);
    const promptId = randomUUID();
    let sent = false;
    const err = await rejection(
      client.run(qwenGraph({ steps: 20 }), {
        promptId,
        onProgress: () => {
          if (!sent) {
            sent = true;
            void client.interrupt(promptId);
          }
        },
      }),
    );
    expect(err.code).toBe('interrupted');
    expect(err.details).toMatchObject({ promptId, reason: 'server' });
    const collected = await client.collect(promptId);
    expect(collected.state).toBe('failed');
  });

  it('cancels on AbortSignal: rejects interrupted and frees the server', async () => {
    const client = newClient();
    sim.faults.stallSteps(40);
    const controller = new AbortController();
    const promptId = randomUUID();
    const err = await rejection(
      client.run(qwenGraph({ steps: 20 }), {
        promptId,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    expect(err.code).toBe('interrupted');
    expect(err.details).toMatchObject({ promptId, reason: 'cancelled' });
    await vi.waitFor(async () => expect((await client.collect(promptId)).state).toBe('failed'));
  });

  it('times out a hung prompt and interrupts it on the server', async () => {
    const client = newClient();
    sim.faults.hangNext();
    const graph = qwenGraph();
    const queued = await client.queuePrompt(graph, { jobTimeoutMs: 400 });
    const err = await rejection(queued.wait());
    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ promptId: queued.promptId, timeoutMs: 400 });
    await vi.waitFor(async () => expect((await client.queue()).running).not.toContain(queued.promptId));
  });

  it('maps a refused port to a retryable backend_unreachable', async () => {
    const port = await freePort();
    const client = newClient({ url: `http://127.0.0.1:${port}` });
    const err = await rejection(client.run(qwenGraph()));
    expect(err.code).toBe('backend_unreachable');
    expect(err.retryable).toBe(true);
    expect((await rejection(client.ping())).code).toBe('backend_unreachable');
    expect((await rejection(client.systemStats())).code).toBe('backend_unreachable');
  });

  it('maps HTTP 500 to backend_error and a reset to backend_unreachable', async () => {
    const client = newClient();
    sim.faults.httpError('/prompt', 1, 500);
    const err = await rejection(client.run(qwenGraph()));
    expect(err.code).toBe('backend_error');
    expect(err.details).toMatchObject({ status: 500, route: '/prompt' });
    // a reset POST never queued anything: nothing is tracked or left behind
    sim.faults.httpError('/prompt', 1, 'reset');
    const promptId = randomUUID();
    expect((await rejection(client.run(qwenGraph(), { promptId }))).code).toBe('backend_unreachable');
    expect(await client.collect(promptId)).toEqual({ state: 'unknown', promptId });
    sim.faults.httpError('/system_stats', 1, 'reset');
    expect((await rejection(client.systemStats())).code).toBe('backend_unreachable');
    // the client stays usable
    expect((await client.systemStats()).devices.length).toBeGreaterThan(0);
  });

  it('keeps tracking a prompt whose POST reply timed out (reconciled via events or /queue)', async () => {
    const client = newClient({ requestTimeoutMs: 150 });
    sim.faults.delayPromptReply(600);
    const promptId = randomUUID();
    const queued = await client.queuePrompt(qwenGraph(), { promptId });
    expect(queued.promptId).toBe(promptId);
    // the reply never reached us: no queue number
    expect(queued.number).toBeNull();
    const result = await queued.wait();
    expect(Object.keys(result.outputs)).toEqual(['10']);
    expect(sim.stats.promptIds.filter((id) => id === promptId)).toHaveLength(1);
  });
});

describe('ComfyClient files and server info', () => {
  it('uploads an image and runs a LoadImage graph on it', async () => {
    const client = newClient();
    const photo = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const uploaded = await client.uploadImage(new Uint8Array(photo), 'photo.png', { subfolder: 'products' });
    expect(uploaded).toEqual({
      name: 'photo.png',
      subfolder: 'products',
      type: 'input',
      path: 'products/photo.png',
    });
    // same bytes again: reused, not renamed (§5.2)
    expect(
      (await client.uploadImage(new Uint8Array(photo), 'photo.png', { subfolder: 'products' })).name,
    ).toBe('photo.png');

    const graph: ComfyGraph = {
      '1': { class_type: 'LoadImage', inputs: { image: uploaded.path } },
      '2': {
        class_type: 'ImageScaleToMaxDimension',
        inputs: { image: ['1', 0], upscale_method: 'area', largest_size: 40 },
      },
      '3': {
        class_type: 'SaveImage',
        inputs: { images: ['2', 0], filename_prefix: `thumbs/${randomUUID()}` },
      },
    };
    const result = await client.run(graph);
    const image = result.outputs['3']?.images[0];
    expect(image?.subfolder).toBe('thumbs');
    const png = await client.download(image ?? { filename: '', subfolder: '', type: '' });
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([40, 20]);
    // the uploaded original is readable as an input file
    const original = await client.download({ filename: 'photo.png', subfolder: 'products', type: 'input' });
    expect(Buffer.from(original).equals(photo)).toBe(true);
  });

  it('reads server info, queue state and history', async () => {
    const client = newClient();
    const stats = await client.systemStats();
    expect(stats.devices[0]?.vramTotal).toBeGreaterThan(0);
    expect(stats.devices[0]?.vramFree).toBeGreaterThan(0);
    const info = await client.objectInfo('KSampler');
    expect(Object.keys(info)).toEqual(['KSampler']);
    expect(info.KSampler?.input.required).toHaveProperty('seed');
    expect(await client.objectInfo('NoSuchNode')).toEqual({});
    const features = await client.features();
    expect(features.supportsPreviewMetadata).toBe(true);
    expect(features.maxUploadSize).toBeGreaterThan(0);
    expect((await client.ping()).queueRemaining).toBe(0);
    await client.free({ unloadModels: true, freeMemory: true });

    // one hung prompt running, two pending: queue() reports them in execution order
    sim.faults.hangNext();
    const a = await client.queuePrompt(qwenGraph());
    await vi.waitFor(async () => expect((await client.queue()).running).toEqual([a.promptId]));
    const b = await client.queuePrompt(qwenGraph());
    const c = await client.queuePrompt(qwenGraph(), { front: true });
    expect(await client.queue()).toEqual({ running: [a.promptId], pending: [c.promptId, b.promptId] });
    expect(await client.queueRemaining()).toBe(3);
    expect(await client.collect(b.promptId)).toEqual({ state: 'pending', promptId: b.promptId });
    expect(await client.collect(a.promptId)).toEqual({ state: 'running', promptId: a.promptId });
    await client.deletePending([b.promptId, c.promptId]);
    expect((await client.queue()).pending).toEqual([]);
    await client.interrupt();
    expect((await rejection(a.wait())).code).toBe('interrupted');
    await b.cancel();
    await c.cancel();

    const done = await client.run(qwenGraph());
    const entry = await client.history(done.promptId);
    expect(entry?.status?.status_str).toBe('success');
    expect(await client.history(randomUUID())).toBeNull();
    expect(await client.collect(randomUUID())).toMatchObject({ state: 'unknown' });
  });

  it('close() rejects tracked prompts, stops timers and closes sockets', async () => {
    const baseline = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const client = newClient();
    sim.faults.hangNext();
    const queued = await client.queuePrompt(qwenGraph());
    await client.close();
    const err = await rejection(queued.wait());
    expect(err.code).toBe('interrupted');
    expect(err.details).toMatchObject({ reason: 'client_closed' });
    expect((await rejection(client.queuePrompt(qwenGraph()))).code).toBe('conflict');
    expect(client.connected).toBe(false);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(
      baseline,
    );
    // free the simulator's worker for the next tests
    const other = newClient();
    await other.interrupt();
  });
});

describe('ComfyClient on a 0.3.64 server', () => {
  it('runs the Qwen graph with type-4 previews', async () => {
    // 0.3.64 reads only its --preview-method flag (default none): an operator who wants previews starts it with auto.
    const old = await startComfySim({ port: 0, timeScale: 0.001, version: '0.3.64', previewMethod: 'auto' });
    const client = new ComfyClient({ url: `${old.url}/`, pollIntervalMs: 40 });
    try {
      const previews: ComfyPreview[] = [];
      const result = await client.run(qwenGraph(), { onPreview: (p) => previews.push(p) });
      expect(Object.keys(result.outputs)).toEqual(['10']);
      expect(previews.length).toBeGreaterThan(0);
      expect(previews.every((p) => p.promptId === result.promptId && p.nodeId === '8')).toBe(true);
    } finally {
      await client.close();
      await old.close();
    }
  });
});
