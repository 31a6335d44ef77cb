// The node catalog the simulator knows, serialised in the shape of a real `/object_info` reply
// (comfyui.md §6, input table §11). Validation reads the same document, so what the sim accepts and
// what it advertises can never drift apart. Model COMBOs are generated from the installed inventory.
import { imageNodeDefs } from './catalog-images.ts';
import { modelNodeDefs } from './catalog-models.ts';

export { SEED_MAX, samplerNames, schedulerNames } from './catalog-models.ts';

import { PyFloat } from './pyjson.ts';

export type ComfyVersion = '0.3.64' | '2026';

export const modelFolders = [
  'checkpoints',
  'configs',
  'loras',
  'vae',
  'text_encoders',
  'diffusion_models',
  'clip_vision',
  'style_models',
  'embeddings',
  'diffusers',
  'vae_approx',
  'controlnet',
  'gligen',
  'upscale_models',
  'custom_nodes',
  'hypernetworks',
  'photomaker',
  'classifiers',
  'model_patches',
  'audio_encoders',
] as const;

export const defaultModels: Record<string, string[]> = {
  diffusion_models: ['qwen_image_edit_2509_fp8_e4m3fn.safetensors', 'qwen_image_fp8_e4m3fn.safetensors'],
  text_encoders: ['qwen_2.5_vl_7b_fp8_scaled.safetensors'],
  vae: ['qwen_image_vae.safetensors'],
  checkpoints: ['sd_xl_base_1.0.safetensors'],
  loras: ['Qwen-Image-Lightning-8steps-V1.0.safetensors'],
};

const scaleMethods = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'];
const maxDimensionMethods = ['area', 'lanczos', 'bilinear', 'nearest-exact', 'bicubic'];

/** One input: `[type]` or `[type, options]`; `type` is a string or (legacy COMBO) a list of choices. */
export type InputSpec = [string | unknown[]] | [string | unknown[], Record<string, unknown>];

export interface NodeDef {
  name: string;
  displayName: string | null;
  category: string;
  description: string;
  pythonModule: string;
  outputNode: boolean;
  v3: boolean;
  experimental?: boolean;
  required: Record<string, InputSpec>;
  optional?: Record<string, InputSpec>;
  hidden?: Record<string, string>;
  output: string[];
  outputName?: string[];
  outputTooltips?: (string | null)[];
}

export interface CatalogContext {
  models: Record<string, string[]>;
  /** Top-level image files of `input/` (LoadImage's COMBO). */
  inputFiles: string[];
  version: ComfyVersion;
}

const imageHidden = { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' };

function nodeDefs(ctx: CatalogContext): NodeDef[] {
  const sizeInput = (def: number, step: number): InputSpec => [
    'INT',
    { default: def, min: 16, max: 16384, step },
  ];
  return [
    ...modelNodeDefs(ctx),
    {
      name: 'EmptyLatentImage',
      displayName: 'Empty Latent Image',
      category: 'latent',
      description: 'Creates a batch of empty latent images to be denoised.',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: {
        width: sizeInput(512, 8),
        height: sizeInput(512, 8),
        batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
      },
      output: ['LATENT'],
      outputTooltips: ['The empty latent batch.'],
    },
    {
      name: 'EmptySD3LatentImage',
      displayName: 'EmptySD3LatentImage',
      category: 'latent/sd3',
      description: '',
      pythonModule: 'comfy_extras.nodes_sd3',
      outputNode: false,
      v3: true,
      required: {
        width: sizeInput(1024, 16),
        height: sizeInput(1024, 16),
        batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
      },
      output: ['LATENT'],
      outputTooltips: [null],
    },
    {
      name: 'VAEDecode',
      displayName: 'VAE Decode',
      category: 'latent',
      description: 'Decodes latent images back into pixel space images.',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: {
        samples: ['LATENT', { tooltip: 'The latent to decode.' }],
        vae: ['VAE', { tooltip: 'The VAE used for decoding.' }],
      },
      output: ['IMAGE'],
      outputTooltips: ['The decoded image.'],
    },
    {
      name: 'VAEEncode',
      displayName: 'VAE Encode',
      category: 'latent',
      description: '',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: { pixels: ['IMAGE'], vae: ['VAE'] },
      output: ['LATENT'],
    },
    {
      name: 'LoadImage',
      displayName: 'Load Image',
      category: 'image',
      description: '',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: { image: [[...ctx.inputFiles].sort(), { image_upload: true }] },
      output: ['IMAGE', 'MASK'],
    },
    {
      name: 'ImageScale',
      displayName: 'Upscale Image',
      category: 'image/upscaling',
      description: '',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: {
        image: ['IMAGE'],
        upscale_method: [scaleMethods],
        width: ['INT', { default: 512, min: 0, max: 16384, step: 1 }],
        height: ['INT', { default: 512, min: 0, max: 16384, step: 1 }],
        crop: [['disabled', 'center']],
      },
      output: ['IMAGE'],
    },
    {
      name: 'ImageScaleBy',
      displayName: 'Upscale Image By',
      category: 'image/upscaling',
      description: '',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: {
        image: ['IMAGE'],
        upscale_method: [scaleMethods],
        scale_by: ['FLOAT', { default: 1.0, min: 0.01, max: 8.0, step: 0.01 }],
      },
      output: ['IMAGE'],
    },
    {
      name: 'ImageScaleToMaxDimension',
      displayName: 'ImageScaleToMaxDimension',
      category: 'image/upscaling',
      description: '',
      pythonModule: 'comfy_extras.nodes_images',
      outputNode: false,
      v3: false,
      required: {
        image: ['IMAGE'],
        upscale_method: [maxDimensionMethods],
        largest_size: ['INT', { default: 512, min: 0, max: 16384, step: 1 }],
      },
      output: ['IMAGE'],
    },
    {
      name: 'ImageScaleToTotalPixels',
      displayName: 'Scale Image to Total Pixels',
      category: 'image/upscaling',
      description: '',
      pythonModule: 'comfy_extras.nodes_post_processing',
      outputNode: false,
      v3: true,
      required: {
        image: ['IMAGE', {}],
        upscale_method: ['COMBO', { options: scaleMethods }],
        megapixels: ['FLOAT', { default: 1.0, min: 0.01, max: 16.0, step: 0.01 }],
      },
      output: ['IMAGE'],
      outputTooltips: [null],
    },
    {
      name: 'FluxKontextImageScale',
      displayName: 'FluxKontextImageScale',
      category: 'advanced/conditioning/flux',
      description:
        'Resizes the image to the closest of the sizes the Kontext/Qwen edit models were trained on.',
      pythonModule: 'comfy_extras.nodes_flux',
      outputNode: false,
      v3: true,
      required: { image: ['IMAGE', {}] },
      output: ['IMAGE'],
      outputTooltips: [null],
    },
    {
      name: 'SaveImage',
      displayName: 'Save Image',
      category: 'image',
      description: 'Saves the input images to your ComfyUI output directory.',
      pythonModule: 'nodes',
      outputNode: true,
      v3: false,
      required: {
        images: ['IMAGE', { tooltip: 'The images to save.' }],
        filename_prefix: [
          'STRING',
          {
            default: 'ComfyUI',
            tooltip:
              'The prefix for the file to save. This may include formatting information such as %date:yyyy-MM-dd% or %Empty Latent Image.width% to include values from nodes.',
          },
        ],
      },
      hidden: imageHidden,
      output: ctx.version === '2026' ? ['IMAGE'] : [],
    },
    {
      name: 'PreviewImage',
      displayName: 'Preview Image',
      category: 'image',
      // The server's own text says output, though PreviewImage writes to temp/.
      description: 'Saves the input images to your ComfyUI output directory.',
      pythonModule: 'nodes',
      outputNode: true,
      v3: false,
      required: { images: ['IMAGE'] },
      hidden: imageHidden,
      output: [],
    },
    ...imageNodeDefs(),
  ];
}

/** Inputs a node checks in its own VALIDATE_INPUTS: the server skips min/max/COMBO checks for them. */
export const customValidatedInputs: Record<string, readonly string[]> = { LoadImage: ['image'] };

function nodeInfo(def: NodeDef): Record<string, unknown> {
  const input: Record<string, unknown> = { required: def.required };
  const inputOrder: Record<string, string[]> = { required: Object.keys(def.required) };
  if (def.optional) {
    input.optional = def.optional;
    inputOrder.optional = Object.keys(def.optional);
  }
  if (def.hidden) {
    input.hidden = def.hidden;
    inputOrder.hidden = Object.keys(def.hidden);
  }
  const common = {
    input,
    input_order: inputOrder,
    output: def.output,
    output_is_list: def.output.map(() => false),
    output_name: def.outputName ?? def.output,
  };
  if (def.v3) {
    // V3 nodes serialise a dataclass: every field present, explicit booleans, nullable names.
    return {
      ...common,
      output_tooltips: def.outputTooltips ?? def.output.map(() => null),
      name: def.name,
      display_name: def.displayName,
      description: def.description,
      python_module: def.pythonModule,
      category: def.category,
      output_node: def.outputNode,
      deprecated: false,
      experimental: def.experimental ?? false,
      api_node: false,
    };
  }
  const info: Record<string, unknown> = {
    ...common,
    name: def.name,
    display_name: def.displayName ?? def.name,
    description: def.description,
    python_module: def.pythonModule,
    category: def.category,
    output_node: def.outputNode,
  };
  if (def.outputTooltips) info.output_tooltips = def.outputTooltips;
  if (def.experimental) info.experimental = true;
  return info;
}

export function buildCatalog(ctx: CatalogContext): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const def of nodeDefs(ctx)) out[def.name] = nodeInfo(def);
  return out;
}

/**
 * The `/object_info` document for an installed-model inventory (folder → file names). Pass
 * `inputFiles` to fill LoadImage's COMBO. The KSampler seed maximum is 2^64 as a JS number; the
 * simulator's JSON writer prints it as 18446744073709551615.
 */
export function buildObjectInfo(
  models: Record<string, string[]>,
  options: { inputFiles?: string[]; version?: ComfyVersion } = {},
): Record<string, unknown> {
  return buildCatalog({ models, inputFiles: options.inputFiles ?? [], version: options.version ?? '2026' });
}

const floatOptionKeys = ['default', 'min', 'max', 'step', 'round'];

/**
 * The document as the server serialises it: FLOAT input bounds and defaults are Python floats
 * (`8.0`, `100.0`). Feed the result to `pyJsonDumps`.
 */
export function objectInfoWire(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, info] of Object.entries(doc)) {
    const node = info as Record<string, unknown>;
    const input = node.input as Record<string, Record<string, InputSpec> | undefined>;
    const wireInput: Record<string, unknown> = {};
    for (const [group, specs] of Object.entries(input)) {
      if (group === 'hidden' || !specs) {
        wireInput[group] = specs;
        continue;
      }
      const wireSpecs: Record<string, unknown> = {};
      for (const [key, spec] of Object.entries(specs)) {
        const [type, options] = spec;
        if (type !== 'FLOAT' || !options) {
          wireSpecs[key] = spec;
          continue;
        }
        const wireOptions: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(options)) {
          wireOptions[k] = floatOptionKeys.includes(k) && typeof v === 'number' ? new PyFloat(v) : v;
        }
        wireSpecs[key] = [type, wireOptions];
      }
      wireInput[group] = wireSpecs;
    }
    out[name] = { ...node, input: wireInput };
  }
  return out;
}
