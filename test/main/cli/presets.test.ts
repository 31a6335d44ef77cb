// `showcase presets …` as an operator types it, against a real SQLite file: create with a render
// parameter, edit, history with who/when/what, a side-by-side diff, rollback, duplicate and delete,
// and a bad input refused by field name with exit status 1.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../../src/main/engine/store/index.ts';
import { EditVersionSchema, PromptPresetSchema } from '../../../src/shared/index.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-presets-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  return promisify(execFile)(BIN, [...args, '--out', dir], {
    timeout: 60_000,
    env: { ...process.env, SHOWCASE_OPERATOR: 'station-4 (Rui)' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

it('creates, edits, diffs, rolls back, duplicates and deletes presets, keeping every version', async () => {
  const created = await run([
    'presets',
    'create',
    '--name',
    'Harbour Blue',
    '--prefix',
    'misty harbour at dawn',
    '--param',
    'cfg=3.5',
    '--json',
  ]);
  expect(created.code, created.stderr).toBe(0);
  const preset = PromptPresetSchema.parse(JSON.parse(created.stdout));
  expect(preset).toMatchObject({ id: 'harbour-blue', params: { cfg: 3.5 } });

  const edited = await run([
    'presets',
    'edit',
    'Harbour Blue',
    '--prefix',
    'stormy harbour at noon',
    '--author',
    'Ana',
  ]);
  expect(edited.code, edited.stderr).toBe(0);
  expect(edited.stdout).toMatch(/stormy harbour at noon/);

  const diff = await run(['presets', 'diff', 'harbour-blue', '1', '2']);
  expect(diff.code, diff.stderr).toBe(0);
  expect(diff.stdout).toMatch(/^prefix\s+misty harbour at dawn\s+stormy harbour at noon\s*$/m);
  expect(diff.stdout).toMatch(/v1 \(station-4 \(Rui\), .*\)\s+v2 \(Ana, /);
  expect(diff.stdout).not.toMatch(/^name/m);

  const rolled = await run(['presets', 'rollback', 'harbour-blue', '1']);
  expect(rolled.code, rolled.stderr).toBe(0);
  const dup = await run(['presets', 'duplicate', 'harbour-blue', '--name', 'Harbour Grey']);
  expect(dup.code, dup.stderr).toBe(0);
  const del = await run(['presets', 'delete', 'harbour-grey']);
  expect(del.code, del.stderr).toBe(0);

  const versions = await run(['presets', 'versions', 'harbour-blue', '--json']);
  const list = EditVersionSchema.array().parse(JSON.parse(versions.stdout));
  expect(list.map((v) => [v.version, v.action, v.author, v.changed.join(',')])).toEqual([
    [1, 'create', 'station-4 (Rui)', 'id,lighting,name,negative,params,prefix,style'],
    [2, 'update', 'Ana', 'prefix'],
    [3, 'rollback', 'station-4 (Rui)', 'prefix'],
  ]);

  const listed = await run(['presets', 'list', '--json']);
  const ids = PromptPresetSchema.array()
    .parse(JSON.parse(listed.stdout))
    .map((p) => p.id);
  expect(ids).toContain('harbour-blue');
  expect(ids).not.toContain('harbour-grey');

  const bad = await run(['presets', 'edit', 'harbour-blue', '--name', '']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/presets\.update\.name: a preset needs a name/);

  // The history is in the SQLite file itself.
  const store = openStore(join(dir, 'studio.db'));
  try {
    expect(store.presets.get('harbour-blue')?.prefix).toBe('misty harbour at dawn');
    expect(store.edits.list('preset', 'harbour-grey').map((v) => v.action)).toEqual(['duplicate', 'delete']);
  } finally {
    store.close();
  }
}, 120_000);
