// Model-free image nodes: what the conformance suite (test/conformance) runs on both the simulator
// and a real CPU-only ComfyUI, where graphs without model weights execute for real. Input specs as a
// real 0.3.64 server reports them in `/object_info` (checked against one, see
// docs/comfyui-conformance.md).
import type { NodeDef } from './catalog.ts';

export function imageNodeDefs(): NodeDef[] {
  return [
    {
      name: 'EmptyImage',
      displayName: 'EmptyImage',
      category: 'image',
      description: '',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: {
        width: ['INT', { default: 512, min: 1, max: 16384, step: 1 }],
        height: ['INT', { default: 512, min: 1, max: 16384, step: 1 }],
        batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
        color: ['INT', { default: 0, min: 0, max: 0xffffff, step: 1, display: 'color' }],
      },
      output: ['IMAGE'],
    },
    {
      name: 'ImageInvert',
      displayName: 'Invert Image',
      category: 'image',
      description: '',
      pythonModule: 'nodes',
      outputNode: false,
      v3: false,
      required: { image: ['IMAGE'] },
      output: ['IMAGE'],
    },
  ];
}
