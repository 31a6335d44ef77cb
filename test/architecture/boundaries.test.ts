// The architecture rules (rules.ts) hold for every file under src/, and the checker really rejects a
// wrong import: each rule is shown a deliberately bad file, and a whole tree with one bad import on
// disk is walked the way the real tree is.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSource, checkTree, describeViolation, importsOf } from './imports.ts';
import { capabilityRoots, compositionFolders, importRules } from './rules.ts';

const root = resolve(import.meta.dirname, '../..');

describe('the source tree', () => {
  it('keeps every import rule', async () => {
    const { files, violations } = await checkTree(root, importRules, capabilityRoots, compositionFolders);
    expect(files).toBeGreaterThan(200);
    expect(violations.map(describeViolation)).toEqual([]);
  });
});

describe('the import reader', () => {
  it('finds static, type-only, re-exported, dynamic and type-query imports with their lines', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export * from './c.ts';",
      "export { d } from 'electron';",
      'type E = import("node:fs").Stats;',
      'export async function f() {',
      "  return import('./dynamic.ts');",
      '}',
      'const g = <div />;',
    ].join('\n');
    expect(importsOf('src/renderer/x/y.tsx', text)).toEqual([
      { specifier: './a.ts', target: 'src/renderer/x/a.ts', line: 1 },
      { specifier: '../b.ts', target: 'src/renderer/b.ts', line: 2 },
      { specifier: './c.ts', target: 'src/renderer/x/c.ts', line: 3 },
      { specifier: 'electron', target: 'electron', line: 4 },
      { specifier: 'node:fs', target: 'node:fs', line: 5 },
      { specifier: './dynamic.ts', target: 'src/renderer/x/dynamic.ts', line: 7 },
    ]);
  });

  it('names a bare built-in as node:', () => {
    expect(importsOf('src/main/cli/x.ts', "import fs from 'fs';")[0]?.target).toBe('node:fs');
  });
});

/** One deliberately wrong import per rule: [file, import line, rule name]. */
const wrongImports: [string, string, string][] = [
  ['src/main/engine/jobs/new.ts', "import { x } from '../../electron/main.ts';", 'engine stays adapter-free'],
  ['src/main/engine/jobs/new.ts', "import { x } from '../../server/server.ts';", 'engine stays adapter-free'],
  [
    'src/main/engine/jobs/new.ts',
    "import type { X } from '../../../sim/index.ts';",
    'engine stays adapter-free',
  ],
  ['src/main/engine/engine.ts', "import { app } from 'electron';", 'engine stays adapter-free'],
  [
    'src/main/engine/comfy/x.ts',
    "import { r } from '../../../renderer/main.tsx';",
    'engine stays adapter-free',
  ],
  [
    'src/renderer/views/x/X.tsx',
    "import { E } from '../../../main/engine/engine.ts';",
    'renderer is web code',
  ],
  ['src/renderer/state/x.ts', "import { readFile } from 'node:fs/promises';", 'renderer is web code'],
  ['src/renderer/state/x.ts', "import { ipcRenderer } from 'electron';", 'renderer is web code'],
  ['src/shared/x.ts', "import { createHash } from 'node:crypto';", 'shared holds the contract only'],
  ['src/shared/x.ts', "import { Engine } from '../main/engine/engine.ts';", 'shared holds the contract only'],
  [
    'src/sim/comfyui/x.ts',
    "import { ComfyClient } from '../../main/engine/comfy/index.ts';",
    'simulators are stand-alone servers',
  ],
  [
    'src/preload/index.ts',
    "import type { Bridge } from '../renderer/bridge/types.ts';",
    'preload is a sandboxed script',
  ],
  [
    'src/main/contract/x.ts',
    "import { startApiServer } from '../server/index.ts';",
    'contract glue stays adapter-free',
  ],
  ['src/main/cli/x.ts', "import { app } from 'electron';", 'adapters do not reach into each other'],
  ['src/main/bench/x.ts', "import { app } from 'electron';", 'electron only in the desktop adapter'],
  ['src/main/cli/x.ts', "import { useState } from 'react';", 'react only in the renderer'],
  [
    'src/main/engine/sheets/x.ts',
    "import { sanitizeId } from '../showcase/naming.ts';",
    'capabilities meet through index.ts',
  ],
];

describe('a deliberately wrong import', () => {
  it.each(wrongImports)('in %s (%s) breaks "%s"', (file, line, rule) => {
    const violations = checkSource(file, `${line}\nexport const unused = 1;\n`, importRules, capabilityRoots);
    expect(violations.map((v) => v.rule)).toContain(rule);
    expect(violations[0]).toMatchObject({ file, line: 1 });
  });

  it('is allowed where the rules allow it', () => {
    const allowed: [string, string][] = [
      ['src/main/engine/sheets/x.ts', "import { sanitizeId } from '../showcase/index.ts';"],
      ['src/main/engine/engine.ts', "import { BackendPool } from './pipeline/backends.ts';"],
      ['src/main/engine/services/runs.ts', "import { BackendPool } from '../pipeline/backends.ts';"],
      ['src/main/electron/main.ts', "import { app } from 'electron';"],
      ['src/preload/index.ts', "import { EVENT_CHANNEL } from '../shared/ipc.ts';"],
      ['src/shared/x.ts', "import { z } from 'zod';"],
      ['src/renderer/x.tsx', "import { useState } from 'react';"],
    ];
    for (const [file, line] of allowed)
      expect(checkSource(file, line, importRules, capabilityRoots, compositionFolders)).toEqual([]);
  });

  describe('in a tree on disk', () => {
    let dir = '';
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('is found by the same walk that checks src/', async () => {
      dir = await mkdtemp(join(tmpdir(), 'showcase-arch-'));
      const files: Record<string, string> = {
        'src/main/engine/queue/fine.ts': "import { z } from 'zod';\nexport const a = z.string();\n",
        'src/main/engine/queue/wrong.ts':
          "import { z } from 'zod';\n\nimport { startCli } from '../../cli/index.ts';\nexport const b = [z, startCli];\n",
        'src/main/cli/index.ts': 'export function startCli() {}\n',
      };
      for (const [file, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, file)), { recursive: true });
        await writeFile(join(dir, file), text);
      }
      const { files: count, violations } = await checkTree(dir, importRules, capabilityRoots);
      expect(count).toBe(3);
      expect(violations.map(describeViolation)).toEqual([
        "src/main/engine/queue/wrong.ts:3 imports '../../cli/index.ts' — engine stays adapter-free " +
          `(${importRules[0]?.why})`,
      ]);
    });
  });
});
