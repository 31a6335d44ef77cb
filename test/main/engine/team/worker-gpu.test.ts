// What a worker registers for a GPU comes from its ComfyUI server: the GPU's name and VRAM from
// /system_stats, and the families whose every template finds its model files in /object_info.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerGpu } from '../../../../src/main/engine/team/index.ts';
import { loadTemplates, type TemplateLibrary } from '../../../../src/main/engine/templates/index.ts';
import { type ComfySim, SimGpu, startComfySim } from '../../../../src/sim/index.ts';

describe('a worker GPU', () => {
  let full: ComfySim;
  let sdxlOnly: ComfySim;
  let templates: TemplateLibrary;
  beforeAll(async () => {
    templates = await loadTemplates();
    full = await startComfySim({ gpu: new SimGpu({ timeScale: 0.001 }) });
    sdxlOnly = await startComfySim({
      gpu: new SimGpu({ timeScale: 0.001, vramTotal: 12e9 }),
      models: { diffusion_models: [] },
    });
  });
  afterAll(async () => {
    await full?.close();
    await sdxlOnly?.close();
  });

  it('takes every family its server has the model files for, and names its GPU and VRAM', async () => {
    const gpu = new WorkerGpu(full.url, templates);
    try {
      const info = await gpu.probe();
      expect(info.families).toEqual(['qwen-image', 'sdxl', 'edit']);
      expect(info.gpu).toContain('NVIDIA');
      expect(info.vramBytes).toBeGreaterThan(20e9);
      expect(info.models).toContain('sd_xl_base_1.0.safetensors');
      expect(info.models).toContain('qwen_image_fp8_e4m3fn.safetensors');
    } finally {
      await gpu.close();
    }
  });

  it('takes only SDXL when the Qwen-Image diffusion models are missing', async () => {
    const gpu = new WorkerGpu(sdxlOnly.url, templates);
    try {
      const info = await gpu.probe();
      expect(info.families).toEqual(['sdxl']);
      expect(info.models).toEqual(['sd_xl_base_1.0.safetensors']);
      expect(info.vramBytes).toBe(12e9);
    } finally {
      await gpu.close();
    }
  });

  it('keeps a running mean of measured seconds per image', () => {
    const gpu = new WorkerGpu(full.url, templates);
    gpu.measured('m', 1000);
    gpu.measured('m', 2000);
    expect(gpu.info.msPerImage.m).toBe(1200);
    void gpu.close();
  });
});
