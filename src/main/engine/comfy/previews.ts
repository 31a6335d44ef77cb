// Live sampler previews (comfyui.md §8.5). ComfyUI sends preview frames only when its
// `--preview-method` is not `none` (the default is none). Newer servers also take
// `extra_data.preview_method` per prompt, so the client asks for it; 0.3.x servers read only their
// command-line flag and stay silent. A watch per prompt notices a sampler that ran without a single
// preview frame, so the operator can be told, once, how to turn them on.
import { comfyPreviewMethods } from '../../../shared/domain.ts';
import type { ComfyGraph, ComfyProgress, ComfyRunResult } from './types.ts';

export { comfyPreviewMethods };
/** What the client asks for: a method ComfyUI knows, or `default` (send nothing, the server decides). */
export type ComfyPreviewMethod = (typeof comfyPreviewMethods)[number];

export interface ComfyPreviewsMissing {
  /** The server (the client's URL). */
  url: string;
  promptId: string;
  /** What the client asked for in `extra_data.preview_method`. */
  requested: ComfyPreviewMethod;
  /** Sampler steps the prompt reported without one preview frame. */
  samplerSteps: number;
}

/** The operator-facing hint: the one fix that works on every ComfyUI version. */
export const previewsOffHint =
  'Start ComfyUI with --preview-method auto (or latent2rgb / taesd) to see live previews; images render the same either way.';

/** `extra_data` entries for a prompt: nothing for `default` (or no setting). */
export function previewExtraData(method: ComfyPreviewMethod | undefined): Record<string, unknown> {
  return method === undefined || method === 'default' ? {} : { preview_method: method };
}

/** Sampler nodes report per-step progress and, when previews are on, one frame per step. */
const isSampler = (classType: string) => /Sampler/.test(classType) && !/Select$/.test(classType);

/**
 * Counts sampler steps and preview frames of one prompt. `finish` reports the prompt when it was
 * watched live to the end, rendered (not served from the cache), stepped a sampler and got no frame.
 */
export class PreviewWatch {
  private readonly samplers: Set<string>;
  private steps = 0;
  private frames = 0;

  constructor(graph: ComfyGraph) {
    this.samplers = new Set(Object.keys(graph).filter((id) => isSampler(String(graph[id]?.class_type))));
  }

  /** Null when the graph has no sampler: nothing to watch. */
  static for(graph: ComfyGraph, requested: ComfyPreviewMethod | undefined): PreviewWatch | null {
    if (requested === undefined || requested === 'none' || requested === 'default') return null;
    const watch = new PreviewWatch(graph);
    return watch.samplers.size > 0 ? watch : null;
  }

  progress(p: ComfyProgress): void {
    if (p.node !== null && this.samplers.has(p.node)) this.steps += 1;
  }

  preview(): void {
    this.frames += 1;
  }

  missing(url: string, result: ComfyRunResult, requested: ComfyPreviewMethod): ComfyPreviewsMissing | null {
    if (result.cached || result.completedVia !== 'websocket') return null;
    if (this.steps === 0 || this.frames > 0) return null;
    return { url, promptId: result.promptId, requested, samplerSteps: this.steps };
  }
}
