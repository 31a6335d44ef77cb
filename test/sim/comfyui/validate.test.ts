// POST /prompt validation (§2.1) and the HTTP conventions of §1, over real sockets.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComfySim, startComfySim } from '../../../src/sim/comfyui/index.ts';
import { type Graph, getJson, post, qwenGraph, WsClient } from './helpers.ts';

let sim: ComfySim;
let legacy: ComfySim;

beforeAll(async () => {
  sim = await startComfySim({ timeScale: 0.0005 });
  legacy = await startComfySim({ timeScale: 0.0005, version: '0.3.64' });
});
afterAll(async () => {
  await sim.close();
  await legacy.close();
});

const nodeErrors = (body: Record<string, unknown>) =>
  body.node_errors as Record<
    string,
    {
      errors: ({ extra_info: Record<string, unknown> } & Record<string, unknown>)[];
      dependent_outputs: string[];
      class_type: string;
    }
  >;

describe('node errors', () => {
  it('reports a missing model file as value_not_in_list on the loader, with top-level details ""', async () => {
    const graph = qwenGraph();
    (graph['1'] as Graph[string]).inputs.unet_name = 'qwen_image_missing.safetensors';
    const res = await post(sim.url, '/prompt', { prompt: graph });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      type: 'prompt_outputs_failed_validation',
      message: 'Prompt outputs failed validation',
      details: '',
      extra_info: {},
    });
    expect(nodeErrors(res.body)).toEqual({
      '1': {
        errors: [
          {
            type: 'value_not_in_list',
            message: 'Value not in list',
            details:
              "unet_name: 'qwen_image_missing.safetensors' not in ['qwen_image_edit_2509_fp8_e4m3fn.safetensors', 'qwen_image_fp8_e4m3fn.safetensors']",
            extra_info: {
              input_name: 'unet_name',
              input_config: [
                ['qwen_image_edit_2509_fp8_e4m3fn.safetensors', 'qwen_image_fp8_e4m3fn.safetensors'],
                {},
              ],
              received_value: 'qwen_image_missing.safetensors',
            },
          },
        ],
        dependent_outputs: ['10'],
        class_type: 'UNETLoader',
      },
    });
  });

  it('follows the installed inventory at run time: "not in []" and "(list of length N)"', async () => {
    const own = await startComfySim({ timeScale: 0.0005 });
    try {
      own.setModels('diffusion_models', []);
      let res = await post(own.url, '/prompt', { prompt: qwenGraph() });
      let error = nodeErrors(res.body)['1']?.errors[0];
      expect(error?.details).toBe("unet_name: 'qwen_image_fp8_e4m3fn.safetensors' not in []");
      expect(error?.extra_info?.input_config).toEqual([[], {}]);
      const info = await getJson<Record<string, { input: { required: Record<string, unknown[]> } }>>(
        own.url,
        '/object_info/UNETLoader',
      );
      expect(info.UNETLoader?.input.required.unet_name).toEqual([[]]);

      own.setModels(
        'diffusion_models',
        Array.from({ length: 21 }, (_, i) => `m${i}.safetensors`),
      );
      res = await post(own.url, '/prompt', { prompt: qwenGraph() });
      error = nodeErrors(res.body)['1']?.errors[0];
      expect(error?.details).toBe(
        "unet_name: 'qwen_image_fp8_e4m3fn.safetensors' not in (list of length 21)",
      );
      expect(error?.extra_info?.input_config).toBeNull();
    } finally {
      await own.close();
    }
  });

  it('reports bounds, missing inputs, type mismatches and coercion failures per node', async () => {
    const graph = qwenGraph();
    (graph['7'] as Graph[string]).inputs.width = 99999;
    (graph['8'] as Graph[string]).inputs.cfg = -1;
    delete (graph['8'] as Graph[string]).inputs.scheduler;
    (graph['9'] as Graph[string]).inputs.vae = ['2', 0];
    (graph['4'] as Graph[string]).inputs.shift = 'abc';
    const res = await post(sim.url, '/prompt', { prompt: graph });
    expect(res.status).toBe(400);
    const errors = nodeErrors(res.body);
    expect(Object.keys(errors).sort()).toEqual(['4', '7', '8', '9']);
    expect(errors['7']?.errors[0]).toMatchObject({
      type: 'value_bigger_than_max',
      message: 'Value 99999 bigger than max of 16384',
      details: 'width',
      extra_info: { input_name: 'width', received_value: 99999 },
    });
    const kErrors = errors['8']?.errors ?? [];
    expect(kErrors.map((e) => e.type).sort()).toEqual(['required_input_missing', 'value_smaller_than_min']);
    expect(kErrors.find((e) => e.type === 'value_smaller_than_min')?.message).toBe(
      'Value -1.0 smaller than min of 0.0',
    );
    expect(kErrors.find((e) => e.type === 'required_input_missing')).toEqual({
      type: 'required_input_missing',
      message: 'Required input is missing',
      details: 'scheduler',
      extra_info: { input_name: 'scheduler' },
    });
    expect(errors['9']?.errors[0]).toMatchObject({
      type: 'return_type_mismatch',
      details: 'vae, received_type(CLIP) mismatch input_type(VAE)',
      extra_info: { input_name: 'vae', received_type: 'CLIP', linked_node: ['2', 0] },
    });
    expect(errors['4']?.errors[0]).toMatchObject({
      type: 'invalid_input_type',
      message: 'Failed to convert an input value to a FLOAT value',
      details: "shift, abc, could not convert string to float: 'abc'",
    });
    expect(Object.values(errors).every((e) => e.dependent_outputs.join() === '10')).toBe(true);
  });

  it('coerces like Python: "20" → 20 steps, 20.7 → 20', async () => {
    const ws = await WsClient.connect(sim.url, 'coerce');
    const graph = qwenGraph({ seed: 99 });
    (graph['8'] as Graph[string]).inputs.steps = '2';
    (graph['7'] as Graph[string]).inputs.width = 512.9;
    const promptId = randomUUID();
    const res = await post(sim.url, '/prompt', { prompt: graph, client_id: 'coerce', prompt_id: promptId });
    expect(res.status).toBe(200);
    await ws.waitDone(promptId);
    expect(
      ws
        .json()
        .filter((f) => f.type === 'progress')
        .map((f) => f.data.max),
    ).toEqual([2, 2]);
    const history = await getJson<Record<string, { prompt: unknown[] }>>(sim.url, `/history/${promptId}`);
    const stored = history[promptId]?.prompt[2] as Graph;
    expect(stored['8']?.inputs.steps).toBe(2);
    expect(stored['7']?.inputs.width).toBe(512);
    ws.close();
  });

  it('flags a link to a node that does not exist as exception_during_validation', async () => {
    const graph = qwenGraph();
    (graph['10'] as Graph[string]).inputs.images = ['99', 0];
    const res = await post(sim.url, '/prompt', { prompt: graph });
    expect(res.status).toBe(400);
    expect(nodeErrors(res.body)['10']?.errors[0]).toMatchObject({
      type: 'exception_during_validation',
      message: 'Exception when validating node',
      details: "'99'",
      extra_info: { exception_type: 'KeyError' },
    });
    expect((res.body.error as Record<string, unknown>).details).toBe("Exception when validating node: '99'");
  });

  it('runs the valid outputs of a partially valid graph and answers 200 with node_errors', async () => {
    const ws = await WsClient.connect(sim.url, 'partial');
    const graph = qwenGraph({ seed: 5, prefix: 'partial/good' });
    graph['11'] = {
      class_type: 'ImageScaleBy',
      inputs: { image: ['9', 0], upscale_method: 'area', scale_by: 99 },
    };
    graph['12'] = { class_type: 'SaveImage', inputs: { images: ['11', 0], filename_prefix: 'partial/bad' } };
    const promptId = randomUUID();
    const res = await post(sim.url, '/prompt', { prompt: graph, client_id: 'partial', prompt_id: promptId });
    expect(res.status).toBe(200);
    expect(Object.keys(nodeErrors(res.body))).toEqual(['11']);
    expect(nodeErrors(res.body)['11']?.dependent_outputs).toEqual(['12']);
    await ws.waitDone(promptId);
    const history = await getJson<Record<string, { outputs: object; prompt: unknown[] }>>(
      sim.url,
      `/history/${promptId}`,
    );
    expect(Object.keys(history[promptId]?.outputs ?? {})).toEqual(['10']);
    expect(history[promptId]?.prompt[4]).toEqual(['10']);
    ws.close();
  });

  it('checks LoadImage only for file existence', async () => {
    const graph: Graph = {
      '1': { class_type: 'LoadImage', inputs: { image: 'nowhere/missing.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
    };
    const res = await post(sim.url, '/prompt', { prompt: graph });
    expect(res.status).toBe(400);
    expect(nodeErrors(res.body)['1']?.errors[0]).toMatchObject({
      type: 'custom_validation_failed',
      message: 'Custom validation failed for node',
      details: 'image - Invalid image file: nowhere/missing.png',
    });
  });
});

describe('graph-level errors', () => {
  it('no_prompt, prompt_no_outputs, missing_node_type and invalid_prompt_id (2026)', async () => {
    let res = await post(sim.url, '/prompt', { client_id: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        type: 'no_prompt',
        message: 'No prompt provided',
        details: 'No prompt provided',
        extra_info: {},
      },
      node_errors: {},
    });

    const noOutputs = qwenGraph();
    delete noOutputs['10'];
    res = await post(sim.url, '/prompt', { prompt: noOutputs });
    expect(res.body).toEqual({
      error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} },
      node_errors: {},
    });

    const unknown = qwenGraph();
    unknown['11'] = { class_type: 'FancyUpscaler', inputs: {}, _meta: { title: 'Fancy' } };
    res = await post(sim.url, '/prompt', { prompt: unknown });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: 'missing_node_type',
      details: "Node ID '#11'",
      extra_info: { node_id: '11', class_type: 'FancyUpscaler', node_title: 'Fancy' },
    });
    expect(res.body.node_errors).toEqual({});

    res = await post(sim.url, '/prompt', { prompt: qwenGraph(), prompt_id: 'job-1' });
    expect(res.status).toBe(400);
    expect((res.body.error as Record<string, unknown>).type).toBe('invalid_prompt_id');
    res = await post(sim.url, '/prompt', { prompt: qwenGraph(), prompt_id: randomUUID().toUpperCase() });
    expect((res.body.error as Record<string, unknown>).type).toBe('invalid_prompt_id');
  });

  it('0.3.64: invalid_prompt, any-string prompt_id, null → "None", no /api/jobs', async () => {
    const unknown = qwenGraph();
    unknown['11'] = { class_type: 'FancyUpscaler', inputs: {} };
    let res = await post(legacy.url, '/prompt', { prompt: unknown });
    expect(res.body.error).toEqual({
      type: 'invalid_prompt',
      message: 'Cannot execute because node FancyUpscaler does not exist.',
      details: "Node ID '#11'",
      extra_info: {},
    });
    res = await post(legacy.url, '/prompt', { prompt: { '1': { inputs: {} } } });
    expect((res.body.error as Record<string, unknown>).message).toBe(
      'Cannot execute because a node is missing the class_type property.',
    );
    res = await post(legacy.url, '/prompt', { prompt: qwenGraph({ seed: 1 }), prompt_id: 'job-1' });
    expect(res.status).toBe(200);
    expect(res.body.prompt_id).toBe('job-1');
    res = await post(legacy.url, '/prompt', { prompt: qwenGraph({ seed: 2 }), prompt_id: null });
    expect(res.body.prompt_id).toBe('None');
    expect((await fetch(`${legacy.url}/api/jobs`)).status).toBe(404);
    const stats = await getJson<{ system: { os: string; comfyui_version: string } }>(
      legacy.url,
      '/system_stats',
    );
    expect(stats.system).toMatchObject({ os: 'posix', comfyui_version: '0.3.64' });
  });

  it('treats a non-JSON body as a 500 and does not queue it', async () => {
    const before = sim.stats.promptsAccepted;
    for (const route of ['/prompt', '/queue', '/free', '/history']) {
      const res = await post(sim.url, route, 'not json');
      expect(res.status).toBe(500);
      expect(res.contentType).toMatch(/^text\/plain/);
    }
    expect(sim.stats.promptsAccepted).toBe(before);
  });
});

describe('HTTP conventions (§1)', () => {
  it('serves every route under /api too, with empty-body 200s for mutations', async () => {
    for (const route of ['/queue', '/api/queue']) {
      const res = await post(sim.url, route, { clear: true });
      expect([res.status, res.text, res.contentType]).toEqual([200, '', 'application/octet-stream']);
    }
    const interrupt = await fetch(`${sim.url}/interrupt`, { method: 'POST' });
    expect([interrupt.status, await interrupt.text()]).toEqual([200, '']);
    expect((await post(sim.url, '/api/history', { delete: ['nope'] })).status).toBe(200);
    expect((await post(sim.url, '/free', { unload_models: true })).text).toBe('');
    expect(await getJson(sim.url, '/api/prompt')).toEqual({ exec_info: { queue_remaining: 0 } });
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    const missing = await fetch(`${sim.url}/nope`);
    expect([missing.status, await missing.text()]).toEqual([404, '404: Not Found']);
    const wrong = await fetch(`${sim.url}/api/interrupt`);
    expect(wrong.status).toBe(405);
    await wrong.text();
    expect((await fetch(`${sim.url}/models/clip`)).status).toBe(404);
    expect((await fetch(`${sim.url}/models/unet`)).status).toBe(404);
  });

  it('refuses loopback requests whose Origin differs from Host with an empty 403', async () => {
    const call = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${sim.url}/api/system_stats`, { headers }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const host = `127.0.0.1:${sim.port}`;
    expect(await call({ Host: host, Origin: 'http://localhost:5173' })).toEqual({ status: 403, body: '' });
    expect((await call({ Host: host, Origin: 'null' })).status).toBe(200);
    expect((await call({ Host: host, Origin: `http://127.0.0.1:${sim.port}` })).status).toBe(200);
    expect((await call({ Host: host, Origin: 'http://127.0.0.1' })).status).toBe(200);
    expect((await call({ Host: host })).status).toBe(200);
    await expect(
      WsClient.connect(sim.url, 'o', { headers: { Origin: 'http://localhost:5173' } }),
    ).rejects.toThrow(/403/);
  });
});

describe('server info', () => {
  it('/object_info has V1 and V3 shapes and the exact seed maximum', async () => {
    const res = await fetch(`${sim.url}/object_info`);
    const raw = await res.text();
    expect(raw).toContain('"max": 18446744073709551615');
    const info = JSON.parse(raw) as Record<string, Record<string, unknown>>;
    expect(Object.keys(info)).toHaveLength(25);
    expect(info.KSampler).toMatchObject({
      input_order: {
        required: [
          'model',
          'seed',
          'steps',
          'cfg',
          'sampler_name',
          'scheduler',
          'positive',
          'negative',
          'latent_image',
          'denoise',
        ],
      },
      output: ['LATENT'],
      output_is_list: [false],
      output_name: ['LATENT'],
      name: 'KSampler',
      python_module: 'nodes',
      category: 'sampling',
      output_node: false,
    });
    expect(info.ImageScaleToTotalPixels).toMatchObject({
      input: {
        required: {
          upscale_method: ['COMBO', { options: ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] }],
        },
      },
      deprecated: false,
      experimental: false,
      api_node: false,
    });
    expect(info.CFGNorm?.display_name).toBeNull();
    expect(info.SaveImage).toMatchObject({ output_node: true, input: { hidden: { prompt: 'PROMPT' } } });
    expect(await getJson(sim.url, '/object_info/NoSuchNode')).toEqual({});
  });

  it('/system_stats reports VRAM from the simulated GPU; /models, /features, /embeddings', async () => {
    const stats = await getJson<{ devices: { vram_total: number; vram_free: number }[] }>(
      sim.url,
      '/system_stats',
    );
    expect(stats.devices[0]?.vram_total).toBe(sim.gpu.vramTotal);
    expect(stats.devices[0]?.vram_free).toBe(sim.gpu.free());
    expect(await getJson<string[]>(sim.url, '/models')).toContain('diffusion_models');
    expect(await getJson(sim.url, '/api/models/checkpoints')).toEqual(['sd_xl_base_1.0.safetensors']);
    expect(await getJson(sim.url, '/embeddings')).toEqual([]);
    const features = await (await fetch(`${sim.url}/features`)).text();
    // argparse keeps the default (100 MB) an int: 0.3.64 answers 104857600, not 104857600.0.
    expect(features).toBe('{"supports_preview_metadata": true, "max_upload_size": 104857600}');
  });
});

describe('server switches', () => {
  it('corsHeader disables the origin check and answers OPTIONS; maxUploadSize gives 413', async () => {
    const open = await startComfySim({ timeScale: 0.0005, corsHeader: true, maxUploadSize: 1024 });
    try {
      const res = await fetch(`${open.url}/system_stats`, { headers: { Origin: 'http://localhost:5173' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      await res.arrayBuffer();
      const options = await fetch(`${open.url}/prompt`, { method: 'OPTIONS' });
      expect(options.status).toBe(200);
      const big = await post(open.url, '/prompt', { prompt: qwenGraph({ text: 'x'.repeat(2000) }) });
      expect(big.status).toBe(413);
      expect(open.stats.promptsAccepted).toBe(0);
    } finally {
      await open.close();
    }
  });
});
