// The issue's acceptance run, as an operator types it: `showcase demo`, then `showcase export --all
// --channel amazon` on its output with no ComfyUI server running. The export prints a pass rate per
// channel and writes the variants and the compliance report; the Amazon main images that pass are
// checked here on their pixels: pure white edges, the product spanning ≥ 85 % of the frame.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ComplianceReportSchema } from '../../../src/shared/index.ts';

/** Real renders, sharp work and subprocesses: generous on a shared, loaded machine. */
const SLOW = 180_000;

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-export-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  return promisify(execFile)(BIN, args, { timeout: 240_000, cwd: dir }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

it(
  'exports the demo output for Amazon with a pass rate, variants and compliance.json',
  async () => {
    const out = join(dir, 'out');
    const demo = await run(['demo', '--products', '2', '--out', out]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/White-background main images: 2 rendered/);

    const exported = await run(['export', '--all', '--channel', 'amazon', '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^amazon: 2\/2 products pass/m);

    // One report per gallery, in the gallery's own folder.
    const reports = (await readdir(out, { recursive: true }))
      .map(String)
      .filter((f) => f.endsWith('_compliance.json'));
    expect(reports).toHaveLength(2);
    for (const name of reports) {
      expect(name).toMatch(/^galleries\/[^/]+\/[^/]+\/channels\/product_[^/]+_compliance\.json$/);
      const report = ComplianceReportSchema.parse(JSON.parse(await readFile(join(out, name), 'utf8')));
      expect(report.whiteBackground?.status).toBe('cached');
      const amazon = report.channels.find((c) => c.channel === 'amazon');
      const main = amazon?.images.find((i) => i.role === 'main');
      expect(main?.passed).toBe(true);
      const { data, info } = await sharp(join(out, main?.filename ?? ''))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const { width, height, channels } = info;
      let minX = width;
      let maxX = -1;
      let minY = height;
      let maxY = -1;
      // The border: the outer 1 % of the shorter side (at least 2 px), all at RGB ≥ 250.
      const ring = Math.max(2, Math.round(Math.min(width, height) * 0.01));
      let edgeOff = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * channels;
          const white =
            (data[i] as number) >= 250 && (data[i + 1] as number) >= 250 && (data[i + 2] as number) >= 250;
          if (!white) {
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
            if (x < ring || y < ring || x >= width - ring || y >= height - ring) edgeOff++;
          }
        }
      }
      expect(edgeOff).toBe(0);
      expect(Math.max((maxX - minX + 1) / width, (maxY - minY + 1) / height)).toBeGreaterThanOrEqual(0.85);
    }
  },
  SLOW,
);
