// The `presets` commands: each opens the engine on the store and calls one contract method through
// `dispatch`, so the CLI validates exactly as the HTTP API and the desktop IPC do.
import { join } from 'node:path';
import type {
  EditVersion,
  MethodInput,
  MethodName,
  MethodOutput,
  ParamValue,
  PromptPreset,
  RerenderReport,
} from '../../../shared/index.ts';
import { Engine } from '../../engine/engine.ts';
import { call } from '../contract.ts';
import { backendOverrides } from '../overrides.ts';
import { table } from '../progress.ts';

interface Common {
  out: string;
  db?: string;
  json?: boolean;
}

interface FieldOptions extends Common {
  name?: string;
  prefix?: string;
  negative?: string;
  style?: string;
  lighting?: string;
  param?: Record<string, ParamValue>;
  author?: string;
}

interface RenderOptions {
  rerender?: boolean;
  comfy?: string[];
  ollama?: string;
}

async function withContract<T>(
  opts: Common & RenderOptions,
  fn: (call: <M extends MethodName>(m: M, input: MethodInput<M>) => Promise<MethodOutput<M>>) => Promise<T>,
): Promise<T> {
  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides: backendOverrides(opts),
  });
  try {
    const result = await fn((m, input) => call(engine, m, input));
    // A re-render runs in this process: wait for it, so the command ends with the images written.
    if (opts.rerender) await engine.whenIdle();
    return result;
  } finally {
    await engine.close();
  }
}

const fieldsOf = (o: FieldOptions) => ({
  ...(o.name === undefined ? {} : { name: o.name }),
  ...(o.prefix === undefined ? {} : { prefix: o.prefix }),
  ...(o.negative === undefined ? {} : { negative: o.negative }),
  ...(o.style === undefined ? {} : { style: o.style }),
  ...(o.lighting === undefined ? {} : { lighting: o.lighting }),
  ...(o.param === undefined ? {} : { params: o.param }),
  ...(o.author === undefined ? {} : { author: o.author }),
});

function printPreset(p: PromptPreset): void {
  const params = Object.entries(p.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(
    table(
      ['field', 'value'],
      [
        ['id', p.id],
        ['name', p.name],
        ['prefix', p.prefix],
        ['negative', p.negative],
        ['style', p.style],
        ['lighting', p.lighting],
        ['params', params || '—'],
        ['updated', p.updatedAt],
      ],
    ),
  );
}

function printRerender(r: RerenderReport): void {
  if (r.assets.length > 0) console.log(`re-rendered: ${r.assets.join(', ')}`);
  if (r.note) console.log(r.note);
}

const out = (json: boolean | undefined, value: unknown, human: () => void) =>
  json ? console.log(JSON.stringify(value)) : human();

export async function listPresets(o: Common): Promise<void> {
  const list = await withContract(o, (call) => call('presets.list', {}));
  out(o.json, list, () =>
    console.log(
      table(
        ['id', 'name', 'prefix'],
        list.map((p) => [p.id, p.name, p.prefix.slice(0, 60)]),
      ),
    ),
  );
}

export async function showPreset(id: string, o: Common): Promise<void> {
  const preset = await withContract(o, (call) => call('presets.get', { id }));
  out(o.json, preset, () => printPreset(preset));
}

export async function createPreset(o: FieldOptions & { id?: string }): Promise<void> {
  const preset = await withContract(o, (call) =>
    call('presets.create', { ...fieldsOf(o), name: o.name ?? '', ...(o.id ? { id: o.id } : {}) }),
  );
  out(o.json, preset, () => {
    console.log(`created preset ${preset.id} (version 1)`);
    printPreset(preset);
  });
}

export async function editPreset(id: string, o: FieldOptions & RenderOptions): Promise<void> {
  const r = await withContract(o, (call) =>
    call('presets.update', { id, ...fieldsOf(o), rerender: o.rerender === true }),
  );
  out(o.json, r, () => {
    printPreset(r.preset);
    printRerender(r.rerender);
  });
}

export async function duplicatePreset(
  id: string,
  o: Common & { name?: string; author?: string },
): Promise<void> {
  const preset = await withContract(o, (call) =>
    call('presets.duplicate', {
      id,
      ...(o.name ? { name: o.name } : {}),
      ...(o.author ? { author: o.author } : {}),
    }),
  );
  out(o.json, preset, () => console.log(`created preset ${preset.id} ("${preset.name}")`));
}

export async function deletePreset(id: string, o: Common & { author?: string }): Promise<void> {
  const r = await withContract(o, (call) =>
    call('presets.delete', { id, ...(o.author ? { author: o.author } : {}) }),
  );
  out(o.json, r, () =>
    console.log(`deleted preset ${r.id} (its history is kept: presets rollback brings it back)`),
  );
}

function versionRows(versions: EditVersion[]): string[][] {
  return versions.map((v) => [
    String(v.version),
    v.action + (v.rollbackOf ? ` to v${v.rollbackOf}` : ''),
    v.author,
    v.at,
    v.changed.join(', ') || '—',
  ]);
}

export async function presetVersions(id: string, o: Common): Promise<void> {
  const versions = await withContract(o, (call) => call('presets.versions', { id }));
  out(o.json, versions, () =>
    console.log(
      versions.length === 0
        ? 'no history yet (the preset has not been changed here)'
        : table(['version', 'action', 'who', 'when', 'changed'], versionRows(versions)),
    ),
  );
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export async function presetDiff(id: string, from: number, to: number, o: Common): Promise<void> {
  const diff = await withContract(o, (call) => call('presets.diff', { id, from, to }));
  out(o.json, diff, () => {
    if (diff.fields.length === 0) return console.log(`versions ${from} and ${to} are the same`);
    console.log(
      table(
        [
          'field',
          `v${from} (${diff.from.author}, ${diff.from.at})`,
          `v${to} (${diff.to.author}, ${diff.to.at})`,
        ],
        diff.fields.map((f) => [f.field, show(f.before), show(f.after)]),
      ),
    );
  });
}

export async function rollbackPreset(
  id: string,
  version: number,
  o: Common & RenderOptions & { author?: string },
): Promise<void> {
  const r = await withContract(o, (call) =>
    call('presets.rollback', {
      id,
      version,
      rerender: o.rerender === true,
      ...(o.author ? { author: o.author } : {}),
    }),
  );
  out(o.json, r, () => {
    console.log(`preset ${r.preset.id} is as at version ${version} again`);
    printRerender(r.rerender);
  });
}
