// What comfy/ reads off a graph without a server: the model files it loads and where ComfyUI keeps
// them, on the shipped templates (the files the engine really sends) and on hand-made loaders.
import { describe, expect, it } from 'vitest';
import type { ComfyGraph } from '../../../../src/main/engine/comfy/index.ts';
import { graphModel, graphModelFiles, modelFolderOf } from '../../../../src/main/engine/comfy/index.ts';
import { loadTemplates } from '../../../../src/main/engine/templates/index.ts';

describe('graphModelFiles', () => {
  it('lists every loader file with its models/ folder, class-specific entries first', () => {
    const graph: ComfyGraph = {
      '1': { class_type: 'UNETLoader', inputs: { unet_name: 'qwen.safetensors', weight_dtype: 'default' } },
      '2': { class_type: 'CLIPVisionLoader', inputs: { clip_name: 'vision.safetensors' } },
      '3': { class_type: 'CLIPLoader', inputs: { clip_name: 'text.safetensors', type: 'qwen_image' } },
      '4': { class_type: 'CustomLoader', inputs: { weights: 'odd.gguf', strength: 1 } },
      '5': { class_type: 'KSampler', inputs: { model: ['1', 0], sampler_name: 'euler', seed: 1 } },
    };
    expect(graphModelFiles(graph)).toEqual([
      {
        nodeId: '1',
        classType: 'UNETLoader',
        input: 'unet_name',
        file: 'qwen.safetensors',
        folder: 'diffusion_models',
      },
      {
        nodeId: '2',
        classType: 'CLIPVisionLoader',
        input: 'clip_name',
        file: 'vision.safetensors',
        folder: 'clip_vision',
      },
      {
        nodeId: '3',
        classType: 'CLIPLoader',
        input: 'clip_name',
        file: 'text.safetensors',
        folder: 'text_encoders',
      },
      { nodeId: '4', classType: 'CustomLoader', input: 'weights', file: 'odd.gguf', folder: '' },
    ]);
    expect(graphModel(graph)).toBe('qwen.safetensors');
    expect(graphModel({ '5': { class_type: 'KSampler', inputs: {} } })).toBe('unknown');
  });

  it('names the diffusion model of every shipped image template', async () => {
    const library = await loadTemplates();
    const image = library.list().filter((t) => t.kind !== 'thumbnail');
    expect(image.length).toBeGreaterThan(0);
    for (const template of image) {
      const files = graphModelFiles(library.get(template.id).graph);
      expect(files.map((f) => f.file)).toContain(graphModel(library.get(template.id).graph));
      for (const f of files) expect(f.folder, `${template.id} ${f.classType}.${f.input}`).not.toBe('');
    }
  });

  it('keeps the folders ComfyUI reads (one table for lint, errors and graphs)', () => {
    expect(modelFolderOf('VAELoader', 'vae_name')).toBe('vae');
    expect(modelFolderOf('ModelPatchLoader', 'name')).toBe('model_patches');
    expect(modelFolderOf('HypernetworkLoader', 'hypernetwork_name')).toBe('hypernetworks');
    expect(modelFolderOf('KSampler', 'sampler_name')).toBeNull();
  });
});
