// Fault specs (`showcase sim … --fault SPEC`): every kind in --help parses and arms a running
// simulator; a bad spec names itself, the argument and the expected form. The CLI test
// (test/main/cli/sim-faults.test.ts) sees a few of them over real sockets from a spawned process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyFault,
  comfyFaultKinds,
  FaultSpecError,
  faultHelp,
  ollamaFaultKinds,
  parseComfyFault,
  parseOllamaFault,
} from '../../src/sim/fault-specs.ts';
import { type ComfySim, type OllamaSim, startComfySim, startOllamaSim } from '../../src/sim/index.ts';

let comfy: ComfySim;
let ollama: OllamaSim;
beforeAll(async () => {
  [comfy, ollama] = await Promise.all([
    startComfySim({ timeScale: 0.0005 }),
    startOllamaSim({ timeScale: 0.0005 }),
  ]);
});
afterAll(async () => {
  await Promise.all([comfy.close(), ollama.close()]);
});

const comfyExamples = [
  'oom',
  'oom:3',
  'ws-drop',
  'ws-drop:4:reset',
  'ws-refuse:100',
  'http-error:/history',
  'http-error:/api/view:reset:always',
  'hang',
  'slow-steps:50:2',
  'node-error:VAEDecode:FileNotFoundError',
  'broken-model:sd_xl_base_1.0.safetensors',
  'history-delay:20',
  'events-before-reply',
  'events-before-reply:10:2',
  'missing-model:sd_xl_base_1.0.safetensors',
];
const ollamaExamples = [
  'invalid-json',
  'truncated-json:2',
  'schema-mismatch:always',
  'http-error',
  'http-error:503:2',
  'reset',
  'reset-before-headers:1',
  'mid-stream-error',
  'garbage-line',
  'slow-stream:200',
  'hang:always',
  'slow-load:500',
  'missing-model:llama3.2',
];

describe('fault specs', () => {
  it('every ComfyUI kind has an example that parses and arms the simulator', () => {
    const kinds = new Set(comfyExamples.map((e) => e.split(':')[0]));
    expect([...kinds].sort()).toEqual(Object.keys(comfyFaultKinds).sort());
    for (const spec of comfyExamples) {
      const description = applyFault(comfy, parseComfyFault(spec));
      expect(description.length, spec).toBeGreaterThan(5);
    }
    expect(comfy.models().checkpoints).toEqual([]);
    comfy.faults.clear();
  });

  it('every Ollama kind has an example that parses and arms the simulator', () => {
    const kinds = new Set(ollamaExamples.map((e) => e.split(':')[0]));
    expect([...kinds].sort()).toEqual(Object.keys(ollamaFaultKinds).sort());
    for (const spec of ollamaExamples)
      expect(applyFault(ollama, parseOllamaFault(spec)).length).toBeGreaterThan(5);
    expect(ollama.installedModels()).not.toContain('llama3.2:latest');
    ollama.faults.clear();
  });

  it('reads the arguments it documents', () => {
    expect(parseComfyFault('http-error:/api/history:503:4').args).toEqual({
      route: '/history',
      status: 503,
      count: 4,
    });
    expect(parseComfyFault('http-error:/view:reset').args).toEqual({
      route: '/view',
      status: 'reset',
      count: 1,
    });
    expect(parseComfyFault('oom').args).toEqual({ n: 1 });
    expect(parseOllamaFault('invalid-json:always').args.n).toBeGreaterThan(1_000_000);
  });

  it('refuses bad specs with the spec, the argument and the expected form', () => {
    const cases: [string, RegExp][] = [
      ['boom', /unknown fault "boom" \(one of: oom, /],
      ['oom:0', /argument 1 \("0"\) of oom: expected a whole number ≥ 1 — written oom\[:N\]/],
      ['ws-refuse', /ws-refuse takes 1 argument\(s\), written ws-refuse:MS/],
      ['http-error:history', /a route starts with "\/"/],
      ['http-error:/x:200', /expected an HTTP status from 400 to 599 or "reset"/],
      ['slow-steps:-5', /expected milliseconds/],
      ['hang:2', /hang takes 0 argument\(s\)/],
    ];
    for (const [spec, message] of cases) {
      expect(() => parseComfyFault(spec), spec).toThrow(FaultSpecError);
      expect(() => parseComfyFault(spec), spec).toThrow(message);
    }
    expect(() => parseOllamaFault('http-error:600')).toThrow(/expected an HTTP status from 400 to 599/);
    expect(() => applyFault(ollama, parseOllamaFault('missing-model:nope'))).toThrow(
      /no such model is installed/,
    );
  });

  it('lists every kind with its syntax for --help', () => {
    const help = faultHelp(comfyFaultKinds);
    for (const kind of Object.values(comfyFaultKinds)) expect(help).toContain(kind.syntax);
  });
});
