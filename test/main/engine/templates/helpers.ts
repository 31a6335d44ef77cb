// Shared by the template tests: paths, the object_info fixture and a tiny template builder.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type ObjectInfo,
  parseObjectInfo,
  parseTemplate,
  type Template,
} from '../../../../src/main/engine/templates/index.ts';
import type { JsonValue, TemplateParamSpec } from '../../../../src/shared/index.ts';

export const repoRoot = resolve(import.meta.dirname, '../../../..');
export const shippedDir = join(repoRoot, 'workflow_templates');
/** The offline snapshot generated from the ComfyUI simulator (another engineer's deliverable). */
export const simSnapshotPath = join(repoRoot, 'resources/object_info/comfyui-sim.json');
export const fixturePath = join(import.meta.dirname, 'fixtures/object_info.json');

/** The raw fixture (a fresh copy each call, so tests can edit it). */
export function rawObjectInfo(): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(fixturePath, 'utf8')) as Record<string, Record<string, unknown>>;
}

export function fixtureObjectInfo(edit?: (raw: Record<string, Record<string, unknown>>) => void): ObjectInfo {
  const raw = rawObjectInfo();
  edit?.(raw);
  return parseObjectInfo(raw);
}

/** Removes `file` from the COMBO list of `className.input` in a raw object_info. */
export function withoutModel(className: string, input: string, file: string) {
  return (raw: Record<string, Record<string, unknown>>): void => {
    const group = (raw[className]?.input as { required?: Record<string, [string[], unknown?]> } | undefined)
      ?.required;
    const spec = group?.[input];
    if (spec === undefined) throw new Error(`fixture has no ${className}.${input}`);
    spec[0] = spec[0].filter((f) => f !== file);
  };
}

/** A minimal valid text-to-image graph (SDXL shape) that tests mutate to provoke one lint finding each. */
export type TestNode = { class_type: string; inputs: Record<string, JsonValue> };

export function sdxlGraph(): Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', TestNode> {
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
    '2': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: '{{prompt}}' } },
    '3': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: '' } },
    '4': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
    '5': {
      class_type: 'KSampler',
      inputs: {
        model: ['1', 0],
        positive: ['2', 0],
        negative: ['3', 0],
        latent_image: ['4', 0],
        seed: 1,
        steps: 20,
        cfg: 7,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
      },
    },
    '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'test/x' } },
  };
}

export function makeTemplate(
  graph: Record<string, TestNode>,
  params: Record<string, TemplateParamSpec> = { prompt: { type: 'string', default: 'a mug' } },
  id = 'sdxl.test',
): Template {
  return parseTemplate({ id, kind: 'hero', family: 'sdxl', description: 'test template', params, graph }, id);
}
