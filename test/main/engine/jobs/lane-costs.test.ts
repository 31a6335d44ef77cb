import { describe, expect, it } from 'vitest';
import { LaneCosts, type UsageSample } from '../../../../src/main/engine/jobs/index.ts';

function image(backend: string, model: string, runMs: number, extra: Partial<UsageSample> = {}): UsageSample {
  return { backend, model, phase: 'image', runMs, totalMs: runMs + 50, ok: true, ...extra };
}

describe('LaneCosts', () => {
  it('learns ms per image per backend and model; the first render of a model on a backend is its load', () => {
    const costs = new LaneCosts();
    costs.observe(image('comfy-1', 'qwen', 900)); // cold: loads the model
    costs.observe(image('comfy-1', 'qwen', 400));
    costs.observe(image('comfy-1', 'qwen', 500));
    expect(costs.measured('comfy-1', 'qwen')).toBe(450);
    expect(costs.runMs('comfy-1', 'qwen')).toBe(450);
    expect(costs.loadMs('comfy-1', 'qwen')).toBe(450);
    // Switching models makes the next render cold again.
    costs.observe(image('comfy-1', 'sdxl', 300));
    costs.observe(image('comfy-1', 'sdxl', 100));
    expect(costs.runMs('comfy-1', 'sdxl')).toBe(100);
    expect(costs.loadMs('comfy-1', 'sdxl')).toBe(200);
  });

  it('ignores failed attempts, copy work and empty timings; uses the total when the run time is missing', () => {
    const costs = new LaneCosts();
    costs.observe(image('comfy-1', 'qwen', 900));
    costs.observe(image('comfy-1', 'qwen', 10, { ok: false }));
    costs.observe({ ...image('comfy-1', 'qwen', 10), phase: 'copy' });
    costs.observe(image('comfy-1', 'qwen', 0, { totalMs: 0 }));
    expect(costs.measured('comfy-1', 'qwen')).toBeNull();
    costs.observe(image('comfy-1', 'qwen', 0, { totalMs: 600 }));
    expect(costs.measured('comfy-1', 'qwen')).toBe(600);
  });

  it('estimates an unmeasured backend from the others, then from its cold render, then the default', () => {
    const costs = new LaneCosts({ defaultRunMs: 30_000, loadShare: 0.5 });
    expect(costs.runMs('comfy-2', 'qwen')).toBe(30_000);
    expect(costs.loadMs('comfy-2', 'qwen')).toBe(15_000);
    costs.observe(image('comfy-2', 'qwen', 2_000)); // cold only
    expect(costs.runMs('comfy-2', 'qwen')).toBe(2_000);
    costs.observe(image('comfy-1', 'qwen', 900));
    costs.observe(image('comfy-1', 'qwen', 300));
    costs.observe(image('comfy-3', 'qwen', 900));
    costs.observe(image('comfy-3', 'qwen', 500));
    // Others measured warm: their mean, equal speed assumed until this backend renders warm itself.
    expect(costs.runMs('comfy-2', 'qwen')).toBe(400);
    expect(costs.loadMs('comfy-2', 'qwen')).toBe(200);
  });

  it('becomes a moving average after its window, so a changed backend is learnt again', () => {
    const costs = new LaneCosts({ window: 4 });
    costs.observe(image('comfy-1', 'qwen', 5_000));
    for (let i = 0; i < 20; i++) costs.observe(image('comfy-1', 'qwen', 1_000));
    for (let i = 0; i < 20; i++) costs.observe(image('comfy-1', 'qwen', 3_000));
    expect(costs.measured('comfy-1', 'qwen')).toBeGreaterThan(2_990);
  });

  it('knows VRAM only as far as it is told: an unknown card holds anything, an unknown model needs nothing', () => {
    const costs = new LaneCosts({
      gpuVram: (lane) => (lane === 'small' ? 16e9 : null),
      modelVram: (model) => (model === 'qwen' ? 21.5e9 : null),
    });
    expect(costs.gpuVram('small')).toBe(16e9);
    expect(costs.gpuVram('other')).toBe(Number.POSITIVE_INFINITY);
    expect(costs.vramBytes('qwen')).toBe(21.5e9);
    expect(costs.vramBytes('sdxl')).toBe(0);
  });
});
