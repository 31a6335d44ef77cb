import { beforeAll, describe, expect, it } from 'vitest';
import {
  type InstantiatedGraph,
  instantiate,
  loadTemplates,
  paramValueFromText,
  type TemplateLibrary,
} from '../../../../src/main/engine/templates/index.ts';
import { type ParamValue, ShowcaseError } from '../../../../src/shared/index.ts';
import { makeTemplate, sdxlGraph, shippedDir } from './helpers.ts';

let lib: TemplateLibrary;
beforeAll(async () => {
  lib = await loadTemplates(shippedDir);
});

function thrown(fn: () => unknown): ShowcaseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShowcaseError);
    return err as ShowcaseError;
  }
  throw new Error('expected a ShowcaseError');
}

/** Image params have no default: a job always names the uploaded file. */
function required(id: string): Record<string, ParamValue> {
  return 'image' in lib.get(id).params ? { image: 'showcase/hero_00001_.png [output]' } : {};
}

/** The graph without the two prompt texts (nodes 5 and 6 of qwen-image.hero). */
function withoutPromptTexts(g: InstantiatedGraph): unknown {
  const copy = structuredClone(g.graph);
  delete copy['5']?.inputs.text;
  delete copy['6']?.inputs.text;
  return copy;
}

describe('instantiate with defaults', () => {
  it('works for every shipped template and leaves no placeholder behind', () => {
    for (const t of lib.all()) {
      const out = instantiate(t, required(t.id));
      const text = JSON.stringify(out.graph);
      expect(text, t.id).not.toMatch(/\{\{/);
      expect(Object.keys(out.params).sort(), t.id).toEqual(Object.keys(t.params).sort());
      expect(out.outputNodeIds.length, t.id).toBeGreaterThan(0);
      for (const id of out.outputNodeIds) expect(out.graph[id]?.class_type, t.id).toBe('SaveImage');
      expect(JSON.parse(text)).toEqual(out.graph);
    }
  });

  it('puts typed values in place: numbers as numbers, combos and strings as strings', () => {
    const out = instantiate(lib.get('qwen-image.hero'), {});
    expect(out.graph['8']?.inputs).toMatchObject({
      seed: 424242,
      steps: 20,
      cfg: 2.5,
      sampler_name: 'euler',
      scheduler: 'simple',
      denoise: 1,
    });
    expect(out.graph['7']?.inputs).toEqual({ width: 1328, height: 1328, batch_size: 1 });
    expect(out.graph['4']?.inputs.shift).toBe(3.1);
    expect(out.graph['1']?.inputs.unet_name).toBe('qwen_image_fp8_e4m3fn.safetensors');
  });

  it('uses given values over defaults and reports the resolved params', () => {
    const out = instantiate(lib.get('qwen-image.variation'), {
      image: 'products/mug.png',
      denoise: 0.3,
      seed: Number.MAX_SAFE_INTEGER,
      filename_prefix: 'showcase/mug/variation_2',
    });
    expect(out.graph['10']?.inputs).toMatchObject({ denoise: 0.3, seed: Number.MAX_SAFE_INTEGER });
    expect(out.graph['7']?.inputs.image).toBe('products/mug.png');
    expect(out.params).toMatchObject({ denoise: 0.3, cfg: 2.5, image: 'products/mug.png' });
    expect(out.graph['12']?.inputs.filename_prefix).toBe('showcase/mug/variation_2');
  });

  it('never mutates the template', () => {
    const t = lib.get('sdxl.hero');
    const before = JSON.stringify(t);
    const out = instantiate(t, { prompt: 'changed', seed: 7 });
    const sampler = out.graph['5'];
    if (sampler === undefined) throw new Error('no sampler');
    sampler.inputs.cfg = 99;
    (sampler.inputs.model as unknown[])[0] = 'x';
    expect(JSON.stringify(t)).toBe(before);
    expect(instantiate(t, {}).graph['5']?.inputs.model).toEqual(['1', 0]);
  });
});

describe('substitution is structural', () => {
  const hostile = [
    'Acme "Super" Mug", "seed": 1, "x": "',
    '{{seed}}',
    '{{negative}} and {{ prompt }}',
    '}}{{',
    'line one\nline two\r\n\t"tab" \\ backslash \\" \u0000 nul \u2028 sep',
    '</script><img src=x onerror=alert(1)> 🚀 ñ 漢字',
    '["1", 0]',
  ];

  for (const value of hostile) {
    it(`keeps ${JSON.stringify(value).slice(0, 40)} as one byte-exact string and changes nothing else`, () => {
      const t = lib.get('qwen-image.hero');
      const baseline = instantiate(t, { prompt: 'plain' });
      const out = instantiate(t, { prompt: value, negative: value });
      expect(out.graph['5']?.inputs.text).toBe(value);
      expect(out.graph['6']?.inputs.text).toBe(value);
      expect(withoutPromptTexts(out)).toEqual(withoutPromptTexts(baseline));
      expect(Object.keys(out.graph)).toEqual(Object.keys(baseline.graph));
      // The graph survives the trip to ComfyUI (JSON) unchanged.
      expect(JSON.parse(JSON.stringify(out.graph))).toEqual(out.graph);
      expect(out.params.prompt).toBe(value);
    });
  }

  it('does not substitute inside a value that merely looks like a placeholder after substitution', () => {
    const out = instantiate(lib.get('sdxl.hero'), { prompt: '{{filename_prefix}}', filename_prefix: 'p/x' });
    expect(out.graph['2']?.inputs.text).toBe('{{filename_prefix}}');
    expect(out.graph['7']?.inputs.filename_prefix).toBe('p/x');
  });

  it('refuses a "__proto__" key in a template instead of dropping it silently', () => {
    const graph = sdxlGraph();
    graph['3'].inputs.text = JSON.parse('{"__proto__": {"polluted": true}, "v": "x"}');
    expect(() => makeTemplate(graph)).toThrow(/graph\.3\.inputs\.text\.__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('value validation', () => {
  const hero = () => lib.get('qwen-image.hero');

  it('rejects an out-of-range number naming the param and the allowed range', () => {
    const err = thrown(() => instantiate(hero(), { cfg: 250 }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('"cfg"');
    expect(err.message).toContain('[1, 20]');
    expect(err.details).toMatchObject({ field: 'cfg', min: 1, max: 20 });
    expect(thrown(() => instantiate(hero(), { steps: 0 })).message).toContain('[1, 150]');
  });

  it('rejects wrong types without coercion', () => {
    for (const [name, value] of [
      ['steps', '20'],
      ['steps', 20.5],
      ['cfg', Number.NaN],
      ['prompt', 5],
      ['width', true],
    ] as const) {
      const err = thrown(() => instantiate(hero(), { [name]: value }));
      expect(err.code, `${name}=${String(value)}`).toBe('invalid_input');
      expect(err.message).toContain(`"${name}"`);
    }
  });

  it('rejects a combo value that is not an option, listing the options', () => {
    const err = thrown(() => instantiate(hero(), { sampler: 'euler_max' }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('"sampler"');
    expect(err.message).toContain('dpmpp_2m');
  });

  it('holds seeds to [0, Number.MAX_SAFE_INTEGER]', () => {
    expect(instantiate(hero(), { seed: 0 }).params.seed).toBe(0);
    for (const seed of [-1, Number.MAX_SAFE_INTEGER + 1, 2 ** 64, 1.5]) {
      const err = thrown(() => instantiate(hero(), { seed }));
      expect(err.code).toBe('invalid_input');
      expect(err.message).toContain(`[0, ${Number.MAX_SAFE_INTEGER}]`);
    }
  });

  it('treats an unknown param as a template error, unless told to ignore it', () => {
    const err = thrown(() => instantiate(lib.get('qwen-image.thumbnail'), { image: 'a.png', cfg: 3 }));
    expect(err.code).toBe('template_error');
    expect(err.message).toContain('"cfg"');
    const out = instantiate(
      lib.get('qwen-image.thumbnail'),
      { image: 'a.png', cfg: 3 },
      { unknownParams: 'ignore' },
    );
    expect(out.params).not.toHaveProperty('cfg');
  });

  it('treats a missing value without default as a template error naming the param', () => {
    const err = thrown(() => instantiate(lib.get('sdxl.variation'), {}));
    expect(err.code).toBe('template_error');
    expect(err.message).toContain('"image"');
    expect(thrown(() => instantiate(lib.get('sdxl.variation'), { image: '  ' })).code).toBe('invalid_input');
  });

  it('treats undefined as "not given" so the default applies', () => {
    expect(instantiate(hero(), { cfg: undefined }).params.cfg).toBe(2.5);
  });

  it('converts CLI text to typed values for the check to judge', () => {
    const spec = hero().params;
    const from = (name: string, text: string) => {
      const s = spec[name];
      if (s === undefined) throw new Error(name);
      return paramValueFromText(s, text);
    };
    expect(from('steps', '30')).toBe(30);
    expect(from('cfg', '4.5')).toBe(4.5);
    expect(from('prompt', '42')).toBe('42');
    expect(from('steps', 'thirty')).toBe('thirty');
    expect(thrown(() => instantiate(hero(), { steps: from('steps', 'thirty') })).code).toBe('invalid_input');
  });
});
