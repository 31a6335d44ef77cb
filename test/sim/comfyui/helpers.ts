// Shared helpers for the ComfyUI simulator tests: a recording WebSocket client and ready graphs.
import { WebSocket } from 'ws';

export interface JsonFrame {
  kind: 'json';
  type: string;
  data: Record<string, unknown>;
}
export interface BinaryFrame {
  kind: 'binary';
  event: number;
  bytes: Buffer;
}
export type Frame = JsonFrame | BinaryFrame;

export class WsClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  closeCode: number | null = null;
  private waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.frames.push({ kind: 'binary', event: buf.readUInt32BE(0), bytes: buf });
      else {
        const msg = JSON.parse(buf.toString('utf8')) as { type: string; data: Record<string, unknown> };
        this.frames.push({ kind: 'json', type: msg.type, data: msg.data });
      }
      this.notify();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
    ws.on('error', () => {});
  }

  /** Connects and waits for the first `status` frame (the sid handshake). */
  static async connect(
    baseUrl: string,
    clientId?: string,
    options: { featureFlags?: boolean; path?: string; headers?: Record<string, string> } = {},
  ): Promise<WsClient> {
    const query = clientId === undefined ? '' : `?clientId=${encodeURIComponent(clientId)}`;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${options.path ?? '/ws'}${query}`, {
      headers: options.headers ?? {},
    });
    const client = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    await client.waitFor((f) => f.kind === 'json' && f.type === 'status');
    if (options.featureFlags) {
      ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      await client.waitFor((f) => f.kind === 'json' && f.type === 'feature_flags');
    }
    return client;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  json(): JsonFrame[] {
    return this.frames.filter((f): f is JsonFrame => f.kind === 'json');
  }

  binary(): BinaryFrame[] {
    return this.frames.filter((f): f is BinaryFrame => f.kind === 'binary');
  }

  async waitFor(predicate: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out; frames: ${this.json()
            .map((f) => f.type)
            .join(',')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for `executing {node: null, prompt_id}`: the job is finished and in history. */
  waitDone(promptId: string, timeoutMs = 5000): Promise<Frame> {
    return this.waitFor(
      (f) =>
        f.kind === 'json' && f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId,
      timeoutMs,
    );
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => this.closeCode !== null, timeoutMs).then(() => undefined);
  }

  /** Frames after the connect handshake as compact labels: `type` or `type:node`, `bin1`/`bin4`. */
  labels(from = 0): string[] {
    return this.frames.slice(from).map((f) => {
      if (f.kind === 'binary') return `bin${f.event}`;
      if (f.type === 'executing' || f.type === 'executed') return `${f.type}:${String(f.data.node)}`;
      return f.type;
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

export interface PostResult {
  status: number;
  body: Record<string, unknown>;
  text: string;
  contentType: string | null;
}

export async function post(baseUrl: string, route: string, body: unknown): Promise<PostResult> {
  const res = await fetch(`${baseUrl}${route}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  return { status: res.status, body: parsed, text, contentType: res.headers.get('content-type') };
}

export async function getJson<T = Record<string, unknown>>(baseUrl: string, route: string): Promise<T> {
  const res = await fetch(`${baseUrl}${route}`);
  if (!res.ok) throw new Error(`GET ${route} → ${res.status}`);
  return (await res.json()) as T;
}

export type Graph = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: unknown }>;

/** comfyui.md §10(a): Qwen-Image text-to-image. */
export function qwenGraph(
  options: {
    seed?: number;
    steps?: number;
    prefix?: string;
    width?: number;
    height?: number;
    text?: string;
  } = {},
): Graph {
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
      inputs: { clip: ['2', 0], text: options.text ?? 'studio product photo of a ceramic mug' },
    },
    '6': { class_type: 'CLIPTextEncode', inputs: { clip: ['2', 0], text: '' } },
    '7': {
      class_type: 'EmptySD3LatentImage',
      inputs: { width: options.width ?? 512, height: options.height ?? 512, batch_size: 1 },
    },
    '8': {
      class_type: 'KSampler',
      inputs: {
        model: ['4', 0],
        positive: ['5', 0],
        negative: ['6', 0],
        latent_image: ['7', 0],
        seed: options.seed ?? 424242,
        steps: options.steps ?? 3,
        cfg: 2.5,
        sampler_name: 'euler',
        scheduler: 'simple',
        denoise: 1.0,
      },
    },
    '9': { class_type: 'VAEDecode', inputs: { samples: ['8', 0], vae: ['3', 0] } },
    '10': {
      class_type: 'SaveImage',
      inputs: { images: ['9', 0], filename_prefix: options.prefix ?? 'qwen/job-42' },
    },
  };
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
