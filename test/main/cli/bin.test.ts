// bin/showcase is a shell script, so it cannot import ENGINE_NODE_FLAGS: it must spell the same flags.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { ENGINE_NODE_FLAGS } from '../../../src/main/engine/node-flags.ts';

it('starts Node with the engine flags the desktop app and the benchmark use', async () => {
  const script = await readFile(resolve(import.meta.dirname, '../../../bin/showcase'), 'utf8');
  const exec = script.split('\n').find((line) => line.startsWith('exec '));
  expect(exec).toBeDefined();
  for (const flag of ENGINE_NODE_FLAGS) expect(exec).toContain(` ${flag} `);
});
