// Fault injection, interrupts, queue control, history bookkeeping and restart (§3, §4, §13.18–27).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ComfySim, startComfySim } from '../../../src/sim/comfyui/index.ts';
import { GiB, SimGpu } from '../../../src/sim/gpu.ts';
import { getJson, type JsonFrame, post, qwenGraph, WsClient, waitUntil } from './helpers.ts';

let sim: ComfySim;

beforeEach(async () => {
  sim = await startComfySim({ timeScale: 0.0005 });
});
afterEach(async () => {
  await sim.close();
});

type HistoryEntry = {
  prompt: unknown[];
  outputs: Record<string, { images: { filename: string; subfolder: string }[] }>;
  status: { status_str: string; completed: boolean; messages: [string, Record<string, unknown>][] };
};
const history = (id: string) => getJson<Record<string, HistoryEntry>>(sim.url, `/history/${id}`);

async function submit(
  clientId: string | undefined,
  graph = qwenGraph(),
  extra: Record<string, unknown> = {},
) {
  const promptId = randomUUID();
  const res = await post(sim.url, '/prompt', {
    prompt: graph,
    prompt_id: promptId,
    ...(clientId === undefined ? {} : { client_id: clientId }),
    ...extra,
  });
  expect(res.status).toBe(200);
  return { promptId, res };
}

describe('OOM', () => {
  it('oomOnPrompt fails the Nth prompt at the sampler and unloads every model', async () => {
    const ws = await WsClient.connect(sim.url, 'oom');
    sim.faults.oomOnPrompt(2);
    const ok = await submit('oom', qwenGraph({ seed: 1 }));
    await ws.waitDone(ok.promptId);
    expect(sim.gpu.isLoaded('qwen_image_fp8_e4m3fn.safetensors')).toBe(true);

    const failing = await submit('oom', qwenGraph({ seed: 2 }));
    await ws.waitDone(failing.promptId);
    const error = ws.json().find((f) => f.type === 'execution_error') as JsonFrame;
    expect(error.data).toMatchObject({
      prompt_id: failing.promptId,
      node_id: '8',
      node_type: 'KSampler',
      executed: [],
      exception_type: 'torch.OutOfMemoryError',
      current_outputs: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
    });
    expect(error.data.exception_message).toMatch(
      /^Allocation on device \nThis error means you ran out of memory/,
    );
    expect(error.data.traceback).toEqual(expect.arrayContaining([expect.any(String)]));
    expect((error.data.current_inputs as Record<string, unknown[]>).seed).toEqual([2]);
    expect(sim.gpu.models('comfyui')).toEqual([]);
    const labels = ws.labels();
    expect(labels.slice(labels.lastIndexOf('execution_error'))).toEqual([
      'execution_error',
      'status',
      'executing:null',
    ]);
    const entry = (await history(failing.promptId))[failing.promptId];
    expect(entry?.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry?.status.messages.map(([e]) => e)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_error',
    ]);

    // The retry finds its loaders cached but pays the model load again.
    const loadsBefore = sim.gpu.loadCounts.get('qwen_image_fp8_e4m3fn.safetensors');
    const retry = await submit('oom', qwenGraph({ seed: 2 }));
    await ws.waitDone(retry.promptId);
    expect((await history(retry.promptId))[retry.promptId]?.status.status_str).toBe('success');
    expect(sim.gpu.loadCounts.get('qwen_image_fp8_e4m3fn.safetensors')).toBe((loadsBefore ?? 0) + 1);
    ws.close();
  });

  it('a real VRAM OOM when an Ollama model holds the card', async () => {
    // 22 GiB: Qwen-Image (20.4 GB) fits alone but not next to llama3.2 (3.7 GiB).
    const gpu = new SimGpu({ vramTotal: 22 * GiB, timeScale: 0.0005 });
    const own = await startComfySim({ gpu });
    try {
      gpu.load('llama3.2', 'ollama');
      const ws = await WsClient.connect(own.url, 'vram');
      const promptId = randomUUID();
      await post(own.url, '/prompt', { prompt: qwenGraph(), client_id: 'vram', prompt_id: promptId });
      await ws.waitDone(promptId);
      const error = ws.json().find((f) => f.type === 'execution_error') as JsonFrame;
      expect(error.data).toMatchObject({ node_id: '8', exception_type: 'torch.OutOfMemoryError' });
      expect(gpu.isLoaded('llama3.2')).toBe(true);
      gpu.unload('llama3.2');
      const again = randomUUID();
      await post(own.url, '/prompt', { prompt: qwenGraph(), client_id: 'vram', prompt_id: again });
      await ws.waitDone(again);
      expect(ws.json().filter((f) => f.type === 'execution_success')).toHaveLength(1);
      ws.close();
    } finally {
      await own.close();
    }
  });

  it('oomWhen matches graphs, failNode raises a chosen exception', async () => {
    const ws = await WsClient.connect(sim.url, 'pred');
    sim.faults.oomWhen((g) => Number(g['7']?.inputs.width) > 1024, 1);
    const small = await submit('pred', qwenGraph({ width: 512 }));
    await ws.waitDone(small.promptId);
    const big = await submit('pred', qwenGraph({ width: 1536 }));
    await ws.waitDone(big.promptId);
    const errors = ws.json().filter((f) => f.type === 'execution_error');
    expect(errors.map((f) => f.data.prompt_id)).toEqual([big.promptId]);

    sim.faults.failNode('VAEDecode', 'RuntimeError', 'decoder exploded');
    const failing = await submit('pred', qwenGraph({ seed: 77 }));
    await ws.waitDone(failing.promptId);
    const nodeError = ws.json().filter((f) => f.type === 'execution_error')[1] as JsonFrame;
    expect(nodeError.data).toMatchObject({
      node_id: '9',
      node_type: 'VAEDecode',
      exception_type: 'RuntimeError',
      exception_message: 'decoder exploded\n',
      // the previous prompt had another latent size, so the classic cache re-runs node 7 too
      executed: ['7', '8'],
    });
    ws.close();
  });

  it('a model deleted after validation fails its loader with FileNotFoundError', async () => {
    const ws = await WsClient.connect(sim.url, 'fnf');
    sim.faults.hangNext();
    const blocker = await submit('fnf', qwenGraph({ seed: 1, prefix: 'fnf/a' }));
    const doomed = await submit('fnf', {
      ...qwenGraph({ seed: 2 }),
      '1': {
        class_type: 'UNETLoader',
        inputs: { unet_name: 'qwen_image_edit_2509_fp8_e4m3fn.safetensors', weight_dtype: 'default' },
      },
    });
    sim.setModels('diffusion_models', ['qwen_image_fp8_e4m3fn.safetensors']);
    await post(sim.url, '/interrupt', {});
    await ws.waitDone(blocker.promptId);
    await ws.waitDone(doomed.promptId);
    const error = ws.json().find((f) => f.type === 'execution_error' && f.data.prompt_id === doomed.promptId);
    expect(error?.data).toMatchObject({
      node_type: 'UNETLoader',
      exception_type: 'FileNotFoundError',
      exception_message:
        "Model in folder 'diffusion_models' with filename 'qwen_image_edit_2509_fp8_e4m3fn.safetensors' not found.\n",
    });
    ws.close();
  });
});

describe('interrupt', () => {
  it('targeted interrupt ignores other ids; the matching one interrupts the running job', async () => {
    const ws = await WsClient.connect(sim.url, 'int');
    sim.faults.hangNext();
    const job = await submit('int');
    await ws.waitFor((f) => f.kind === 'json' && f.type === 'executing' && f.data.node === '8');
    const queue = await getJson<{ queue_running: unknown[][]; queue_pending: unknown[][] }>(
      sim.url,
      '/queue',
    );
    expect(queue.queue_running.map((i) => i[1])).toEqual([job.promptId]);
    expect(queue.queue_running[0]).toHaveLength(5);

    await post(sim.url, '/interrupt', { prompt_id: randomUUID() });
    // An interrupt that hit would end the run within the handler's turn (no timers left in a hung
    // run): by the next request the prompt would be out of queue_running and in history.
    const after = await getJson<{ queue_running: unknown[][] }>(sim.url, '/queue');
    expect(after.queue_running.map((i) => i[1])).toEqual([job.promptId]);
    expect(await history(job.promptId)).toEqual({});

    await post(sim.url, '/api/interrupt', { prompt_id: job.promptId });
    await ws.waitDone(job.promptId);
    const interrupted = ws.json().find((f) => f.type === 'execution_interrupted') as JsonFrame;
    expect(interrupted.data).toMatchObject({
      prompt_id: job.promptId,
      node_id: '8',
      node_type: 'KSampler',
      executed: ['3', '7', '2', '6', '5', '1', '4'],
    });
    const entry = (await history(job.promptId))[job.promptId];
    expect(entry?.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry?.status.messages.at(-1)?.[0]).toBe('execution_interrupted');
    const detail = await getJson<{ status: string }>(sim.url, `/api/jobs/${job.promptId}`);
    expect(detail.status).toBe('cancelled');
    ws.close();
  });

  it('an interrupt sent while idle is lost; interrupted events are broadcast without client_id', async () => {
    await post(sim.url, '/interrupt', {});
    const watcher = await WsClient.connect(sim.url, 'watch');
    const ok = await submit(undefined, qwenGraph({ seed: 3 }));
    await waitUntil(async () => Object.keys(await history(ok.promptId)).length > 0);
    expect((await history(ok.promptId))[ok.promptId]?.status.status_str).toBe('success');

    sim.faults.hangNext();
    const hung = await submit(undefined, qwenGraph({ seed: 4 }));
    await waitUntil(
      async () => (await getJson<{ queue_running: unknown[] }>(sim.url, '/queue')).queue_running.length === 1,
    );
    await post(sim.url, '/interrupt', {});
    await watcher.waitFor((f) => f.kind === 'json' && f.type === 'execution_interrupted');
    await waitUntil(async () => Object.keys(await history(hung.promptId)).length > 0);
    expect(watcher.json().some((f) => f.type === 'execution_start')).toBe(false);
    watcher.close();
  });
});

describe('WebSocket faults', () => {
  for (const mode of ['close', 'reset'] as const) {
    it(`drops the owner's socket mid-run (${mode}); the job still lands in history`, async () => {
      const ws = await WsClient.connect(sim.url, `drop-${mode}`);
      sim.faults.dropWsAfterFrames(6, mode);
      const job = await submit(`drop-${mode}`, qwenGraph({ seed: mode === 'close' ? 1 : 2 }));
      await ws.waitClosed();
      expect(ws.closeCode).toBe(mode === 'close' ? 1001 : 1006);
      // connect status + the queueing status + 6 frames of the run (counted from the pick-up status)
      expect(ws.frames.length).toBe(1 + 1 + 6);
      await waitUntil(async () => Object.keys(await history(job.promptId)).length > 0);
      const entry = (await history(job.promptId))[job.promptId];
      expect(entry?.status.status_str).toBe('success');
      expect(entry?.outputs['10']?.images).toHaveLength(1);
    });
  }

  it('refuses upgrades for a while, then accepts again', async () => {
    const started = Date.now();
    sim.faults.refuseWsFor(80);
    await expect(WsClient.connect(sim.url, 'refused')).rejects.toThrow(/503/);
    // Retry like a client would until the window is over; every refusal is a 503.
    let ws: WsClient | null = null;
    while (ws === null) {
      ws = await WsClient.connect(sim.url, 'refused', { path: '/api/ws' }).catch((err: Error) => {
        expect(err.message).toMatch(/503/);
        return null;
      });
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(sim.stats.wsConnections).toBe(1);
    ws.close();
  });
});

describe('HTTP and timing faults', () => {
  it('httpError answers 500 (or resets) for the next matching calls only', async () => {
    sim.faults.httpError('/history', 2);
    expect((await fetch(`${sim.url}/api/history`)).status).toBe(500);
    expect((await fetch(`${sim.url}/history/x`)).status).toBe(500);
    expect((await fetch(`${sim.url}/history`)).status).toBe(200);
    sim.faults.httpError('/system_stats', 1, 'reset');
    await expect(fetch(`${sim.url}/system_stats`)).rejects.toThrow();
    expect((await fetch(`${sim.url}/system_stats`)).status).toBe(200);
  });

  it('delayHistoryWrite: history is {} right after execution_success, present after executing null', async () => {
    const ws = await WsClient.connect(sim.url, 'race');
    sim.faults.delayHistoryWrite(150);
    const job = await submit('race');
    await ws.waitFor((f) => f.kind === 'json' && f.type === 'execution_success');
    expect(await history(job.promptId)).toEqual({});
    await ws.waitDone(job.promptId);
    expect(Object.keys(await history(job.promptId))).toEqual([job.promptId]);
    ws.close();
  });

  /** Server-side write order of one POST /prompt: its reply, and the prompt's first WS frame. */
  const order = (promptId: string, since: number) => {
    const entries = sim.transcript.filter((e) => e.seq > since);
    const reply = entries.find((e) => e.kind === 'response' && e.path === '/prompt');
    const firstFrame = entries.find((e) => e.channel === 'ws' && e.dir === 'out');
    const start = entries.find(
      (e) => e.type === 'execution_start' && (e.data as { prompt_id?: string }).prompt_id === promptId,
    );
    return { reply: reply?.seq ?? -1, firstFrame: firstFrame?.seq ?? -1, start: start?.seq ?? -1 };
  };

  it('by default POST /prompt is answered before any WS frame (its queue status included), like ComfyUI', async () => {
    const ws = await WsClient.connect(sim.url, 'ordered');
    const since = sim.transcript.at(-1)?.seq ?? 0;
    const promptId = randomUUID();
    await post(sim.url, '/prompt', { prompt: qwenGraph(), client_id: 'ordered', prompt_id: promptId });
    await ws.waitDone(promptId);
    const seen = order(promptId, since);
    expect(seen.reply).toBeGreaterThan(0);
    expect(seen.firstFrame).toBeGreaterThan(seen.reply);
    expect(seen.start).toBeGreaterThan(seen.reply);
    ws.close();
  });

  it('eventsBeforeReply (opt-in): WS events go out first and the reply is held', async () => {
    const ws = await WsClient.connect(sim.url, 'early');
    sim.faults.eventsBeforeReply(150);
    const since = sim.transcript.at(-1)?.seq ?? 0;
    const promptId = randomUUID();
    const reply = post(sim.url, '/prompt', { prompt: qwenGraph(), client_id: 'early', prompt_id: promptId });
    await ws.waitFor((f) => f.kind === 'json' && f.type === 'execution_start');
    expect((await reply).status).toBe(200);
    await ws.waitDone(promptId);
    const seen = order(promptId, since);
    expect(seen.start).toBeGreaterThan(0);
    expect(seen.reply).toBeGreaterThan(seen.start);
    // Only the next reply: the one after is in the real order again.
    const since2 = sim.transcript.at(-1)?.seq ?? 0;
    const second = randomUUID();
    await post(sim.url, '/prompt', { prompt: qwenGraph(), client_id: 'early', prompt_id: second });
    await ws.waitDone(second);
    expect(order(second, since2).start).toBeGreaterThan(order(second, since2).reply);
    ws.close();
  });

  it('stallSteps slows each sampler step by real milliseconds', async () => {
    const ws = await WsClient.connect(sim.url, 'stall');
    sim.faults.stallSteps(40);
    const started = Date.now();
    const job = await submit('stall', qwenGraph({ steps: 3 }));
    await ws.waitDone(job.promptId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    ws.close();
  });
});

describe('queue order and control (§3, §9.1)', () => {
  it('orders by (number, prompt_id); front is negative, explicit numbers are floats', async () => {
    const ws = await WsClient.connect(sim.url, 'q');
    sim.faults.hangNext();
    const blocker = await submit('q', qwenGraph({ seed: 100 }));
    await ws.waitFor((f) => f.kind === 'json' && f.type === 'executing' && f.data.node === '8');
    const late = await submit('q', qwenGraph({ seed: 101 }));
    const explicit = await submit('q', qwenGraph({ seed: 102 }), { number: 5 });
    expect(explicit.res.text).toContain('"number": 5.0');
    const front = await submit('q', qwenGraph({ seed: 103 }), { front: true });
    expect(front.res.body.number).toBe(-2);
    expect(late.res.body.number).toBe(1);
    const queue = await getJson<{ queue_pending: unknown[][] }>(sim.url, '/queue');
    const pending = [...queue.queue_pending].sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(pending.map((i) => i[1])).toEqual([front.promptId, late.promptId, explicit.promptId]);
    expect(await getJson(sim.url, '/prompt')).toEqual({ exec_info: { queue_remaining: 4 } });

    await post(sim.url, '/queue', { delete: [late.promptId] });
    const afterDelete = await getJson<{ queue_pending: unknown[][] }>(sim.url, '/queue');
    expect(afterDelete.queue_pending.map((i) => i[1]).sort()).toEqual(
      [explicit.promptId, front.promptId].sort(),
    );

    await post(sim.url, '/interrupt', {});
    await ws.waitDone(blocker.promptId);
    await ws.waitDone(explicit.promptId);
    const done = ws
      .json()
      .filter((f) => f.type === 'execution_start')
      .map((f) => f.data.prompt_id);
    expect(done).toEqual([blocker.promptId, front.promptId, explicit.promptId]);
    expect(sim.stats.promptsAccepted).toBe(4);
    expect(sim.stats.executions).toBe(3);
    ws.close();
  });

  it('/api/jobs lists pending, running and finished jobs and cancels them', async () => {
    const ws = await WsClient.connect(sim.url, 'jobs');
    const done = await submit('jobs', qwenGraph({ seed: 1 }));
    await ws.waitDone(done.promptId);
    sim.faults.hangNext();
    const running = await submit('jobs', qwenGraph({ seed: 2 }));
    const pending = await submit('jobs', qwenGraph({ seed: 3 }));
    await ws.waitFor(
      (f) => f.kind === 'json' && f.type === 'executing' && f.data.prompt_id === running.promptId,
    );
    const list = await getJson<{
      jobs: { id: string; status: string }[];
      pagination: Record<string, unknown>;
    }>(sim.url, '/api/jobs?sort_order=asc');
    expect(list.jobs.map((j) => [j.id, j.status])).toEqual([
      [done.promptId, 'completed'],
      [running.promptId, 'in_progress'],
      [pending.promptId, 'pending'],
    ]);
    expect(list.pagination).toMatchObject({ offset: 0, total: 3, has_more: false });
    const detail = await getJson<Record<string, unknown>>(sim.url, `/api/jobs/${done.promptId}`);
    expect(detail).toMatchObject({
      id: done.promptId,
      status: 'completed',
      outputs_count: 1,
      previewable_outputs_count: 1,
    });
    expect((await fetch(`${sim.url}/api/jobs?status=bogus`)).status).toBe(400);
    expect((await fetch(`${sim.url}/api/jobs/${randomUUID()}`)).status).toBe(404);
    expect((await post(sim.url, `/api/jobs/${pending.promptId}/cancel`, {})).body).toEqual({
      cancelled: true,
    });
    expect((await post(sim.url, '/api/jobs/cancel', { job_ids: [running.promptId] })).body).toEqual({
      cancelled: true,
    });
    await ws.waitDone(running.promptId);
    const statuses = await getJson<{ jobs: { status: string }[] }>(sim.url, '/api/jobs?status=cancelled');
    expect(statuses.jobs).toHaveLength(1);
    ws.close();
  });
});

describe('history bookkeeping (§4)', () => {
  it('evicts the oldest entries past the cap and pages with max_items/offset', async () => {
    const small = await startComfySim({ timeScale: 0.0005, historyCap: 2 });
    try {
      const ws = await WsClient.connect(small.url, 'cap');
      const ids: string[] = [];
      for (let seed = 1; seed <= 4; seed++) {
        const promptId = randomUUID();
        ids.push(promptId);
        await post(small.url, '/prompt', {
          prompt: qwenGraph({ seed }),
          client_id: 'cap',
          prompt_id: promptId,
        });
        await ws.waitDone(promptId);
      }
      // Eviction happens before insertion when more than `cap` entries exist: at most cap + 1 remain.
      expect(Object.keys(await getJson(small.url, '/history'))).toEqual(ids.slice(1));
      expect(Object.keys(await getJson(small.url, '/history?max_items=1'))).toEqual(ids.slice(3));
      expect(Object.keys(await getJson(small.url, '/history?max_items=1&offset=1'))).toEqual([ids[2]]);
      expect((await fetch(`${small.url}/history?max_items=abc`)).status).toBe(500);
      await post(small.url, '/history', { delete: [ids[3]] });
      expect(Object.keys(await getJson(small.url, '/history'))).toEqual(ids.slice(1, 3));
      await post(small.url, '/history', { clear: true });
      expect(await getJson(small.url, '/history')).toEqual({});
      ws.close();
    } finally {
      await small.close();
    }
  });
});

describe('restart', () => {
  it('wipes queue, history and sockets, keeps files, continues counters from disk', async () => {
    const ws = await WsClient.connect(sim.url, 'rs');
    const first = await submit('rs', qwenGraph({ seed: 1, prefix: 'restart/img' }));
    await ws.waitDone(first.promptId);
    sim.faults.hangNext();
    const hung = await submit('rs', qwenGraph({ seed: 2, prefix: 'restart/img' }));
    await submit('rs', qwenGraph({ seed: 3, prefix: 'restart/img' }));
    await ws.waitFor(
      (f) => f.kind === 'json' && f.type === 'executing' && f.data.prompt_id === hung.promptId,
    );

    await sim.restart();
    await ws.waitClosed();
    expect(await getJson(sim.url, '/queue')).toEqual({ queue_running: [], queue_pending: [] });
    expect(await getJson(sim.url, '/history')).toEqual({});
    expect(existsSync(path.join(sim.dirs.output, 'restart', 'img_00001_.png'))).toBe(true);
    expect(sim.gpu.models('comfyui')).toEqual([]);

    const again = await WsClient.connect(sim.url, 'rs');
    const next = await submit('rs', qwenGraph({ seed: 4, prefix: 'restart/img' }));
    expect(next.res.body.number).toBe(0);
    await again.waitDone(next.promptId);
    const executed = again.json().find((f) => f.type === 'executed') as JsonFrame;
    expect(executed.data.output).toEqual({
      images: [{ filename: 'img_00002_.png', subfolder: 'restart', type: 'output' }],
    });
    expect(again.json().find((f) => f.type === 'execution_cached')?.data.nodes).toEqual([]);
    again.close();
  });
});
