// Which sampler preview method a run uses (comfyui.md §8.5). ComfyUI's `--preview-method` defaults
// to none. 0.3.64 reads only that flag (latent_preview.py: `args.preview_method`); newer servers
// also take `extra_data.preview_method` per prompt: a known method name overrides the flag for
// that prompt, while a missing value, "default" or an unknown name falls back to the flag.
import type { ComfyVersion } from './catalog.ts';

export const previewMethods = ['none', 'auto', 'latent2rgb', 'taesd'] as const;
export type PreviewMethod = (typeof previewMethods)[number];

export const previewOverrideByVersion: Record<ComfyVersion, boolean> = { '0.3.64': false, '2026': true };

const isPreviewMethod = (value: unknown): value is PreviewMethod =>
  typeof value === 'string' && (previewMethods as readonly string[]).includes(value);

export function runPreviewMethod(
  serverDefault: PreviewMethod,
  honoursOverride: boolean,
  requested: unknown,
): PreviewMethod {
  if (honoursOverride && isPreviewMethod(requested)) return requested;
  return serverDefault;
}
