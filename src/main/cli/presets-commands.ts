// `showcase presets list|show|create|edit|duplicate|delete|versions|diff|rollback`: brand presets
// with their history, through the same contract methods (and zod checks) as the UI and the HTTP API.
import { type Command, Option } from 'commander';
import { parseParam } from './params.ts';

const int = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a version number (1, 2 …), got "${value}"`);
  return n;
};

const common = (cmd: Command) =>
  cmd
    .option('--out <dir>', 'output folder', 'showcase-output')
    .option('--db <file>', 'SQLite file (default: <out>/studio.db)')
    .option('--json', 'machine-readable output');

const fields = (cmd: Command) =>
  cmd
    .option('--prefix <text>', 'words put before every image prompt')
    .option('--negative <text>', 'what every image should avoid')
    .option('--style <text>', 'the style, in words (for the operator)')
    .option('--lighting <text>', 'the lighting, in words (for the operator)')
    .option('--param <name=value>', 'a render parameter (repeatable): cfg=3.5, steps=28 …', parseParam)
    .option('--author <name>', 'who makes the change (default: SHOWCASE_OPERATOR or user@host)');

const cmds = () => import('./commands/presets.ts');

export function registerPresetCommands(program: Command): void {
  const presets = program
    .command('presets')
    .description('brand presets (prompt prefix, negative, parameters) with history');
  common(presets.command('list').description('list the presets')).action(async (o) =>
    (await cmds()).listPresets(o),
  );
  common(presets.command('show').description('show one preset').argument('<preset>', 'id or name')).action(
    async (id, o) => (await cmds()).showPreset(id, o),
  );
  fields(
    common(
      presets
        .command('create')
        .description('create a preset')
        .requiredOption('--name <name>', 'its name')
        .option('--id <id>', 'its id (default: from the name)'),
    ),
  ).action(async (o) => (await cmds()).createPreset(o));
  fields(
    common(
      presets
        .command('edit')
        .description('change a preset (kept as a new version)')
        .argument('<preset>', 'id or name')
        .option('--name <name>', 'a new name')
        .addOption(
          new Option('--rerender', 're-render what the change affects in the showcases using this preset'),
        )
        .option(
          '--comfy <url>',
          'ComfyUI server for --rerender (repeatable)',
          (v: string, p: string[] = []) => [...p, v],
        )
        .option('--ollama <url>', 'Ollama server for --rerender'),
    ),
  ).action(async (id, o) => (await cmds()).editPreset(id, o));
  common(
    presets
      .command('duplicate')
      .description('copy a preset under a new name')
      .argument('<preset>', 'id or name')
      .option('--name <name>', 'the copy’s name (default: "<name> copy")')
      .option('--author <name>', 'who makes the change'),
  ).action(async (id, o) => (await cmds()).duplicatePreset(id, o));
  common(
    presets
      .command('delete')
      .description('delete a preset (its history is kept; rollback brings it back)')
      .argument('<preset>', 'id or name')
      .option('--author <name>', 'who makes the change'),
  ).action(async (id, o) => (await cmds()).deletePreset(id, o));
  common(
    presets
      .command('versions')
      .description("a preset's history: who, when, what")
      .argument('<preset>', 'id or name'),
  ).action(async (id, o) => (await cmds()).presetVersions(id, o));
  common(
    presets
      .command('diff')
      .description('the fields that differ between two versions, side by side')
      .argument('<preset>', 'id or name')
      .argument('<from>', 'version', int)
      .argument('<to>', 'version', int),
  ).action(async (id, from, to, o) => (await cmds()).presetDiff(id, from, to, o));
  common(
    presets
      .command('rollback')
      .description('make a preset what it was at a version again (a new version)')
      .argument('<preset>', 'id or name')
      .argument('<version>', 'version', int)
      .option('--author <name>', 'who makes the change')
      .option('--rerender', 're-render what the rollback changes in the showcases using this preset')
      .option(
        '--comfy <url>',
        'ComfyUI server for --rerender (repeatable)',
        (v: string, p: string[] = []) => [...p, v],
      )
      .option('--ollama <url>', 'Ollama server for --rerender'),
  ).action(async (id, version, o) => (await cmds()).rollbackPreset(id, version, o));
}
