// Live previews on a stock ComfyUI: the client asks for them per prompt (extra_data.preview_method),
// a 2026 server honours that, 0.3.64 reads only its --preview-method flag (default none), and a
// prompt that ran a sampler live without one preview frame is reported once per client.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ComfyClient,
  type ComfyClientOptions,
  type ComfyGraph,
  type ComfyPreviewMethod,
  type ComfyPreviewsMissing,
  previewsOffHint,
} from '../../../../src/main/engine/comfy/index.ts';
import { type ComfySim, type ComfySimOptions, startComfySim } from '../../../../src/sim/comfyui/index.ts';

/** A small Qwen text-to-image graph (2 sampler steps unless told otherwise), unique per call. */
function qwenGraph(steps = 2): ComfyGraph {
  return {
    '1': {
      class_type: 'UNETLoader',
      inputs: { unet_name: 'qwen_image_fp8_e4m3fn.safetensors', weight_dtype: 'default' },
    },
    '2': {
      class_type: 'CLIPLoader',
      inputs: { clip_name: 'qwen_2.5_vl_7b_fp8_scaled.safetensors', type: 'qwen_image' },
    },
    '3': { class_type: 'VAELoader', inputs: { vae_name: 'qwen_image_vae.safetensors' } },
    '5': { class_type: 'CLIPTextEncode', inputs: { clip: ['2', 0], text: 'a teapot' } },
    '7': { class_type: 'EmptySD3LatentImage', inputs: { width: 128, height: 128, batch_size: 1 } },
    '8': {
      class_type: 'KSampler',
      inputs: {
        model: ['1', 0],
        positive: ['5', 0],
        negative: ['5', 0],
        latent_image: ['7', 0],
        seed: Math.floor(Math.random() * 1e12),
        steps,
        cfg: 2.5,
        sampler_name: 'euler',
        scheduler: 'simple',
        denoise: 1,
      },
    },
    '9': { class_type: 'VAEDecode', inputs: { samples: ['8', 0], vae: ['3', 0] } },
    '10': {
      class_type: 'SaveImage',
      inputs: { images: ['9', 0], filename_prefix: `pv/${randomUUID().slice(0, 8)}` },
    },
  };
}

const sims: ComfySim[] = [];
const clients: ComfyClient[] = [];
let modern: ComfySim;
let old: ComfySim;

async function sim(options: ComfySimOptions): Promise<ComfySim> {
  const s = await startComfySim({ timeScale: 0.0005, ...options });
  sims.push(s);
  return s;
}

function client(target: ComfySim, options: Partial<ComfyClientOptions> = {}): ComfyClient {
  const c = new ComfyClient({ url: target.url, pollIntervalMs: 40, ...options });
  clients.push(c);
  return c;
}

/** Runs one prompt; returns the preview frames it got and the extra_data the server stored. */
async function render(c: ComfyClient, target: ComfySim, steps = 2) {
  let frames = 0;
  const result = await c.run(qwenGraph(steps), { onPreview: () => frames++ });
  const history = (await (await fetch(`${target.url}/history/${result.promptId}`)).json()) as Record<
    string,
    { prompt: unknown[] }
  >;
  return { frames, extraData: history[result.promptId]?.prompt[3] as Record<string, unknown> };
}

beforeAll(async () => {
  // Both started like a stock ComfyUI: --preview-method none.
  modern = await sim({});
  old = await sim({ version: '0.3.64' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

describe('asking for previews (extra_data.preview_method)', () => {
  it('a 2026 server started without previews sends them to a client that asks', async () => {
    const missing: ComfyPreviewsMissing[] = [];
    const c = client(modern, { previewMethod: 'auto', onPreviewsMissing: (m) => missing.push(m) });
    const { frames, extraData } = await render(c, modern, 3);
    expect(extraData.preview_method).toBe('auto');
    expect(frames).toBe(3);
    expect(missing).toEqual([]);
  });

  it('without a request (or with "default") nothing is sent and the server flag decides', async () => {
    for (const previewMethod of [undefined, 'default'] as const) {
      const c = client(modern, previewMethod ? { previewMethod } : {});
      const { frames, extraData } = await render(c, modern);
      expect(extraData).not.toHaveProperty('preview_method');
      expect(frames).toBe(0);
    }
  });

  it('reads a function setting per prompt, so a settings change applies to the next prompt', async () => {
    let setting: ComfyPreviewMethod = 'none';
    const c = client(modern, { previewMethod: () => setting });
    expect((await render(c, modern)).frames).toBe(0);
    setting = 'latent2rgb';
    const second = await render(c, modern);
    expect(second.extraData.preview_method).toBe('latent2rgb');
    expect(second.frames).toBe(2);
  });

  it('the caller’s own extra_data wins over the setting', async () => {
    const c = client(modern, { previewMethod: 'auto' });
    const result = await c.run(qwenGraph(), { extraData: { preview_method: 'none' } });
    const history = (await (await fetch(`${modern.url}/history/${result.promptId}`)).json()) as Record<
      string,
      { prompt: [unknown, unknown, unknown, Record<string, unknown>] }
    >;
    expect(history[result.promptId]?.prompt[3].preview_method).toBe('none');
  });
});

describe('a server that ignores the request (0.3.64)', () => {
  it('renders without previews and reports it once per client, naming the server and the steps', async () => {
    const missing: ComfyPreviewsMissing[] = [];
    const c = client(old, { previewMethod: 'auto', onPreviewsMissing: (m) => missing.push(m) });
    const first = await render(c, old, 4);
    expect(first.extraData.preview_method).toBe('auto');
    expect(first.frames).toBe(0);
    await render(c, old, 4);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ url: old.url, requested: 'auto', samplerSteps: 4 });
    expect(previewsOffHint).toContain('--preview-method auto');
  });

  it('says nothing when previews are not wanted, or when the operator started it with --preview-method', async () => {
    const missing: ComfyPreviewsMissing[] = [];
    const quiet = client(old, { previewMethod: 'none', onPreviewsMissing: (m) => missing.push(m) });
    expect((await render(quiet, old)).frames).toBe(0);
    const started = await sim({ version: '0.3.64', previewMethod: 'auto' });
    const c = client(started, { previewMethod: 'auto', onPreviewsMissing: (m) => missing.push(m) });
    expect((await render(c, started, 3)).frames).toBe(3);
    expect(missing).toEqual([]);
  });

  it('does not count a cached re-run (nothing was sampled) or a graph without a sampler', async () => {
    const graph = qwenGraph();
    await client(old, { previewMethod: 'auto' }).run(graph);
    const missing: ComfyPreviewsMissing[] = [];
    const c = client(old, { previewMethod: 'auto', onPreviewsMissing: (m) => missing.push(m) });
    const again = await c.run(graph);
    expect(again.cached).toBe(true);
    const plain: ComfyGraph = {
      '1': { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 1, color: 0x336699 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'pv/plain' } },
    };
    expect((await c.run(plain)).cached).toBe(false);
    expect(missing).toEqual([]);
  });
});
