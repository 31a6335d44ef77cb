import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultTemplatesDir,
  loadTemplates,
  parseTemplate,
  TemplateLibrary,
} from '../../../../src/main/engine/templates/index.ts';
import { ShowcaseError, TemplateSummarySchema } from '../../../../src/shared/index.ts';
import { sdxlGraph, shippedDir } from './helpers.ts';

const SHIPPED = [
  'qwen-image.hero',
  'qwen-image.lifestyle',
  'qwen-image.variation',
  'qwen-image.thumbnail',
  'sdxl.hero',
  'sdxl.lifestyle',
  'sdxl.variation',
  'sdxl.thumbnail',
  'edit.restyle',
  'edit.white-background',
];

async function expectTemplateError(p: Promise<unknown>, ...fragments: string[]): Promise<ShowcaseError> {
  const err = await p.then(
    () => {
      throw new Error('expected a template_error');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShowcaseError);
  const se = err as ShowcaseError;
  expect(se.code).toBe('template_error');
  for (const f of fragments) expect(se.message).toContain(f);
  return se;
}

describe('the shipped library', () => {
  it('loads from the default folder with every family and kind', async () => {
    expect(defaultTemplatesDir()).toBe(shippedDir);
    const lib = await loadTemplates();
    expect(lib.list().map((t) => t.id)).toEqual(SHIPPED);
    expect(lib.list('sdxl').map((t) => t.id)).toEqual(SHIPPED.filter((id) => id.startsWith('sdxl.')));
    for (const summary of lib.list()) {
      TemplateSummarySchema.parse(summary);
      expect(summary).not.toHaveProperty('graph');
    }
  });

  it('finds templates by family and kind, and by id', async () => {
    const lib = await loadTemplates(shippedDir);
    expect(lib.find('qwen-image', 'hero')?.id).toBe('qwen-image.hero');
    expect(lib.find('sdxl', 'thumbnail')?.id).toBe('sdxl.thumbnail');
    expect(lib.find('edit', 'edit')?.id).toBe('edit.restyle');
    expect(lib.find('edit', 'hero')).toBeUndefined();
    expect(lib.get('sdxl.variation').family).toBe('sdxl');
    expect(() => lib.get('sdxl.nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('uses the reference models and sampling of protocols/comfyui.md §10', async () => {
    const lib = await loadTemplates(shippedDir);
    const hero = lib.get('qwen-image.hero');
    const classes = Object.values(hero.graph).map((n) => n.class_type);
    expect(classes).toEqual(
      expect.arrayContaining([
        'UNETLoader',
        'CLIPLoader',
        'VAELoader',
        'ModelSamplingAuraFlow',
        'EmptySD3LatentImage',
      ]),
    );
    const d = (id: string, p: string) => lib.get(id).params[p]?.default;
    expect([d('qwen-image.hero', 'width'), d('qwen-image.hero', 'height')]).toEqual([1328, 1328]);
    expect([d('qwen-image.lifestyle', 'width'), d('qwen-image.lifestyle', 'height')]).toEqual([1664, 928]);
    expect([
      d('qwen-image.hero', 'steps'),
      d('qwen-image.hero', 'cfg'),
      d('qwen-image.hero', 'shift'),
    ]).toEqual([20, 2.5, 3.1]);
    expect([d('qwen-image.hero', 'sampler'), d('qwen-image.hero', 'scheduler')]).toEqual(['euler', 'simple']);
    expect([
      d('sdxl.hero', 'steps'),
      d('sdxl.hero', 'cfg'),
      d('sdxl.hero', 'sampler'),
      d('sdxl.hero', 'scheduler'),
    ]).toEqual([25, 7, 'dpmpp_2m', 'karras']);
    expect([d('sdxl.lifestyle', 'width'), d('sdxl.lifestyle', 'height')]).toEqual([1344, 768]);
    expect(d('qwen-image.variation', 'denoise')).toBe(0.45);
    expect(lib.get('qwen-image.variation').params.denoise).toMatchObject({ min: 0.05, max: 1 });
    expect(lib.get('qwen-image.thumbnail').outputNodeIds).toEqual(['3']);
    expect(Object.values(lib.get('edit.restyle').graph).map((n) => n.class_type)).toContain(
      'TextEncodeQwenImageEditPlus',
    );
  });
});

describe('loading malformed templates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'templates-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const valid = () => ({
    id: 'sdxl.hero',
    kind: 'hero',
    family: 'sdxl',
    description: 'test',
    params: { prompt: { type: 'string', default: 'a mug' } },
    graph: sdxlGraph(),
  });
  const write = (name: string, body: unknown) =>
    writeFile(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));

  it('loads a valid file (the baseline the other cases break)', async () => {
    await write('sdxl.hero.json', valid());
    await write('README.md', '# not a template');
    const lib = await loadTemplates(dir);
    expect(lib.size).toBe(1);
    expect(lib.get('sdxl.hero').outputNodeIds).toEqual(['7']);
  });

  it('names the file for invalid JSON', async () => {
    await write('sdxl.hero.json', '{"id": "sdxl.hero",');
    await expectTemplateError(loadTemplates(dir), join(dir, 'sdxl.hero.json'), 'not valid JSON');
  });

  it('names the file and the field for a schema violation', async () => {
    const t = valid();
    await write('sdxl.hero.json', { ...t, params: { prompt: { type: 'text' } } });
    await expectTemplateError(loadTemplates(dir), 'sdxl.hero.json', 'params.prompt.type');
  });

  it('rejects unknown keys (typos) and a bad kind', async () => {
    const t = valid();
    await write('sdxl.hero.json', {
      ...t,
      kind: 'banner',
      params: { prompt: { type: 'string', defualt: 'x' } },
    });
    const err = await expectTemplateError(loadTemplates(dir), 'kind', 'defualt');
    expect(err.details?.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: join(dir, 'sdxl.hero.json'), field: 'kind' })]),
    );
  });

  it('rejects a placeholder that is not declared', async () => {
    const t = valid();
    t.graph['5'].inputs.cfg = '{{cfg}}';
    await write('sdxl.hero.json', t);
    await expectTemplateError(loadTemplates(dir), 'graph.5.inputs.cfg', '"{{cfg}}" is not declared');
  });

  it('rejects a declared param that the graph does not use', async () => {
    const t = valid();
    await write('sdxl.hero.json', {
      ...t,
      params: { ...t.params, steps: { type: 'int', default: 20, min: 1, max: 50 } },
    });
    await expectTemplateError(loadTemplates(dir), 'params.steps', 'not used');
  });

  it('rejects placeholders inside longer strings (no text templating)', async () => {
    const t = valid();
    t.graph['7'].inputs.filename_prefix = 'showcase/{{prompt}}';
    await write('sdxl.hero.json', t);
    await expectTemplateError(loadTemplates(dir), 'graph.7.inputs.filename_prefix', 'whole string value');
  });

  it('rejects inconsistent param declarations', async () => {
    const t = valid();
    t.graph['5'].inputs.cfg = '{{cfg}}';
    t.graph['5'].inputs.sampler_name = '{{sampler}}';
    await write('sdxl.hero.json', {
      ...t,
      params: {
        ...t.params,
        cfg: { type: 'float', default: 30, min: 1, max: 20 },
        sampler: { type: 'combo', default: 'euler' },
      },
    });
    const err = await expectTemplateError(loadTemplates(dir), 'params.cfg.default', 'params.sampler.options');
    expect(err.message).toContain('[1, 20]');
  });

  it('requires the file name to match the id and the id to start with the family', async () => {
    await write('hero.json', valid());
    await expectTemplateError(loadTemplates(dir), 'hero.json', 'must match the file name');
    await rm(join(dir, 'hero.json'));
    await write('qwen-image.hero.json', { ...valid(), id: 'qwen-image.hero' });
    await expectTemplateError(loadTemplates(dir), 'id', 'must start with the family name');
  });

  it('reports an empty or missing folder', async () => {
    await expectTemplateError(loadTemplates(dir), 'No template files');
    await expectTemplateError(loadTemplates(join(dir, 'missing')), 'Cannot read the template folder');
  });

  it('reports every bad file at once', async () => {
    await write('sdxl.hero.json', '[');
    await write('sdxl.lifestyle.json', {
      ...valid(),
      id: 'sdxl.lifestyle',
      kind: 'lifestyle',
      description: '',
    });
    const err = await expectTemplateError(loadTemplates(dir), 'sdxl.hero.json', 'sdxl.lifestyle.json');
    expect(err.details?.issues).toHaveLength(2);
  });

  it('does not let a "constructor" placeholder pass as declared through the prototype', async () => {
    const t = valid();
    t.graph['3'].inputs.text = '{{constructor}}';
    await write('sdxl.hero.json', t);
    await expectTemplateError(loadTemplates(dir), '"{{constructor}}" is not declared');
  });
});

describe('TemplateLibrary', () => {
  it('rejects duplicate ids', () => {
    const t = parseTemplate({
      id: 'sdxl.hero',
      kind: 'hero',
      family: 'sdxl',
      description: 'x',
      params: { prompt: { type: 'string', default: 'a' } },
      graph: sdxlGraph(),
    });
    expect(() => new TemplateLibrary([t, t])).toThrow(expect.objectContaining({ code: 'template_error' }));
  });

  it('list() hands out copies that cannot change the library', async () => {
    const lib = await loadTemplates(shippedDir);
    const [first] = lib.list();
    if (first === undefined) throw new Error('empty library');
    const cfg = first.params.cfg;
    if (cfg !== undefined) cfg.max = 1000;
    expect(lib.get(first.id).params.cfg?.max).toBe(20);
  });
});
