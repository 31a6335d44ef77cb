// What each simulated node does when it runs. Pixels are real: loaders hand out model references,
// the sampler records what to draw, VAEDecode renders it, scale nodes resize with sharp, SaveImage
// and PreviewImage write PNG files. Time and VRAM go through the runtime (SimGpu).
import { randomInt } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type KernelEnum, type OutputInfo } from 'sharp';
import { renderPreviewJpeg, renderProductImage } from '../render.ts';
import type { SimFiles } from './files.ts';
import { imageNodeImpls } from './nodes-images.ts';
import { PyError, pyStr } from './pyjson.ts';

export interface ImageItem {
  png: Buffer;
  width: number;
  height: number;
}

export interface SampleInfo {
  seed: number;
  prompt: string;
  denoise: number;
}

export type SimValue =
  | { kind: 'MODEL'; file: string; patches: string[] }
  | { kind: 'CLIP'; file: string }
  | { kind: 'VAE'; file: string | null }
  | { kind: 'CONDITIONING'; text: string; images: ImageItem[] }
  | {
      kind: 'LATENT';
      width: number;
      height: number;
      batch: number;
      source?: ImageItem[];
      sample?: SampleInfo;
    }
  | { kind: 'IMAGE'; items: ImageItem[] }
  | { kind: 'MASK'; width: number; height: number };

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp';
}

export interface NodeResult {
  outputs: SimValue[];
  ui?: { images: ImageRef[] };
}

export interface NodeRuntime {
  files: SimFiles;
  now(): Date;
  /** Installed files of a model folder (re-read on every call, like the server's rescans). */
  modelFiles(folder: string): string[];
  /** The error loading an installed file raises (a `brokenModel` fault), or null when it loads. */
  modelLoadFailure(folder: string, file: string): { exceptionType: string; message: string } | null;
  /** Makes a model resident in simulated VRAM, paying its load time once. May raise OOM. */
  loadModel(file: string): Promise<void>;
  /** Spends `profileMs` of simulated work (scaled by the time scale). */
  work(profileMs: number): Promise<void>;
  /** A point where an injected OOM fires (sampling / VAE work). */
  oomPoint(): void;
  /** Blocks while a `hangNext` fault holds this run. */
  hangPoint(): Promise<void>;
  /** One sampler step: waits, honours interrupts, emits progress (+ a preview when enabled). */
  samplerStep(
    step: number,
    steps: number,
    stepProfileMs: number,
    preview: (() => Promise<Buffer>) | null,
  ): Promise<void>;
  /** Whether anyone will receive a sampler preview (skip the rendering otherwise). */
  previewsWanted(): boolean;
  nodeMs: number;
  stepMs: number;
}

type Inputs = Record<string, unknown>;
type NodeImpl = (inputs: Inputs, rt: NodeRuntime) => Promise<NodeResult>;

/** Python's round(): halves go to the even neighbour. */
export function pyRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function need<K extends SimValue['kind']>(value: unknown, kind: K): Extract<SimValue, { kind: K }> {
  const v = value as SimValue | undefined;
  if (!v || typeof v !== 'object' || v.kind !== kind) {
    throw new PyError('AttributeError', `expected ${kind} input`);
  }
  return v as Extract<SimValue, { kind: K }>;
}

const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

function requireModelFile(rt: NodeRuntime, folder: string, name: unknown): string {
  const file = pyStr(name);
  if (!rt.modelFiles(folder).includes(file)) {
    throw new PyError('FileNotFoundError', `Model in folder '${folder}' with filename '${file}' not found.`);
  }
  const failure = rt.modelLoadFailure(folder, file);
  if (failure) throw new PyError(failure.exceptionType, failure.message);
  return file;
}

const kernels: Record<string, keyof KernelEnum> = {
  'nearest-exact': 'nearest',
  bilinear: 'linear',
  area: 'linear',
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

async function resizeItems(
  items: ImageItem[],
  width: number,
  height: number,
  method: unknown,
  crop: 'disabled' | 'center',
): Promise<ImageItem[]> {
  const w = Math.max(1, Math.round(width));
  const h = Math.max(1, Math.round(height));
  const kernel = kernels[String(method)] ?? 'lanczos3';
  return Promise.all(
    items.map(async (item) => {
      if (item.width === w && item.height === h) return item;
      const png = await sharp(item.png)
        .resize(w, h, { fit: crop === 'center' ? 'cover' : 'fill', kernel })
        .png({ compressionLevel: 4 })
        .toBuffer();
      return { png, width: w, height: h };
    }),
  );
}

async function flatImage(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .png({ compressionLevel: 4 })
    .toBuffer();
}

/** The 17 ~1 MP sizes FluxKontextImageScale snaps to. */
const kontextSizes: [number, number][] = [
  [672, 1568],
  [688, 1504],
  [720, 1456],
  [752, 1392],
  [800, 1328],
  [832, 1248],
  [880, 1184],
  [944, 1104],
  [1024, 1024],
  [1104, 944],
  [1184, 880],
  [1248, 832],
  [1328, 800],
  [1392, 752],
  [1456, 720],
  [1504, 688],
  [1568, 672],
];

/** Pixels of a latent: the VAE works on multiples of 8. */
const latentSide = (n: number) => Math.max(8, Math.floor(n / 8) * 8);

async function decodeLatent(latent: Extract<SimValue, { kind: 'LATENT' }>): Promise<ImageItem[]> {
  const { width, height, batch, source, sample } = latent;
  const items: ImageItem[] = [];
  for (let i = 0; i < batch; i++) {
    const src = source && source.length > 0 ? source[i % source.length] : undefined;
    let png: Buffer;
    if (sample) {
      png = await renderProductImage({
        seed: sample.seed + i,
        prompt: sample.prompt,
        width,
        height,
        denoise: sample.denoise,
        ...(src ? { source: src.png } : {}),
      });
    } else if (src) {
      png =
        (await resizeItems([src], width, height, 'lanczos', 'center'))[0]?.png ??
        (await flatImage(width, height));
    } else {
      png = await flatImage(width, height);
    }
    items.push({ png, width, height });
  }
  return items;
}

async function emptyLatent(inputs: Inputs): Promise<NodeResult> {
  return {
    outputs: [
      {
        kind: 'LATENT',
        width: latentSide(num(inputs.width, 1024)),
        height: latentSide(num(inputs.height, 1024)),
        batch: Math.max(1, num(inputs.batch_size, 1)),
      },
    ],
  };
}

async function textEncodeEdit(inputs: Inputs, rt: NodeRuntime, imageInputs: string[]): Promise<NodeResult> {
  const clip = need(inputs.clip, 'CLIP');
  await rt.loadModel(clip.file);
  const images: ImageItem[] = [];
  for (const name of imageInputs) {
    if (inputs[name] !== undefined) images.push(...need(inputs[name], 'IMAGE').items);
  }
  if (inputs.vae !== undefined && images.length > 0) {
    const vae = need(inputs.vae, 'VAE');
    if (vae.file) await rt.loadModel(vae.file);
  }
  await rt.work(rt.nodeMs);
  return { outputs: [{ kind: 'CONDITIONING', text: pyStr(inputs.prompt ?? ''), images }] };
}

async function saveImages(
  inputs: Inputs,
  rt: NodeRuntime,
  dir: string,
  type: 'output' | 'temp',
  prefix: string,
): Promise<NodeResult> {
  const image = need(inputs.images, 'IMAGE');
  const first = image.items[0];
  const { folder, filename, counter, subfolder } = rt.files.saveImagePath(
    dir,
    prefix,
    first?.width ?? 0,
    first?.height ?? 0,
    rt.now(),
  );
  const refs: ImageRef[] = [];
  let n = counter;
  for (const [index, item] of image.items.entries()) {
    const name = `${filename.replaceAll('%batch_num%', String(index))}_${String(n).padStart(5, '0')}_.png`;
    await writeFile(path.join(folder, name), item.png);
    refs.push({ filename: name, subfolder, type });
    n += 1;
  }
  await rt.work(rt.nodeMs);
  return { outputs: type === 'output' ? [image] : [], ui: { images: refs } };
}

const tempLetters = 'abcdefghijklmnopqrstupvxyz';

export const nodeImpls: Record<string, NodeImpl> = {
  async CheckpointLoaderSimple(inputs, rt) {
    const file = requireModelFile(rt, 'checkpoints', inputs.ckpt_name);
    return {
      outputs: [
        { kind: 'MODEL', file, patches: [] },
        { kind: 'CLIP', file },
        { kind: 'VAE', file },
      ],
    };
  },
  async UNETLoader(inputs, rt) {
    const file = requireModelFile(rt, 'diffusion_models', inputs.unet_name);
    return { outputs: [{ kind: 'MODEL', file, patches: [`dtype:${pyStr(inputs.weight_dtype)}`] }] };
  },
  async CLIPLoader(inputs, rt) {
    return { outputs: [{ kind: 'CLIP', file: requireModelFile(rt, 'text_encoders', inputs.clip_name) }] };
  },
  async VAELoader(inputs, rt) {
    if (inputs.vae_name === 'pixel_space') return { outputs: [{ kind: 'VAE', file: null }] };
    return { outputs: [{ kind: 'VAE', file: requireModelFile(rt, 'vae', inputs.vae_name) }] };
  },
  async LoraLoaderModelOnly(inputs, rt) {
    const model = need(inputs.model, 'MODEL');
    const lora = requireModelFile(rt, 'loras', inputs.lora_name);
    return {
      outputs: [{ ...model, patches: [...model.patches, `lora:${lora}:${num(inputs.strength_model, 1)}`] }],
    };
  },
  async ModelSamplingAuraFlow(inputs) {
    const model = need(inputs.model, 'MODEL');
    return { outputs: [{ ...model, patches: [...model.patches, `shift:${num(inputs.shift, 1.73)}`] }] };
  },
  async CFGNorm(inputs) {
    const model = need(inputs.model, 'MODEL');
    return { outputs: [{ ...model, patches: [...model.patches, `cfgnorm:${num(inputs.strength, 1)}`] }] };
  },
  async CLIPTextEncode(inputs, rt) {
    const clip = need(inputs.clip, 'CLIP');
    await rt.loadModel(clip.file);
    await rt.work(rt.nodeMs);
    return { outputs: [{ kind: 'CONDITIONING', text: pyStr(inputs.text ?? ''), images: [] }] };
  },
  TextEncodeQwenImageEdit: (inputs, rt) => textEncodeEdit(inputs, rt, ['image']),
  TextEncodeQwenImageEditPlus: (inputs, rt) => textEncodeEdit(inputs, rt, ['image1', 'image2', 'image3']),
  EmptyLatentImage: emptyLatent,
  EmptySD3LatentImage: emptyLatent,
  async KSampler(inputs, rt) {
    const model = need(inputs.model, 'MODEL');
    const positive = need(inputs.positive, 'CONDITIONING');
    need(inputs.negative, 'CONDITIONING');
    const latent = need(inputs.latent_image, 'LATENT');
    await rt.loadModel(model.file);
    rt.oomPoint();
    const steps = Math.max(1, num(inputs.steps, 20));
    const denoise = num(inputs.denoise, 1);
    const seed = num(inputs.seed, 0);
    // A chained sampler refines what the previous one produced.
    let source = latent.source;
    if (latent.sample) source = await decodeLatent(latent);
    // Edit models keep the reference photo recognisable: they blend it in at half strength.
    if (!source && positive.images.length > 0) source = positive.images;
    const blend = positive.images.length > 0 ? denoise * 0.5 : denoise;
    const sample: SampleInfo = { seed, prompt: positive.text, denoise: source ? blend : 1 };
    const out: Extract<SimValue, { kind: 'LATENT' }> = {
      kind: 'LATENT',
      width: latent.width,
      height: latent.height,
      batch: latent.batch,
      sample,
      ...(source ? { source } : {}),
    };
    const megapixels = (latent.width * latent.height * latent.batch) / (1024 * 1024);
    const stepProfileMs = rt.stepMs * megapixels * denoise;
    await rt.hangPoint();
    let previewBase: Buffer | null = null;
    const preview = async (): Promise<Buffer> => {
      if (!previewBase) {
        const scale = Math.min(1, 512 / Math.max(latent.width / 8, latent.height / 8)) / 8;
        previewBase = await renderProductImage({
          seed,
          prompt: positive.text,
          width: Math.max(8, Math.round(latent.width * scale)),
          height: Math.max(8, Math.round(latent.height * scale)),
        });
      }
      return previewBase;
    };
    for (let step = 1; step <= steps; step++) {
      const fraction = step / steps;
      await rt.samplerStep(
        step,
        steps,
        stepProfileMs,
        rt.previewsWanted() ? async () => renderPreviewJpeg(await preview(), fraction) : null,
      );
    }
    return { outputs: [out] };
  },
  async VAEDecode(inputs, rt) {
    const latent = need(inputs.samples, 'LATENT');
    const vae = need(inputs.vae, 'VAE');
    if (vae.file) await rt.loadModel(vae.file);
    rt.oomPoint();
    const items = await decodeLatent(latent);
    await rt.work(rt.nodeMs);
    return { outputs: [{ kind: 'IMAGE', items }] };
  },
  async VAEEncode(inputs, rt) {
    const image = need(inputs.pixels, 'IMAGE');
    const vae = need(inputs.vae, 'VAE');
    if (vae.file) await rt.loadModel(vae.file);
    rt.oomPoint();
    const first = image.items[0];
    const width = latentSide(first?.width ?? 8);
    const height = latentSide(first?.height ?? 8);
    await rt.work(rt.nodeMs);
    return {
      outputs: [
        {
          kind: 'LATENT',
          width,
          height,
          batch: Math.max(1, image.items.length),
          source: await resizeItems(image.items, width, height, 'lanczos', 'center'),
        },
      ],
    };
  },
  async LoadImage(inputs, rt) {
    const name = pyStr(inputs.image);
    const file = rt.files.imagePath(name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      throw new PyError('FileNotFoundError', `[Errno 2] No such file or directory: '${file}'`);
    }
    let decoded: { data: Buffer; info: OutputInfo };
    try {
      decoded = await sharp(bytes)
        .rotate()
        .removeAlpha()
        .png({ compressionLevel: 4 })
        .toBuffer({ resolveWithObject: true });
    } catch (err) {
      throw new PyError(
        'PIL.UnidentifiedImageError',
        `cannot identify image file '${file}' (${String(err)})`,
      );
    }
    const { width, height } = decoded.info;
    return {
      outputs: [
        { kind: 'IMAGE', items: [{ png: decoded.data, width, height }] },
        { kind: 'MASK', width, height },
      ],
    };
  },
  async ImageScale(inputs) {
    const image = need(inputs.image, 'IMAGE');
    const first = image.items[0];
    if (!first) return { outputs: [image] };
    let width = num(inputs.width, 512);
    let height = num(inputs.height, 512);
    if (width === 0 && height === 0) return { outputs: [image] };
    if (width === 0) width = Math.max(1, pyRound((first.width * height) / first.height));
    else if (height === 0) height = Math.max(1, pyRound((first.height * width) / first.width));
    const crop = inputs.crop === 'center' ? 'center' : 'disabled';
    return {
      outputs: [
        { kind: 'IMAGE', items: await resizeItems(image.items, width, height, inputs.upscale_method, crop) },
      ],
    };
  },
  async ImageScaleBy(inputs) {
    const image = need(inputs.image, 'IMAGE');
    const first = image.items[0];
    if (!first) return { outputs: [image] };
    const s = num(inputs.scale_by, 1);
    const items = await resizeItems(
      image.items,
      pyRound(first.width * s),
      pyRound(first.height * s),
      inputs.upscale_method,
      'disabled',
    );
    return { outputs: [{ kind: 'IMAGE', items }] };
  },
  async ImageScaleToMaxDimension(inputs) {
    const image = need(inputs.image, 'IMAGE');
    const first = image.items[0];
    if (!first) return { outputs: [image] };
    const largest = num(inputs.largest_size, 512);
    let { width, height } = first;
    if (height > width) {
      width = pyRound((width / height) * largest);
      height = largest;
    } else if (width > height) {
      height = pyRound((height / width) * largest);
      width = largest;
    } else {
      width = largest;
      height = largest;
    }
    const items = await resizeItems(image.items, width, height, inputs.upscale_method, 'disabled');
    return { outputs: [{ kind: 'IMAGE', items }] };
  },
  async ImageScaleToTotalPixels(inputs) {
    const image = need(inputs.image, 'IMAGE');
    const first = image.items[0];
    if (!first) return { outputs: [image] };
    const total = Math.trunc(num(inputs.megapixels, 1) * 1024 * 1024);
    const scale = Math.sqrt(total / (first.width * first.height));
    const items = await resizeItems(
      image.items,
      pyRound(first.width * scale),
      pyRound(first.height * scale),
      inputs.upscale_method,
      'disabled',
    );
    return { outputs: [{ kind: 'IMAGE', items }] };
  },
  async FluxKontextImageScale(inputs) {
    const image = need(inputs.image, 'IMAGE');
    const first = image.items[0];
    if (!first) return { outputs: [image] };
    const aspect = first.width / first.height;
    let best: [number, number, number] = [Number.POSITIVE_INFINITY, 1024, 1024];
    for (const [w, h] of kontextSizes) {
      const diff = Math.abs(aspect - w / h);
      if (diff < best[0] || (diff === best[0] && w < best[1])) best = [diff, w, h];
    }
    const items = await resizeItems(image.items, best[1], best[2], 'lanczos', 'center');
    return { outputs: [{ kind: 'IMAGE', items }] };
  },
  async SaveImage(inputs, rt) {
    return saveImages(inputs, rt, rt.files.output, 'output', pyStr(inputs.filename_prefix ?? 'ComfyUI'));
  },
  async PreviewImage(inputs, rt) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += tempLetters[randomInt(tempLetters.length)];
    return saveImages(inputs, rt, rt.files.temp, 'temp', `ComfyUI_temp_${suffix}`);
  },
  ...imageNodeImpls,
};
