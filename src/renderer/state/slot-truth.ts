// What a slot says must be true: waiting for a named dependency only while that dependency is not
// done; skipped (because of what) rather than "failed" when a dependency failed; a failure's real
// cause in words an operator can act on, with what was already tried.
import type { Asset, Gallery } from '../../shared/index.ts';
import { jobErrorInfo } from './errors.ts';

export interface SlotContext {
  /** The showcase's copy is written (hero and lifestyle prompts exist). */
  copyReady: boolean;
  /** Why the copy failed, when it did. */
  copyError: string | null;
  hero: Pick<Asset, 'status' | 'error'> | null;
}

export function slotContext(gallery: Pick<Gallery, 'copy' | 'error'>, assets: readonly Asset[]): SlotContext {
  const hero = assets.find((a) => a.kind === 'hero') ?? null;
  return {
    copyReady: gallery.copy !== null,
    copyError: gallery.copy === null && gallery.error ? gallery.error : null,
    hero: hero ? { status: hero.status, error: hero.error } : null,
  };
}

const needsHero = (kind: Asset['kind']) => kind === 'variation' || kind === 'thumbnail';

/** The caption of a slot that has no image yet and is not rendering. */
export function waitingCaption(
  asset: Pick<Asset, 'kind' | 'status'>,
  ctx: SlotContext,
  studioQueued: number,
): string {
  if (needsHero(asset.kind)) {
    const hero = ctx.hero?.status;
    if (hero !== 'done')
      return hero === 'running' ? 'Waits for the hero (rendering now)' : 'Waits for the hero';
  } else if (!ctx.copyReady) return 'Waits for the copy';
  // Its dependency is done: it only waits for its turn.
  return studioQueued > 1 ? `Queued in the studio (${studioQueued} jobs waiting)` : 'Queued — next to start';
}

export interface SlotFailure {
  /** `skipped` when a dependency failed and this never ran. */
  state: 'failed' | 'skipped';
  code: string;
  title: string;
  /** The real cause, as the engine reported it (names the backend, the node, the file). */
  cause: string;
  /** What to do, including what the studio already tried. */
  hint: string;
}

const DEPENDENCY = /^(dependency \S+ (failed|cancelled)|cancelled)$/;
/** The scheduler's own words for a job skipped after its dependency failed (queue/scheduler.ts). */
const SKIPPED = /^Skipped: the (\w+) job it depends on failed \((.*)\)$/s;

export function slotFailure(asset: Pick<Asset, 'kind' | 'error'>, ctx: SlotContext): SlotFailure {
  const raw = (asset.error ?? '').trim() || 'The render failed without a message';
  const skipped = SKIPPED.exec(raw);
  if (skipped) {
    const dependency =
      skipped[1] === 'copy' ? 'copy' : skipped[1] === 'hero' ? 'hero' : `${skipped[1]} image`;
    return {
      state: 'skipped',
      code: 'skipped',
      title: `Skipped: the ${dependency} failed`,
      // The backend's address is on the failed slot itself; here the reason is enough.
      cause: `The ${dependency} failed: ${firstLine((skipped[2] ?? '').replace(/^(ComfyUI|Ollama) at \S+?:? /, ''))}`,
      hint:
        dependency === 'copy'
          ? 'Start the showcase again once the language model answers.'
          : `Fix the ${dependency} first; the ${asset.kind} is made from it.`,
    };
  }
  if (DEPENDENCY.test(raw) && raw !== 'cancelled') {
    if (needsHero(asset.kind)) {
      return {
        state: 'skipped',
        code: 'skipped',
        title: 'Skipped: the hero failed',
        cause: ctx.hero?.error
          ? `The hero failed: ${firstLine(ctx.hero.error)}`
          : 'The hero image was not rendered.',
        hint: `Fix the hero first; the ${asset.kind} is made from it.`,
      };
    }
    return {
      state: 'skipped',
      code: 'skipped',
      title: 'Skipped: the copy failed',
      cause: ctx.copyError ? firstLine(ctx.copyError) : 'The copy was not written, so there is no prompt.',
      hint: 'Start the showcase again once the language model answers.',
    };
  }
  if (raw === 'cancelled')
    return {
      state: 'skipped',
      code: 'cancelled',
      title: 'Cancelled',
      cause: 'The render was cancelled.',
      hint: 'Regenerate it when you are ready.',
    };
  const info = jobErrorInfo(raw);
  const node = /\b([A-Z][A-Za-z0-9]*(?:Loader|Sampler|Encode|Decode|Image|Model)[A-Za-z0-9]*)\b/.exec(
    raw,
  )?.[1];
  switch (info.code) {
    case 'model_missing':
      return {
        state: 'failed',
        code: info.code,
        title: 'Model file missing',
        cause: raw,
        hint: 'Put the file named above in that folder of the ComfyUI server, then regenerate.',
      };
    case 'out_of_memory':
      return {
        state: 'failed',
        code: info.code,
        title: 'Out of GPU memory',
        cause: raw,
        hint: 'Already tried: freeing VRAM (models unloaded) and rendering one prompt at a time. Lower the size or steps, or close other GPU programs, then regenerate.',
      };
    case 'backend_unreachable':
      return {
        state: 'failed',
        code: info.code,
        title: 'Backend not reachable',
        cause: raw,
        hint: 'Start the server at the address above (or fix its URL in Settings), then regenerate.',
      };
    case 'comfy_execution':
    case 'internal':
      if (node?.endsWith('Loader'))
        return {
          state: 'failed',
          code: 'comfy_execution',
          title: `Model file failed to load (${node})`,
          cause: raw,
          hint: `The model file ${node} reads is damaged or incomplete (an interrupted download): download it again into the ComfyUI models folder, then regenerate.`,
        };
      return {
        state: 'failed',
        code: info.code === 'internal' && node ? 'comfy_execution' : info.code,
        title: node ? `ComfyUI failed in ${node}` : info.title,
        cause: raw,
        hint: /deterministic|not retried/.test(raw)
          ? 'The same seed and prompt would fail the same way: change the prompt, the parameters or the seed, then regenerate.'
          : 'Regenerate; if it fails again, the ComfyUI console shows the node’s own error.',
      };
    default:
      return { state: 'failed', code: info.code, title: info.title, cause: raw, hint: info.hint };
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}
