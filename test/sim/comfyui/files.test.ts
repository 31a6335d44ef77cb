// Uploads, /view, LoadImage-based graphs (thumbnail, img2img, edit) and SaveImage naming (§5, §9.3, §10).
import { randomUUID } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComfySim, startComfySim } from '../../../src/sim/comfyui/index.ts';
import { renderProductImage } from '../../../src/sim/render.ts';
import { type Graph, getJson, type JsonFrame, post, WsClient } from './helpers.ts';

let sim: ComfySim;
let ws: WsClient;

beforeAll(async () => {
  sim = await startComfySim({ timeScale: 0.0005 });
  ws = await WsClient.connect(sim.url, 'files');
});
afterAll(async () => {
  ws.close();
  await sim.close();
});

async function upload(bytes: Buffer, name: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${sim.url}/api/upload/image`, { method: 'POST', body: form });
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as Record<string, string>) : null,
  };
}

async function run(graph: Graph): Promise<Record<string, { images: Record<string, string>[] }>> {
  const promptId = randomUUID();
  const res = await post(sim.url, '/prompt', { prompt: graph, client_id: 'files', prompt_id: promptId });
  expect(res.status, res.text).toBe(200);
  await ws.waitDone(promptId);
  const errors = ws.json().filter((f) => f.type === 'execution_error' && f.data.prompt_id === promptId);
  expect(errors.map((f) => f.data.exception_message)).toEqual([]);
  const history = await getJson<
    Record<string, { outputs: Record<string, { images: Record<string, string>[] }> }>
  >(sim.url, `/history/${promptId}`);
  return history[promptId]?.outputs ?? {};
}

async function view(image: Record<string, string>): Promise<Buffer> {
  const q = new URLSearchParams({
    filename: image.filename ?? '',
    subfolder: image.subfolder ?? '',
    type: image.type ?? '',
  });
  const res = await fetch(`${sim.url}/view?${q}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const photo = () =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .png()
    .toBuffer();

describe('upload and /view', () => {
  it('dedupes identical bytes, renames different ones, honours overwrite and subfolder', async () => {
    const bytes = await photo();
    const first = await upload(bytes, 'photo.png', { subfolder: 'products' });
    expect(first).toEqual({ status: 200, body: { name: 'photo.png', subfolder: 'products', type: 'input' } });
    expect((await upload(bytes, 'photo.png', { subfolder: 'products' })).body?.name).toBe('photo.png');
    const other = await sharp(bytes).negate().png().toBuffer();
    expect((await upload(other, 'photo.png', { subfolder: 'products' })).body?.name).toBe('photo (1).png');
    expect((await upload(other, 'photo.png', { subfolder: 'products', overwrite: 'true' })).body?.name).toBe(
      'photo.png',
    );
    expect(readdirSync(path.join(sim.dirs.input, 'products')).sort()).toEqual(['photo (1).png', 'photo.png']);
    expect((await upload(bytes, 'x.png', { subfolder: '../escape' })).status).toBe(400);
    expect((await upload(bytes, 'x.png', { type: 'bogus' })).status).toBe(500);
    expect((await upload(bytes, 'top.png')).body).toEqual({ name: 'top.png', subfolder: '', type: 'input' });
    // Top-level inputs show up in LoadImage's COMBO.
    const info = await getJson<Record<string, { input: { required: { image: unknown[] } } }>>(
      sim.url,
      '/object_info/LoadImage',
    );
    expect(info.LoadImage?.input.required.image[0]).toEqual(['top.png']);
  });

  it('/view: type, annotations, traversal and missing files', async () => {
    writeFileSync(path.join(sim.dirs.input, 'plain.png'), await photo());
    const ok = await fetch(`${sim.url}/view?filename=plain.png&type=input`);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const annotated = await fetch(`${sim.url}/view?filename=${encodeURIComponent('plain.png [input]')}`);
    expect(annotated.status).toBe(200);
    await annotated.arrayBuffer();
    const jpeg = await fetch(`${sim.url}/view?filename=plain.png&type=input&preview=jpeg;80`);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    await jpeg.arrayBuffer();
    const statusOf = async (query: string) => {
      const res = await fetch(`${sim.url}/view?${query}`);
      await res.arrayBuffer();
      return res.status;
    };
    expect(await statusOf('filename=plain.png&type=bogus')).toBe(400);
    expect(await statusOf('filename=..%2Fx.png')).toBe(400);
    expect(await statusOf('filename=plain.png&type=input&subfolder=..%2F..')).toBe(403);
    expect(await statusOf('filename=nope.png')).toBe(404);
    expect(await statusOf('type=output')).toBe(404);
  });
});

describe('LoadImage graphs', () => {
  it('thumbnails a previous output via " [output]" with ImageScaleToMaxDimension', async () => {
    const source = await renderProductImage({ seed: 5, prompt: 'a lamp', width: 640, height: 480 });
    writeFileSync(path.join(sim.dirs.output, 'lamp_00001_.png'), source);
    const outputs = await run({
      '1': { class_type: 'LoadImage', inputs: { image: 'lamp_00001_.png [output]' } },
      '2': {
        class_type: 'ImageScaleToMaxDimension',
        inputs: { image: ['1', 0], upscale_method: 'area', largest_size: 384 },
      },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'thumbs/lamp' } },
    });
    const image = outputs['3']?.images[0] as Record<string, string>;
    expect(image).toEqual({ filename: 'lamp_00001_.png', subfolder: 'thumbs', type: 'output' });
    const meta = await sharp(await view(image)).metadata();
    expect([meta.width, meta.height]).toEqual([384, 288]);
  });

  it('ImageScale (keep aspect, center crop), ImageScaleBy and PreviewImage to temp/', async () => {
    await upload(await photo(), 'scale.png');
    const outputs = await run({
      '1': { class_type: 'LoadImage', inputs: { image: 'scale.png' } },
      '2': {
        class_type: 'ImageScale',
        inputs: { image: ['1', 0], upscale_method: 'bilinear', width: 150, height: 0, crop: 'disabled' },
      },
      '3': {
        class_type: 'ImageScale',
        inputs: { image: ['1', 0], upscale_method: 'lanczos', width: 64, height: 64, crop: 'center' },
      },
      '4': {
        class_type: 'ImageScaleBy',
        inputs: { image: ['1', 0], upscale_method: 'area', scale_by: 0.25 },
      },
      '5': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'scale/keep' } },
      '6': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'scale/crop' } },
      '7': { class_type: 'PreviewImage', inputs: { images: ['4', 0] } },
    });
    const size = async (node: string) => {
      const meta = await sharp(await view(outputs[node]?.images[0] as Record<string, string>)).metadata();
      return [meta.width, meta.height];
    };
    expect(await size('5')).toEqual([150, 100]);
    expect(await size('6')).toEqual([64, 64]);
    expect(await size('7')).toEqual([75, 50]);
    expect(outputs['7']?.images[0]).toMatchObject({ type: 'temp', subfolder: '' });
    expect(outputs['7']?.images[0]?.filename).toMatch(/^ComfyUI_temp_[a-z]{5}_00001_\.png$/);
  });

  it('img2img (§10c): the source shows through at low denoise, ~1 MP latent', async () => {
    await upload(await photo(), 'base.png', { subfolder: 'products' });
    const graph = (denoise: number, prefix: string): Graph => ({
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
      '2': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'a red box on marble' } },
      '3': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'blurry' } },
      '11': { class_type: 'LoadImage', inputs: { image: 'products/base.png' } },
      '12': {
        class_type: 'ImageScaleToTotalPixels',
        inputs: { image: ['11', 0], upscale_method: 'lanczos', megapixels: 0.25 },
      },
      '13': { class_type: 'VAEEncode', inputs: { pixels: ['12', 0], vae: ['1', 2] } },
      '5': {
        class_type: 'KSampler',
        inputs: {
          model: ['1', 0],
          positive: ['2', 0],
          negative: ['3', 0],
          latent_image: ['13', 0],
          seed: 9,
          steps: 2,
          cfg: 7,
          sampler_name: 'dpmpp_2m',
          scheduler: 'karras',
          denoise,
        },
      },
      '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
      '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: prefix } },
    });
    const low = await view((await run(graph(0.2, 'i2i/low')))['7']?.images[0] as Record<string, string>);
    const high = await view((await run(graph(1.0, 'i2i/high')))['7']?.images[0] as Record<string, string>);
    const meta = await sharp(low).metadata();
    // 0.25 MP of a 3:2 photo: 627×418 → latent multiples of 8.
    expect([meta.width, meta.height]).toEqual([624, 416]);
    const redness = async (png: Buffer) => {
      const { channels } = await sharp(png).stats();
      return (channels[0]?.mean ?? 0) - (channels[1]?.mean ?? 0);
    };
    expect(await redness(low)).toBeGreaterThan(await redness(high));
    expect(await redness(low)).toBeGreaterThan(80);
  });

  it('Qwen-Image-Edit-2509 graph (§10e) runs with FluxKontextImageScale and the Plus encoder', async () => {
    await upload(await photo(), 'edit.png', { subfolder: 'products' });
    const outputs = await run({
      '1': {
        class_type: 'UNETLoader',
        inputs: { unet_name: 'qwen_image_edit_2509_fp8_e4m3fn.safetensors', weight_dtype: 'default' },
      },
      '2': {
        class_type: 'CLIPLoader',
        inputs: { clip_name: 'qwen_2.5_vl_7b_fp8_scaled.safetensors', type: 'qwen_image' },
      },
      '3': { class_type: 'VAELoader', inputs: { vae_name: 'qwen_image_vae.safetensors' } },
      '4': { class_type: 'ModelSamplingAuraFlow', inputs: { model: ['1', 0], shift: 3 } },
      '5': { class_type: 'CFGNorm', inputs: { model: ['4', 0], strength: 1 } },
      '6': { class_type: 'LoadImage', inputs: { image: 'products/edit.png' } },
      '7': { class_type: 'FluxKontextImageScale', inputs: { image: ['6', 0] } },
      '8': {
        class_type: 'TextEncodeQwenImageEditPlus',
        inputs: {
          clip: ['2', 0],
          vae: ['3', 0],
          image1: ['7', 0],
          prompt: 'Replace the background with white marble',
        },
      },
      '9': {
        class_type: 'TextEncodeQwenImageEditPlus',
        inputs: { clip: ['2', 0], vae: ['3', 0], image1: ['7', 0], prompt: '' },
      },
      '10': { class_type: 'VAEEncode', inputs: { pixels: ['7', 0], vae: ['3', 0] } },
      '11': {
        class_type: 'KSampler',
        inputs: {
          model: ['5', 0],
          positive: ['8', 0],
          negative: ['9', 0],
          latent_image: ['10', 0],
          seed: 424242,
          steps: 2,
          cfg: 2.5,
          sampler_name: 'euler',
          scheduler: 'simple',
          denoise: 1,
        },
      },
      '12': { class_type: 'VAEDecode', inputs: { samples: ['11', 0], vae: ['3', 0] } },
      '13': { class_type: 'SaveImage', inputs: { images: ['12', 0], filename_prefix: 'edit/job-42' } },
    });
    const meta = await sharp(await view(outputs['13']?.images[0] as Record<string, string>)).metadata();
    // 3:2 snaps to 1248×832.
    expect([meta.width, meta.height]).toEqual([1248, 832]);
  });
});

describe('SaveImage naming (§9.3)', () => {
  it('batches get consecutive counters, %width%/%batch_num% are substituted, escaping fails the node', async () => {
    const graph = (prefix: string): Graph => ({
      '1': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 48, batch_size: 2 } },
      '2': { class_type: 'VAELoader', inputs: { vae_name: 'pixel_space' } },
      '3': { class_type: 'VAEDecode', inputs: { samples: ['1', 0], vae: ['2', 0] } },
      '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: prefix } },
    });
    const outputs = await run(graph('batch/w%width%_b%batch_num%'));
    expect(outputs['4']?.images.map((i) => i.filename)).toEqual(['w64_b0_00001_.png', 'w64_b1_00002_.png']);
    expect(outputs['4']?.images[0]?.subfolder).toBe('batch');

    const promptId = randomUUID();
    await post(sim.url, '/prompt', {
      prompt: graph('../outside/x'),
      client_id: 'files',
      prompt_id: promptId,
    });
    await ws.waitDone(promptId);
    const error = ws
      .json()
      .find((f) => f.type === 'execution_error' && f.data.prompt_id === promptId) as JsonFrame;
    expect(error.data).toMatchObject({ node_type: 'SaveImage', exception_type: 'Exception' });
    expect(String(error.data.exception_message)).toContain(
      'Saving image outside the output folder is not allowed',
    );
  });
});
