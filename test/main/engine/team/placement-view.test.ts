import { describe, expect, it } from 'vitest';
import {
  familyToClaim,
  type TeamWorker,
  type WorkerBackend,
} from '../../../../src/main/engine/team/index.ts';
import type { TemplateFamily } from '../../../../src/shared/index.ts';

const QWEN = 'qwen_image_fp8_e4m3fn.safetensors';
const SDXL = 'sd_xl_base_1.0.safetensors';
const familyModel = new Map<TemplateFamily, string>([
  ['qwen-image', QWEN],
  ['sdxl', SDXL],
]);
const defaults = new Map([
  [QWEN, { runMs: 44_000, loadMs: 20_000, vramBytes: 21.2e9 }],
  [SDXL, { runMs: 11_500, loadMs: 8_000, vramBytes: 8e9 }],
]);

function worker(id: string, backend: Partial<WorkerBackend>, extra: Partial<TeamWorker> = {}): TeamWorker {
  return {
    id,
    name: id,
    backends: [
      {
        url: 'http://gpu',
        gpu: 'GPU',
        vramBytes: 24e9,
        models: [QWEN, SDXL],
        families: ['qwen-image', 'sdxl'],
        msPerImage: {},
        loadedModel: null,
        ...backend,
      },
    ],
    jobsDone: 0,
    inFlight: [],
    startedAt: new Date(0),
    heartbeatAt: new Date(0),
    silentSeconds: 0,
    lost: false,
    ...extra,
  };
}

const counts = (qwen: [number, number], sdxl: [number, number]) =>
  new Map<TemplateFamily, { queued: number; ready: number }>([
    ['qwen-image', { queued: qwen[0], ready: qwen[1] }],
    ['sdxl', { queued: sdxl[0], ready: sdxl[1] }],
  ]);

describe('team placement', () => {
  it('never sends a GPU a family whose model it lacks or cannot hold', () => {
    const small = worker('w16', { vramBytes: 16e9 });
    const sdxlOnly = worker('wsd', { models: [SDXL] });
    const base = { familyModel, defaults, now: 0 };
    const workers = [small, sdxlOnly];
    expect(
      familyToClaim({ ...base, self: 'w16|http://gpu', workers, counts: counts([10, 10], [0, 0]) }),
    ).toBeNull();
    expect(
      familyToClaim({ ...base, self: 'wsd|http://gpu', workers, counts: counts([10, 10], [0, 0]) }),
    ).toBeNull();
    expect(
      familyToClaim({ ...base, self: 'wsd|http://gpu', workers, counts: counts([10, 10], [5, 5]) }),
    ).toBe('sdxl');
  });

  it('lets a slow GPU stand aside for the last job when a fast one finishes it sooner', () => {
    const fast = worker(
      'fast',
      { loadedModel: QWEN, msPerImage: { [QWEN]: 44_000 } },
      {
        inFlight: [
          {
            jobId: 'j1',
            galleryId: 'g',
            productId: 'p',
            kind: 'hero',
            backend: 'http://gpu',
            value: 0,
            max: 0,
          },
        ],
      },
    );
    const slow = worker('slow', { loadedModel: QWEN, msPerImage: { [QWEN]: 125_000 } });
    const base = { familyModel, defaults, now: 0, workers: [fast, slow], self: 'slow|http://gpu' };
    expect(familyToClaim({ ...base, counts: counts([1, 1], [0, 0]) })).toBeNull();
    expect(familyToClaim({ ...base, counts: counts([60, 10], [0, 0]) })).toBe('qwen-image');
  });

  it('leaves lost workers out, and a lost GPU takes nothing', () => {
    const lost = worker('gone', {}, { lost: true });
    const base = { familyModel, defaults, now: 0, counts: counts([5, 5], [5, 5]) };
    expect(familyToClaim({ ...base, workers: [lost], self: 'gone|http://gpu' })).toBeNull();
    expect(
      familyToClaim({ ...base, workers: [lost, worker('live', {})], self: 'live|http://gpu' }),
    ).not.toBeNull();
  });
});
