// One-time notices about a backend for the operator (`backend.notice`): what is off and how to fix
// it. Sent once per backend by the ComfyUI client's own once-only callbacks.
import type { EventPayload } from '../../../shared/index.ts';
import { type ComfyPreviewsMissing, previewsOffHint } from '../comfy/index.ts';

export function previewsOffNotice(
  backend: { id: string; url: string },
  missing: ComfyPreviewsMissing,
): EventPayload<'backend.notice'> {
  return {
    backend: backend.id,
    url: backend.url,
    code: 'previews_off',
    message: `ComfyUI at ${backend.url} (${backend.id}) renders without live previews: ${missing.samplerSteps} sampler steps came with no preview frame. It ignores the per-prompt request (ComfyUI 0.3.x reads only its --preview-method flag, which defaults to none).`,
    hint: previewsOffHint,
  };
}
