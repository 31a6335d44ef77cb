// The server the ComfyUI conformance suite runs against, and the helpers its tests share: model-free
// graphs unique to the run, HTTP calls that keep the raw reply, a POST /prompt timed against the
// socket, and per-prompt views of the WebSocket frames. See comfyui-conformance.test.ts.
import { randomInt, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import sharp from 'sharp';
import { expect } from 'vitest';
import { type ComfySim, startComfySim } from '../../src/sim/comfyui/index.ts';
import { type Frame, type JsonFrame, WsClient } from '../sim/comfyui/helpers.ts';

export const REAL_URL = process.env.COMFYUI_URL?.replace(/\/+$/, '');
/** A real server on a CPU is slower than the simulator: give its events time. */
export const WAIT_MS = REAL_URL ? 60_000 : 5_000;
export const TAG = `conf-${randomUUID().slice(0, 8)}`;
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** The server under test: a real one (COMFYUI_URL) or the simulator in its 0.3.64 flavour. */
export const target: { base: string; sim: ComfySim | null } = { base: REAL_URL ?? '', sim: null };

/** An installed model file the real server lists but cannot load (CPU test install; see README). */
export async function firstCheckpoint(url: string): Promise<string | null> {
  const res = await fetch(`${url}/models/checkpoints`);
  const list = (await res.json()) as string[];
  return list[0] ?? null;
}
export const REAL_CHECKPOINT = REAL_URL ? await firstCheckpoint(REAL_URL) : null;

export async function startTarget(): Promise<void> {
  if (REAL_URL) return;
  target.sim = await startComfySim({ version: '0.3.64', timeScale: 0.001 });
  target.base = target.sim.url;
}

export async function stopTarget(): Promise<void> {
  await target.sim?.close();
}

export const color = () => randomInt(0x1000000);

/** EmptyImage → ImageInvert → SaveImage: three nodes, one output, nothing to load. */
export function invertGraph(name: string, rgb = color(), size: [number, number] = [64, 48]): Graph {
  return {
    '1': {
      class_type: 'EmptyImage',
      inputs: { width: size[0], height: size[1], batch_size: 1, color: rgb },
    },
    '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
    '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: `conf/${TAG}/${name}` } },
  };
}

/** A graph a CPU server needs seconds for (a big bicubic upscale), so it can be caught running. */
export function slowGraph(name: string): Graph {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 1024, height: 1024, batch_size: 1, color: color() } },
    '2': {
      class_type: 'ImageScale',
      inputs: { image: ['1', 0], upscale_method: 'bicubic', width: 6144, height: 6144, crop: 'disabled' },
    },
    '3': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
    '4': {
      class_type: 'ImageScale',
      inputs: { image: ['3', 0], upscale_method: 'area', width: 64, height: 64, crop: 'disabled' },
    },
    '5': { class_type: 'SaveImage', inputs: { images: ['4', 0], filename_prefix: `conf/${TAG}/${name}` } },
  };
}

export interface Reply {
  status: number;
  contentType: string | null;
  text: string;
  json: Record<string, unknown>;
}

export async function call(
  method: string,
  route: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<Reply> {
  const init: RequestInit = { method, ...(headers ? { headers } : {}) };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${target.base}${route}`, init);
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** POST /prompt whose reply is timed against the socket: how many frames had arrived when it came. */
export function postPrompt(body: unknown, ws?: WsClient): Promise<Reply & { framesBeforeReply: number }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      `${target.base}/prompt`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        // The 'response' event fires when the status line and headers are parsed, before any await.
        const framesBeforeReply = ws?.frames.length ?? 0;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = {};
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? null,
            text,
            json,
            framesBeforeReply,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface Submitted {
  promptId: string;
  ws: WsClient;
  /** Index of the first frame after the POST was sent. */
  from: number;
  reply: Reply & { framesBeforeReply: number };
}

/** Connects a socket of its own (a fresh client id), queues the graph and returns at the reply. */
export async function submit(graph: Graph, extra: Record<string, unknown> = {}): Promise<Submitted> {
  const clientId = randomUUID();
  const ws = await WsClient.connect(target.base, clientId);
  const promptId = randomUUID();
  const from = ws.frames.length;
  const reply = await postPrompt({ prompt: graph, client_id: clientId, prompt_id: promptId, ...extra }, ws);
  expect(reply.status, reply.text).toBe(200);
  return { promptId, ws, from, reply };
}

/** This prompt's frames (prompt_id matches) as labels: `type`, `executing:<node>`, `executed:<node>`. */
export function promptLabels(ws: WsClient, promptId: string, from = 0): string[] {
  return ws.frames
    .slice(from)
    .filter((f): f is JsonFrame => f.kind === 'json' && f.data.prompt_id === promptId)
    .map((f) =>
      f.type === 'executing' || f.type === 'executed' ? `${f.type}:${String(f.data.node)}` : f.type,
    );
}

export const frameOf = (ws: WsClient, promptId: string, type: string): JsonFrame | undefined =>
  ws.json().find((f) => f.type === type && f.data.prompt_id === promptId);

/** The event types of a history entry's `status.messages`, in order. */
export function messageTypes(entry: Record<string, unknown> | undefined): string[] {
  const status = entry?.status as { messages?: [string, unknown][] } | undefined;
  return (status?.messages ?? []).map(([type]) => type);
}

export async function history(promptId: string): Promise<Record<string, unknown> | undefined> {
  const reply = await call('GET', `/history/${promptId}`);
  return reply.json[promptId] as Record<string, unknown> | undefined;
}

export const isDone = (promptId: string) => (f: Frame) =>
  f.kind === 'json' && f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId;

/** Waits until the prompt's first node is executing (the server is busy with it). */
export async function runningNode(ws: WsClient, promptId: string): Promise<void> {
  await ws.waitFor(
    (f) =>
      f.kind === 'json' && f.type === 'executing' && f.data.prompt_id === promptId && f.data.node !== null,
    WAIT_MS,
  );
}

/** A prompt that stays running long enough to be looked at and interrupted. */
export async function submitSlow(name: string): Promise<Submitted> {
  // The real CPU server spends seconds on the upscale; the simulator is fast, so it holds the run.
  target.sim?.faults.hangNext();
  const submitted = await submit(slowGraph(name));
  await runningNode(submitted.ws, submitted.promptId);
  return submitted;
}

export function uploadForm(bytes: Buffer, filename: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), filename);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

export async function solidPng(
  width: number,
  height: number,
  rgb: [number, number, number],
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}
