import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  lintLibrary,
  lintTemplate,
  loadTemplates,
  type ObjectInfo,
  parseObjectInfo,
  readObjectInfoFile,
  type TemplateLibrary,
  typesMatch,
} from '../../../../src/main/engine/templates/index.ts';
import { type LintIssue, LintIssueSchema } from '../../../../src/shared/index.ts';
import {
  fixtureObjectInfo,
  fixturePath,
  makeTemplate,
  rawObjectInfo,
  sdxlGraph,
  shippedDir,
  simSnapshotPath,
  type TestNode,
  withoutModel,
} from './helpers.ts';

let lib: TemplateLibrary;
let info: ObjectInfo;
beforeAll(async () => {
  lib = await loadTemplates(shippedDir);
  info = await readObjectInfoFile(fixturePath);
});

const errors = (issues: LintIssue[]) => issues.filter((i) => i.severity === 'error');

function onlyError(issues: LintIssue[]): LintIssue {
  for (const i of issues) LintIssueSchema.parse(i);
  const errs = errors(issues);
  expect(errs, JSON.stringify(issues, null, 1)).toHaveLength(1);
  return errs[0] as LintIssue;
}

describe('the shipped library', () => {
  it('lints clean against the hand-written object_info fixture (protocols/comfyui.md §11)', () => {
    expect(lintLibrary(lib, info)).toEqual([]);
  });

  const haveSnapshot = existsSync(simSnapshotPath);
  it.skipIf(!haveSnapshot)(
    `lints clean against the simulator snapshot resources/object_info/comfyui-sim.json${
      haveSnapshot ? '' : ' — SKIPPED: the snapshot has not been generated yet'
    }`,
    async () => {
      const snapshot = await readObjectInfoFile(simSnapshotPath);
      expect(lintLibrary(lib, snapshot)).toEqual([]);
    },
  );

  it('lints instantiated-with-defaults graphs clean too (the defaults are what the server sees)', () => {
    // A graph with every placeholder replaced is itself a valid template with no params.
    for (const t of lib.all()) {
      const { graph } = t;
      const params = Object.fromEntries(
        Object.entries(t.params).map(([name, spec]) => [name, spec.default ?? 'example.png']),
      );
      const literal = JSON.parse(
        JSON.stringify(graph).replace(/"\{\{(\w+)\}\}"/g, (_, name: string) => JSON.stringify(params[name])),
      );
      const tpl = makeTemplate(literal, {}, 'sdxl.literal');
      expect(lintTemplate(tpl, info), t.id).toEqual([]);
    }
  });
});

describe('missing model files', () => {
  const cases = [
    [
      'qwen-image.hero',
      'UNETLoader',
      'unet_name',
      'qwen_image_fp8_e4m3fn.safetensors',
      'diffusion_models',
      '1',
    ],
    [
      'qwen-image.hero',
      'CLIPLoader',
      'clip_name',
      'qwen_2.5_vl_7b_fp8_scaled.safetensors',
      'text_encoders',
      '2',
    ],
    ['qwen-image.lifestyle', 'VAELoader', 'vae_name', 'qwen_image_vae.safetensors', 'vae', '3'],
    ['sdxl.hero', 'CheckpointLoaderSimple', 'ckpt_name', 'sd_xl_base_1.0.safetensors', 'checkpoints', '1'],
    [
      'edit.restyle',
      'UNETLoader',
      'unet_name',
      'qwen_image_edit_2509_fp8_e4m3fn.safetensors',
      'diffusion_models',
      '1',
    ],
  ] as const;
  for (const [templateId, cls, input, file, folder, nodeId] of cases) {
    it(`names ${file} and models/${folder}/`, () => {
      const issue = onlyError(
        lintTemplate(lib.get(templateId), fixtureObjectInfo(withoutModel(cls, input, file))),
      );
      expect(issue).toMatchObject({ templateId, nodeId, input });
      expect(issue.message).toContain(file);
      expect(issue.message).toContain(`models/${folder}/`);
    });
  }

  it('names models/loras/ for a LoRA and shows what the server has', () => {
    const graph = {
      ...sdxlGraph(),
      '8': {
        class_type: 'LoraLoaderModelOnly',
        inputs: { model: ['1', 0], lora_name: 'product-style.safetensors', strength_model: 0.8 },
      },
    };
    graph['5'].inputs.model = ['8', 0];
    const issue = onlyError(lintTemplate(makeTemplate(graph), info));
    expect(issue.message).toContain('product-style.safetensors');
    expect(issue.message).toContain('models/loras/');
    expect(issue.message).toContain('Qwen-Image-Lightning-8steps-V1.0.safetensors');
  });

  it('checks a model file given as a placeholder default', () => {
    const graph = sdxlGraph();
    graph['1'].inputs.ckpt_name = '{{checkpoint}}';
    const t = makeTemplate(graph, {
      prompt: { type: 'string', default: 'a mug' },
      checkpoint: { type: 'string', default: 'juggernautXL.safetensors' },
    });
    const issue = onlyError(lintTemplate(t, info));
    expect(issue.message).toContain('juggernautXL.safetensors');
    expect(issue.message).toContain('models/checkpoints/');
  });
});

describe('numeric bounds', () => {
  it('flags a literal CFG above the server max', () => {
    const graph = sdxlGraph();
    graph['5'].inputs.cfg = 150;
    const issue = onlyError(lintTemplate(makeTemplate(graph), info));
    expect(issue).toMatchObject({ nodeId: '5', input: 'cfg' });
    expect(issue.message).toContain('max 100');
  });

  it('flags a literal below the server min', () => {
    const graph = sdxlGraph();
    graph['4'].inputs.width = 8;
    expect(onlyError(lintTemplate(makeTemplate(graph), info)).message).toContain('min 16');
  });

  it('flags a param whose declared range goes past the input range', () => {
    const graph = sdxlGraph();
    graph['5'].inputs.cfg = '{{cfg}}';
    const t = makeTemplate(graph, {
      prompt: { type: 'string', default: 'a mug' },
      cfg: { type: 'float', default: 7, min: 1, max: 200 },
    });
    const issue = onlyError(lintTemplate(t, info));
    expect(issue).toMatchObject({ nodeId: '5', input: 'cfg' });
    expect(issue.message).toContain('"cfg"');
    expect(issue.message).toContain('max 100');
  });

  it('warns when a param feeding a bounded input declares no range, and checks its default', () => {
    const graph = sdxlGraph();
    graph['5'].inputs.denoise = '{{denoise}}';
    const withDefault = (d: number) =>
      makeTemplate(graph, {
        prompt: { type: 'string', default: 'a mug' },
        denoise: { type: 'float', default: d },
      });
    const issues = lintTemplate(withDefault(0.5), info);
    expect(issues.map((i) => [i.severity, i.input])).toEqual([
      ['warning', 'denoise'],
      ['warning', 'denoise'],
    ]);
    const bad = onlyError(lintTemplate(withDefault(1.5), info));
    expect(bad.message).toContain('default of param "denoise"');
    expect(bad.message).toContain('max 1');
  });

  it('flags a float param feeding an INT input', () => {
    const graph = sdxlGraph();
    graph['5'].inputs.steps = '{{steps}}';
    const t = makeTemplate(graph, {
      prompt: { type: 'string', default: 'a mug' },
      steps: { type: 'float', default: 20, min: 1, max: 50 },
    });
    expect(onlyError(lintTemplate(t, info)).message).toContain('float param');
  });

  it('handles the 2^64-1 seed bound of the real server', () => {
    const graph = sdxlGraph();
    graph['5'].inputs.seed = '{{seed}}';
    const t = makeTemplate(graph, {
      prompt: { type: 'string', default: 'a mug' },
      seed: { type: 'seed', default: 1 },
    });
    expect(lintTemplate(t, info)).toEqual([]);
  });
});

describe('graph structure', () => {
  it('flags an unknown class', () => {
    const graph = { ...sdxlGraph(), '8': { class_type: 'SuperUpscaler', inputs: { image: ['6', 0] } } };
    const issue = onlyError(lintTemplate(makeTemplate(graph), info));
    expect(issue).toMatchObject({ nodeId: '8', input: null });
    expect(issue.message).toContain('SuperUpscaler');
  });

  it('flags a missing required input', () => {
    const graph = sdxlGraph();
    delete graph['5'].inputs.scheduler;
    const issue = onlyError(lintTemplate(makeTemplate(graph), info));
    expect(issue).toMatchObject({ nodeId: '5', input: 'scheduler' });
    expect(issue.message).toContain('required input "scheduler"');
  });

  it('flags the TextEncodeQwenImageEditPlus "text" vs "prompt" mistake', () => {
    const t = lib.get('edit.restyle');
    const graph = structuredClone(t.graph);
    const node = graph['8'];
    if (node === undefined) throw new Error('node 8');
    node.inputs.text = node.inputs.prompt ?? '';
    delete node.inputs.prompt;
    const issues = lintTemplate(makeTemplate(graph, t.params, 'sdxl.broken'), info);
    expect(onlyError(issues)).toMatchObject({ nodeId: '8', input: 'prompt' });
    expect(issues).toContainEqual(
      expect.objectContaining({ severity: 'warning', nodeId: '8', input: 'text' }),
    );
  });

  const badLinks: [string, unknown, string][] = [
    ['a missing node', ['99', 0], 'node "99"'],
    ['an output index past the end', ['1', 3], 'has 3 output(s)'],
    ['a numeric node id', [1, 2], 'node id string'],
    ['a negative index', ['1', -1], 'integer ≥ 0'],
    ['the wrong type', ['1', 1], 'expects VAE but node "1" (CheckpointLoaderSimple) output 1 is CLIP'],
    ['a 3-element list', ['1', 2, 0], 'must be [source_node_id, output_index]'],
  ];
  for (const [what, link, fragment] of badLinks) {
    it(`flags a bad link: ${what}`, () => {
      const graph = sdxlGraph();
      graph['6'].inputs.vae = link as never;
      const issue = onlyError(lintTemplate(makeTemplate(graph), info));
      expect(issue).toMatchObject({ nodeId: '6', input: 'vae' });
      expect(issue.message).toContain(fragment);
    });
  }

  it('flags a literal where a link is expected', () => {
    const graph = sdxlGraph();
    graph['6'].inputs.vae = 'sdxl_vae.safetensors';
    expect(onlyError(lintTemplate(makeTemplate(graph), info)).message).toContain(
      'expects a link to a VAE output',
    );
  });

  it('flags a graph without an output node', () => {
    const graph: Record<string, TestNode> = sdxlGraph();
    delete graph['7'];
    const issues = lintTemplate(makeTemplate(graph), info);
    const issue = onlyError(issues);
    expect(issue).toMatchObject({ nodeId: null, input: null });
    expect(issue.message).toContain('no output node');
    // VAEDecode is now a dead end the server never runs.
    expect(issues).toContainEqual(expect.objectContaining({ severity: 'warning', nodeId: '6' }));
  });
});

describe('COMBO values', () => {
  it('flags a sampler the server does not have', () => {
    const graph = sdxlGraph();
    graph['5'].inputs.sampler_name = 'euler_max';
    const issue = onlyError(lintTemplate(makeTemplate(graph), info));
    expect(issue.message).toContain('"euler_max"');
    expect(issue.message).not.toContain('models/');
  });

  it('reads V3 "COMBO" options (ImageScaleToTotalPixels.upscale_method)', () => {
    const t = lib.get('sdxl.variation');
    const graph = structuredClone(t.graph);
    const scale = graph['5'];
    if (scale?.class_type !== 'ImageScaleToTotalPixels') throw new Error('node 5 moved');
    scale.inputs.upscale_method = 'super-resolution';
    const issue = onlyError(lintTemplate(makeTemplate(graph, t.params, 'sdxl.v3'), info));
    expect(issue).toMatchObject({ nodeId: '5', input: 'upscale_method' });
  });

  it('checks every option of a combo param against the server list', () => {
    const graph = sdxlGraph();
    graph['5'].inputs.scheduler = '{{scheduler}}';
    const t = makeTemplate(graph, {
      prompt: { type: 'string', default: 'a mug' },
      scheduler: { type: 'combo', default: 'karras', options: ['karras', 'align_your_steps'] },
    });
    const issue = onlyError(lintTemplate(t, info));
    expect(issue.message).toContain('align_your_steps');
  });

  it('skips LoadImage.image: the server checks the file itself, outside the COMBO list', () => {
    const t = lib.get('sdxl.variation');
    const graph = structuredClone(t.graph);
    const load = graph['4'];
    if (load?.class_type !== 'LoadImage') throw new Error('node 4 moved');
    load.inputs.image = 'products/not-in-the-list.png [output]';
    const { image: _literalNow, ...params } = t.params;
    expect(lintTemplate(makeTemplate(graph, params, 'sdxl.v'), info)).toEqual([]);
  });
});

describe('object_info parsing', () => {
  it('is lenient: an unreadable entry becomes a warning where it is used, not a failure', () => {
    const raw = rawObjectInfo();
    raw.VAEDecode = { input: 'not an object' } as unknown as Record<string, unknown>;
    raw.SomeCustomNode = { weird: true, output: [['a', 'b']], output_node: null };
    const parsed = parseObjectInfo(raw);
    expect(parsed.unreadable.has('VAEDecode')).toBe(true);
    expect(parsed.classes.get('SomeCustomNode')?.outputs).toEqual(['COMBO']);
    const issues = lintTemplate(makeTemplate(sdxlGraph()), parsed);
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', nodeId: '6' })]);
  });

  it('reads the V1 and V3 shapes', () => {
    const ks = info.classes.get('KSampler');
    expect(ks?.inputs.get('seed')).toMatchObject({ widget: 'INT', min: 0, max: 2 ** 64 });
    expect(ks?.inputs.get('sampler_name')?.options).toContain('euler');
    expect(info.classes.get('ImageScaleToTotalPixels')?.inputs.get('upscale_method')).toMatchObject({
      type: 'COMBO',
      options: ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'],
    });
    expect(info.classes.get('SaveImage')).toMatchObject({ outputNode: true, outputs: [] });
    expect(info.classes.get('SaveImage')?.inputs.has('prompt')).toBe(false); // hidden inputs are not inputs
    expect(info.classes.get('CLIPLoader')?.inputs.get('device')?.required).toBe(false);
  });

  it('rejects a non-object and bad files with invalid_input naming the file', async () => {
    expect(() => parseObjectInfo([])).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    const dir = await mkdtemp(join(tmpdir(), 'object-info-'));
    try {
      const bad = join(dir, 'bad.json');
      await writeFile(bad, '{"KSampler": ');
      await expect(readObjectInfoFile(bad)).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining(bad),
      });
      await expect(readObjectInfoFile(join(dir, 'none.json'))).rejects.toMatchObject({
        code: 'invalid_input',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('matches link types like the server', () => {
    expect(typesMatch('IMAGE', 'IMAGE')).toBe(true);
    expect(typesMatch('IMAGE,MASK', 'MASK')).toBe(true);
    expect(typesMatch('*', 'MODEL')).toBe(true);
    expect(typesMatch('CLIP', 'MODEL')).toBe(false);
  });
});
