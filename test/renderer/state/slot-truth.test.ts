import { describe, expect, it } from 'vitest';
import { slotFailure, waitingCaption } from '../../../src/renderer/state/slot-truth.ts';

const ctx = (
  hero: 'pending' | 'running' | 'done' | 'failed',
  copyReady = true,
  heroError: string | null = null,
) => ({
  copyReady,
  copyError: copyReady ? null : 'Copy failed: Ollama at http://127.0.0.1:11434 is not reachable',
  hero: { status: hero, error: heroError },
});

describe('slot words stay true', () => {
  it('waits for a named dependency only while it is not done, then says it is only queued', () => {
    expect(waitingCaption({ kind: 'variation', status: 'pending' }, ctx('running'), 5)).toBe(
      'Waits for the hero (rendering now)',
    );
    expect(waitingCaption({ kind: 'variation', status: 'pending' }, ctx('done'), 5)).toBe(
      'Queued in the studio (5 jobs waiting)',
    );
    expect(waitingCaption({ kind: 'lifestyle', status: 'pending' }, ctx('pending', false), 5)).toBe(
      'Waits for the copy',
    );
    expect(waitingCaption({ kind: 'lifestyle', status: 'pending' }, ctx('pending', true), 1)).toBe(
      'Queued — next to start',
    );
  });

  it('says a variation was skipped because the hero failed, with the hero’s cause', () => {
    const f = slotFailure(
      { kind: 'variation', error: 'dependency 1f3c failed' },
      ctx('failed', true, 'ComfyUI at http://127.0.0.1:8188: KSampler: RuntimeError: boom'),
    );
    expect(f).toMatchObject({ state: 'skipped', title: 'Skipped: the hero failed' });
    expect(f.cause).toContain('KSampler: RuntimeError: boom');
  });

  it('reads the scheduler’s own "Skipped" words as skipped, with the dependency’s cause', () => {
    const f = slotFailure(
      {
        kind: 'variation',
        error:
          'Skipped: the hero job it depends on failed (ComfyUI at http://h:1 failed in node 1 (UNETLoader): ValueError: HeaderTooLarge)',
      },
      ctx('failed'),
    );
    expect(f).toMatchObject({ state: 'skipped', title: 'Skipped: the hero failed' });
    expect(f.cause).toBe('The hero failed: failed in node 1 (UNETLoader): ValueError: HeaderTooLarge');
  });

  it('names the node, the missing file, the memory steps tried and the URL of a backend that is down', () => {
    const crash = slotFailure(
      {
        kind: 'hero',
        error:
          'ComfyUI at http://127.0.0.1:8188: KSampler raised RuntimeError: simulated sampler crash (deterministic error: retrying cannot help, not retried)',
      },
      ctx('failed'),
    );
    expect(crash).toMatchObject({ state: 'failed', title: 'ComfyUI failed in KSampler' });
    expect(crash.cause).toContain('simulated sampler crash');
    expect(crash.hint).toMatch(/change the prompt, the parameters or the seed/);
    const model = slotFailure(
      {
        kind: 'hero',
        error:
          'ComfyUI at http://x:8188: model qwen_image_fp8.safetensors not found in models/diffusion_models',
      },
      ctx('failed'),
    );
    expect(model).toMatchObject({ code: 'model_missing', title: 'Model file missing' });
    expect(model.cause).toContain('models/diffusion_models');
    const oom = slotFailure(
      { kind: 'hero', error: 'ComfyUI at http://x: torch.OutOfMemoryError: CUDA out of memory' },
      ctx('failed'),
    );
    expect(oom.hint).toMatch(/Already tried: freeing VRAM/);
    const down = slotFailure(
      { kind: 'hero', error: 'ComfyUI at http://10.0.0.5:8188: connect ECONNREFUSED' },
      ctx('failed'),
    );
    expect(down).toMatchObject({ code: 'backend_unreachable', title: 'Backend not reachable' });
    expect(down.cause).toContain('http://10.0.0.5:8188');
  });
});
