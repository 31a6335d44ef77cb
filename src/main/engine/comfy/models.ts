// Where ComfyUI expects the model files a loader node names: `ComfyUI/models/<folder>/`. One table for
// the template linter (a file the server lacks: "put it in models/vae/"), the error mapping of a
// refused prompt, and the list of model files a graph loads.

// Keyed by input name; class-specific entries first because `clip_name` means text_encoders for
// CLIPLoader but clip_vision for CLIPVisionLoader.
const FOLDER_BY_CLASS_INPUT: Readonly<Record<string, string>> = {
  'CLIPVisionLoader.clip_name': 'clip_vision',
  'UpscaleModelLoader.model_name': 'upscale_models',
  'unCLIPCheckpointLoader.ckpt_name': 'checkpoints',
  'ImageOnlyCheckpointLoader.ckpt_name': 'checkpoints',
  'ModelPatchLoader.name': 'model_patches',
};

const FOLDER_BY_INPUT: Readonly<Record<string, string>> = {
  unet_name: 'diffusion_models',
  clip_name: 'text_encoders',
  clip_name1: 'text_encoders',
  clip_name2: 'text_encoders',
  clip_name3: 'text_encoders',
  clip_name4: 'text_encoders',
  vae_name: 'vae',
  ckpt_name: 'checkpoints',
  lora_name: 'loras',
  control_net_name: 'controlnet',
  style_model_name: 'style_models',
  gligen_name: 'gligen',
  hypernetwork_name: 'hypernetworks',
  photomaker_model_name: 'photomaker',
};

/** File names that are model weights whatever input carries them (a custom loader's COMBO). */
const MODEL_FILE_RE = /\.(safetensors|sft|ckpt|pt|pth|bin|gguf)$/i;

/** The `models/` sub-folder a loader input reads from (`diffusion_models` for `UNETLoader.unet_name`), or null. */
export function modelFolderOf(classType: string, inputName: string): string | null {
  return FOLDER_BY_CLASS_INPUT[`${classType}.${inputName}`] ?? FOLDER_BY_INPUT[inputName] ?? null;
}

/**
 * The folder (relative to the ComfyUI root, with a trailing slash) a model-loader input reads from,
 * e.g. `models/diffusion_models/` for `UNETLoader.unet_name`; null when the input is not a model file.
 */
export function modelFolderFor(classType: string, inputName: string): string | null {
  const folder = modelFolderOf(classType, inputName);
  return folder === null ? null : `models/${folder}/`;
}

/** True for a value that names model weights by its extension (`x.safetensors`, `y.gguf` …). */
export function isModelFileName(value: unknown): value is string {
  return typeof value === 'string' && MODEL_FILE_RE.test(value);
}
