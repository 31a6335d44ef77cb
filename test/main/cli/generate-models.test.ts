// `generate` checks the family's model files on the server first: one message naming every missing
// file and its folder, exit code 1, and not a single prompt sent.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Sims, startSims } from '../../fixtures/sims.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
const SHEET = resolve(import.meta.dirname, '../../../resources/samples/products.csv');

let sims: Sims;
beforeAll(async () => {
  sims = await startSims({ openEngine: false });
});
afterAll(async () => {
  await sims?.close();
});

it('refuses to start when the Qwen-Image files are missing, naming each file and folder once', async () => {
  sims.comfy.setModels('diffusion_models', []);
  const args = [
    'generate',
    SHEET,
    '--out',
    join(sims.dir, 'out'),
    '--comfy',
    sims.comfy.url,
    '--ollama',
    sims.ollama.url,
  ];
  const result = await promisify(execFile)(BIN, args, { timeout: 60_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  );
  expect(result.code).toBe(1);
  const errorLines = result.stderr.split('\n').filter((l) => l.startsWith('error:'));
  expect(errorLines).toHaveLength(1);
  expect(result.stderr).toContain('qwen_image_fp8_e4m3fn.safetensors');
  expect(result.stderr).toContain('ComfyUI/models/diffusion_models/');
  expect(result.stderr).toContain('hint:');
  expect(sims.comfy.stats.promptsAccepted).toBe(0);
});
