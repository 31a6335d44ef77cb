// What each simulated node does when it runs. Pixels are real: loaders hand out model references,
// the sampler records what to draw, VAEDecode renders it, scale nodes resize with sharp, SaveImage
// and PreviewImage write PNG files. Time and VRAM go through the runtime (SimGpu).
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { renderPreviewJpeg, renderProductImage } from '../render.ts';
import {
  decodeLatent,
  emptyLatent,
  kontextSizes,
  latentSide,
  need,
  num,
  pyRound,
  requireModelFile,
  resizeItems,
  saveImages,
  textEncodeEdit,
} from './node-helpers.ts';
import type { NodeImpl, SampleInfo, SimValue } from './node-types.ts';
import { imageNodeImpls } from './nodes-images.ts';
import { PyError, pyStr } from './pyjson.ts';

export { pyRound } from './node-helpers.ts';
export type { ImageItem, ImageRef, NodeResult, NodeRuntime, SampleInfo, SimValue } from './node-types.ts';

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
