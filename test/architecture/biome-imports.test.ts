// The lint half of the boundaries: biome.json's per-folder `noRestrictedImports` overrides reject a
// wrong import in the editor and in `npm run lint`, before any test runs. Shown on copies of the
// config in a scratch tree (Biome matches its `includes` relative to the config's folder).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const root = resolve(import.meta.dirname, '../..');
const biome = join(root, 'node_modules/.bin/biome');

const ReportSchema = z.object({
  diagnostics: z.array(
    z.object({ category: z.string(), location: z.object({ path: z.string() }).partial() }).partial(),
  ),
});

const probes: Record<string, string> = {
  'src/main/engine/queue/electron.ts': "import { app } from 'electron';\n\nexport const a = app;\n",
  'src/main/engine/jobs/cli.ts': "import { run } from '../../cli/index.ts';\n\nexport const a = run;\n",
  'src/main/engine/jobs/sim.ts':
    "import { startSims } from '../../../sim/index.ts';\n\nexport const a = startSims;\n",
  'src/renderer/state/engine.ts':
    "import { Engine } from '../../main/engine/engine.ts';\n\nexport const a = Engine;\n",
  'src/renderer/state/fs.ts': "import { readFile } from 'node:fs/promises';\n\nexport const a = readFile;\n",
  'src/shared/crypto.ts': "import { createHash } from 'node:crypto';\n\nexport const a = createHash;\n",
  'src/sim/comfyui/client.ts':
    "import { ComfyClient } from '../../main/engine/comfy/index.ts';\n\nexport const a = ComfyClient;\n",
  // Allowed: the engine's own capabilities, zod in shared, the bridge in the renderer.
  'src/main/engine/jobs/fine.ts': "import { Store } from '../store/index.ts';\n\nexport const a = Store;\n",
  'src/shared/fine.ts': "import { z } from 'zod';\n\nexport const a = z;\n",
  'src/renderer/state/fine.ts': "import { bridge } from '../bridge/index.ts';\n\nexport const a = bridge;\n",
};

let dir = '';
let flagged: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-biome-'));
  await copyFile(join(root, 'biome.json'), join(dir, 'biome.json'));
  for (const [file, text] of Object.entries(probes)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  // Exit code 1 is the expected outcome (errors found); the report is on stdout either way.
  const stdout = await promisify(execFile)(biome, ['lint', '--vcs-enabled=false', '--reporter=json', '.'], {
    cwd: dir,
  }).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => err.stdout ?? '',
  );
  const report = ReportSchema.parse(JSON.parse(stdout));
  flagged = report.diagnostics
    .filter((d) => d.category === 'lint/style/noRestrictedImports')
    .map((d) => d.location?.path ?? '')
    .sort();
}, 30_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('biome import restrictions', () => {
  it('reject each deliberately wrong import and pass the allowed ones', () => {
    expect(flagged).toEqual(
      Object.keys(probes)
        .filter((file) => !file.endsWith('/fine.ts'))
        .sort(),
    );
  });
});
