import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type KernelEnum } from 'sharp';
import { renderProductImage } from '../render.ts';
import type { ImageItem, ImageRef, Inputs, NodeResult, NodeRuntime, SimValue } from './node-types.ts';
import { PyError, pyStr } from './pyjson.ts';

/** Python's round(): halves go to the even neighbour. */
export function pyRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function need<K extends SimValue['kind']>(value: unknown, kind: K): Extract<SimValue, { kind: K }> {
  const v = value as SimValue | undefined;
  if (!v || typeof v !== 'object' || v.kind !== kind) {
    throw new PyError('AttributeError', `expected ${kind} input`);
  }
  return v as Extract<SimValue, { kind: K }>;
}

export const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

export function requireModelFile(rt: NodeRuntime, folder: string, name: unknown): string {
  const file = pyStr(name);
  if (!rt.modelFiles(folder).includes(file)) {
    throw new PyError('FileNotFoundError', `Model in folder '${folder}' with filename '${file}' not found.`);
  }
  const failure = rt.modelLoadFailure(folder, file);
  if (failure) throw new PyError(failure.exceptionType, failure.message);
  return file;
}

export const kernels: Record<string, keyof KernelEnum> = {
  'nearest-exact': 'nearest',
  bilinear: 'linear',
  area: 'linear',
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

export async function resizeItems(
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

export async function flatImage(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .png({ compressionLevel: 4 })
    .toBuffer();
}

/** The 17 ~1 MP sizes FluxKontextImageScale snaps to. */
export const kontextSizes: [number, number][] = [
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
export const latentSide = (n: number) => Math.max(8, Math.floor(n / 8) * 8);

export async function decodeLatent(latent: Extract<SimValue, { kind: 'LATENT' }>): Promise<ImageItem[]> {
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

export async function emptyLatent(inputs: Inputs): Promise<NodeResult> {
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

export async function textEncodeEdit(
  inputs: Inputs,
  rt: NodeRuntime,
  imageInputs: string[],
): Promise<NodeResult> {
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

export async function saveImages(
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
