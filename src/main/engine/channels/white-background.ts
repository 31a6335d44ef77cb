// The white-background main image: the hero re-staged by Qwen-Image-Edit ("the same product on a
// seamless pure white background", template `edit.white-background`). It is rendered at export time,
// only for channels whose main image must stand on pure white (Amazon, Mercado Livre) and only when
// the hero itself fails the background check; the render is kept next to the channel files with the
// hero's hash, so a later export — even one without a ComfyUI server — reuses it until the hero changes.
// The compliance check decides whether the render is good enough: nothing here assumes it is.
import sharp from 'sharp';
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import { type ComfyClient, outputImage } from '../comfy/index.ts';
import { instantiate, type TemplateLibrary } from '../templates/index.ts';

export const WHITE_BACKGROUND_TEMPLATE = 'edit.white-background';

/** Renders the hero on white; the engine provides one backed by a reachable ComfyUI server. */
export interface WhiteBackgroundRenderer {
  readonly templateId: string;
  /** Where it renders, for messages. */
  readonly backend: string;
  render(hero: Buffer, options: { productId: string; seed: number; signal?: AbortSignal }): Promise<Buffer>;
}

export interface ComfyWhiteRendererOptions {
  client: ComfyClient;
  url: string;
  templates: TemplateLibrary;
  /** Template parameter overrides for the edit family (steps, cfg …). */
  params?: Record<string, string | number | boolean>;
  /** Per-render limit (default 15 min: Qwen-Image-Edit on a small GPU). */
  timeoutMs?: number;
}

export function comfyWhiteRenderer(options: ComfyWhiteRendererOptions): WhiteBackgroundRenderer {
  const template = options.templates.get(WHITE_BACKGROUND_TEMPLATE);
  return {
    templateId: template.id,
    backend: options.url,
    async render(hero, { productId, seed, signal }) {
      const { client } = options;
      try {
        const uploaded = await client.uploadImage(hero, `white_source_${productId}.png`, {
          subfolder: 'showcase',
          overwrite: true,
        });
        const instance = instantiate(
          template,
          {
            ...(options.params ?? {}),
            image: uploaded.path,
            seed,
            filename_prefix: `showcase/${productId}_hero_white`,
          },
          { unknownParams: 'ignore' },
        );
        const result = await client.run(instance.graph, {
          ...(signal ? { signal } : {}),
          jobTimeoutMs: options.timeoutMs ?? 15 * 60_000,
        });
        const image = outputImage(result.outputs, instance.outputNodeIds);
        if (!image) {
          throw new ShowcaseError(
            'backend_error',
            'ComfyUI finished the white-background render without an image',
          );
        }
        const bytes = await client.download(image, signal ? { signal } : {});
        // Re-encoded: drops the prompt graph ComfyUI embeds in its PNG text chunks.
        return await sharp(bytes).png({ compressionLevel: 6 }).toBuffer();
      } catch (err) {
        const e = toShowcaseError(err);
        throw new ShowcaseError(
          e.code,
          `ComfyUI at ${options.url} could not render the white-background image of ${productId}: ${e.message}`,
          { ...(e.hint ? { hint: e.hint } : {}), retryable: e.retryable, cause: err },
        );
      }
    },
  };
}
