// `generate --family edit` from the shipped restyle sample: reference paths in the sheet are relative
// to the sheet's folder (not the working directory), and the model check covers the edit model too.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Sims, startSims } from '../../fixtures/sims.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
const SHEET = resolve(import.meta.dirname, '../../../resources/samples/restyle/products_restyle.csv');

let sims: Sims;
beforeEach(async () => {
  sims = await startSims({ openEngine: false });
});
afterEach(async () => {
  await sims?.close();
});

async function generate(out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['generate', SHEET, '--family', 'edit', '--out', out, '--comfy', sims.comfy.url];
  // Run from another folder: `photos/…` must resolve against the sheet, not the working directory.
  return promisify(execFile)(BIN, [...args, '--ollama', sims.ollama.url], {
    timeout: 90_000,
    cwd: sims.dir,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

it('restyles the sample photos next to the sheet into complete galleries', async () => {
  const out = join(sims.dir, 'out');
  const result = await generate(out);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('2 complete, 0 partial, 0 failed');
  // Each gallery in its own folder (showcase/files.ts).
  const pngs = (await readdir(out, { recursive: true })).map(String).filter((f) => f.endsWith('.png'));
  for (const f of pngs) expect(f).toMatch(/^galleries\/[^/]+\/[^/]+\/product_[^/]+\.png$/);
  expect(pngs).toHaveLength(14);
  const uploads = await readdir(join(sims.comfy.dirs.input, 'showcase'));
  expect(uploads.filter((f) => f.startsWith('reference_')).sort()).toEqual([
    expect.stringMatching(/^reference_ember-pour-over_[0-9a-f]{12}\.png$/),
    expect.stringMatching(/^reference_field-day-tote_[0-9a-f]{12}\.png$/),
  ]);
});

it('names the missing Qwen-Image-Edit file before any prompt is sent', async () => {
  sims.comfy.setModels('diffusion_models', ['qwen_image_fp8_e4m3fn.safetensors']);
  const result = await generate(join(sims.dir, 'out'));
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('qwen_image_edit_2509_fp8_e4m3fn.safetensors');
  expect(result.stderr).toContain('ComfyUI/models/diffusion_models/');
  expect(sims.comfy.stats.promptsAccepted).toBe(0);
});
