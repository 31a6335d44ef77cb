// The CLI goes through the contract: `generate --variations 12` is refused with the message the
// contract gives the API for `variations: 12` (the flag named, exit code 2, nothing written), and a
// run started from the CLI is the contract's `showcase.submit` (its limits, its pre-flight).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/main/contract/index.ts';
import { Engine } from '../../../src/main/engine/engine.ts';
import { methods, ShowcaseError } from '../../../src/shared/index.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(BIN, args, { timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

/** What the contract says about `variations: 12` (the schema's own message, whatever it is). */
function contractMessage(): string {
  const parsed = methods['showcase.start'].input.safeParse({ productIds: ['p'], variations: 12 });
  if (parsed.success) throw new Error('the contract accepts 12 variations');
  const [issue] = parsed.error.issues;
  if (!issue) throw new Error('no issue');
  return issue.message;
}

describe('generate through the contract', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'showcase-contract-'));
    await writeFile(join(dir, 'good.csv'), 'id,name\nmug,Harbor Mug\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses --variations 12 with the contract message, the flag named, exit 2, nothing written', async () => {
    const out = join(dir, 'out');
    const dead = 'http://127.0.0.1:9';
    const result = await run([
      'generate',
      join(dir, 'good.csv'),
      '--variations',
      '12',
      '--out',
      out,
      '--comfy',
      dead,
      '--ollama',
      dead,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: --variations: ${contractMessage()}`);
    expect(await readdir(dir)).toEqual(['good.csv']);
  });

  it('is the refusal the API gives for the same field', async () => {
    const engine = await Engine.open({ dbPath: join(dir, 'api', 'studio.db'), outputRoot: join(dir, 'api') });
    try {
      for (const [method, input] of [
        ['showcase.start', { productIds: ['mug'], variations: 12 }],
        ['showcase.submit', { productIds: ['mug'], options: { variations: 12 } }],
      ] as const) {
        const err = await dispatch(engine.handlers, method, input).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ShowcaseError);
        expect((err as ShowcaseError).code).toBe('invalid_input');
        expect((err as ShowcaseError).message).toContain(`variations: ${contractMessage()}`);
      }
    } finally {
      await engine.close();
    }
  });
});

describe('showcase.submit and models.preflight', () => {
  let sims: Sims;
  beforeAll(async () => {
    sims = await startSims();
  });
  afterAll(async () => {
    await sims?.close();
  });

  it('reports the model files of a family on every server, and refuses when none has them', async () => {
    const ok = await dispatch(sims.engine.handlers, 'models.preflight', {});
    expect(ok).toEqual({
      family: 'qwen-image',
      servers: [{ url: sims.comfy.url, online: true, missing: [] }],
    });
    const installed = sims.comfy.models().diffusion_models ?? [];
    sims.comfy.setModels('diffusion_models', []);
    try {
      // A fresh engine: the first one keeps the server's /object_info for a while.
      const engine = await sims.reopen();
      const err = await dispatch(engine.handlers, 'models.preflight', { family: 'qwen-image' }).catch(
        (e: unknown) => e,
      );
      expect((err as ShowcaseError).code).toBe('model_missing');
      expect((err as ShowcaseError).message).toContain('qwen_image_fp8_e4m3fn.safetensors');
    } finally {
      sims.comfy.setModels('diffusion_models', installed);
    }
  });

  it('starts showcases from product objects, and refuses a second run while the first is unfinished', async () => {
    const engine = await sims.reopen();
    const first = (await dispatch(engine.handlers, 'showcase.submit', {
      product: { id: 'lamp', name: 'Aurora Lamp' },
      options: { variations: 1 },
    })) as { galleryIds: string[]; productIds: string[]; restarted: unknown };
    expect(first.productIds).toEqual(['lamp']);
    expect(first.galleryIds).toHaveLength(1);
    expect(first.restarted).toBeNull();
    const refused = await dispatch(engine.handlers, 'showcase.submit', {
      productIds: ['lamp'],
      ifUnfinished: 'refuse',
    }).catch((e: unknown) => e);
    expect((refused as ShowcaseError).code).toBe('conflict');
    expect((refused as ShowcaseError).details?.galleryIds).toEqual(first.galleryIds);
    await engine.whenIdle();
    expect(engine.showcase(first.galleryIds[0] ?? '').gallery.status).toBe('complete');
    expect(
      engine.showcase(first.galleryIds[0] ?? '').assets.filter((a) => a.kind === 'variation'),
    ).toHaveLength(1);
  });
});
