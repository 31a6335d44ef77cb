// `/object_info` as the linter needs it. The reply differs between ComfyUI versions, V1 and V3 nodes
// and custom nodes, so it is parsed leniently: every node entry is read on its own, unknown fields are
// kept out of the way, and an entry that cannot be read is recorded instead of failing the whole file.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ShowcaseError } from '../../../shared/index.ts';

/** Input kinds the server validates as literal values; anything else is a link type (MODEL, CLIP, IMAGE …). */
export type WidgetKind = 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'COMBO';

export interface InputSpec {
  name: string;
  required: boolean;
  /** The declared type: `"INT"`, `"MODEL"`, `"IMAGE,MASK"` …; `"COMBO"` for legacy list combos. */
  type: string;
  /** Set when the input takes a literal widget value. */
  widget: WidgetKind | null;
  /** COMBO choices (legacy list or V3 `options.options`); null when the server did not list them. */
  options: readonly unknown[] | null;
  min: number | undefined;
  max: number | undefined;
  /** `image_upload: true` marks LoadImage-style inputs whose files the server checks itself (VALIDATE_INPUTS). */
  imageUpload: boolean;
}

export interface NodeClassInfo {
  name: string;
  inputs: ReadonlyMap<string, InputSpec>;
  /** Output slot types; a list-typed output (a combo) reads as `"COMBO"`. */
  outputs: readonly string[];
  outputNode: boolean;
}

export interface ObjectInfo {
  classes: ReadonlyMap<string, NodeClassInfo>;
  /** Entries that could not be read, by class name, with the reason. */
  unreadable: ReadonlyMap<string, string>;
}

const InputGroupSchema = z.record(z.string(), z.unknown());
const NodeInfoSchema = z.looseObject({
  input: z
    .looseObject({
      required: InputGroupSchema.optional(),
      optional: InputGroupSchema.optional(),
      hidden: z.unknown().optional(),
    })
    .optional(),
  output: z.array(z.unknown()).optional(),
  output_node: z.boolean().nullable().optional(),
});
const SpecOptionsSchema = z.looseObject({
  min: z.number().optional().catch(undefined),
  max: z.number().optional().catch(undefined),
  options: z.array(z.unknown()).optional().catch(undefined),
  image_upload: z.boolean().optional().catch(undefined),
});

const WIDGETS: ReadonlySet<string> = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

function readInputSpec(name: string, raw: unknown, required: boolean): InputSpec {
  const spec = Array.isArray(raw) ? raw : [raw];
  const head: unknown = spec[0];
  const opts = SpecOptionsSchema.safeParse(spec[1] ?? {});
  const o = opts.success ? opts.data : {};
  const base = { name, required, min: o.min, max: o.max, imageUpload: o.image_upload === true };
  if (Array.isArray(head)) return { ...base, type: 'COMBO', widget: 'COMBO', options: head };
  const type = typeof head === 'string' ? head : '*';
  if (type === 'COMBO') return { ...base, type, widget: 'COMBO', options: o.options ?? null };
  return { ...base, type, widget: WIDGETS.has(type) ? (type as WidgetKind) : null, options: null };
}

/** Parses a `/object_info` reply (or a saved snapshot of one). Only a non-object top level is an error. */
export function parseObjectInfo(raw: unknown): ObjectInfo {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ShowcaseError(
      'invalid_input',
      'object_info must be a JSON object mapping node class names to info',
      {
        details: { field: 'object_info' },
      },
    );
  }
  const classes = new Map<string, NodeClassInfo>();
  const unreadable = new Map<string, string>();
  for (const [name, entry] of Object.entries(raw)) {
    const parsed = NodeInfoSchema.safeParse(entry);
    if (!parsed.success) {
      unreadable.set(
        name,
        parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; '),
      );
      continue;
    }
    const info = parsed.data;
    const inputs = new Map<string, InputSpec>();
    for (const [group, required] of [
      ['required', true],
      ['optional', false],
    ] as const) {
      for (const [inputName, spec] of Object.entries(info.input?.[group] ?? {})) {
        inputs.set(inputName, readInputSpec(inputName, spec, required));
      }
    }
    const outputs = (info.output ?? []).map((o) =>
      Array.isArray(o) ? 'COMBO' : typeof o === 'string' ? o : '*',
    );
    classes.set(name, { name, inputs, outputs, outputNode: info.output_node === true });
  }
  return { classes, unreadable };
}

/** Reads a saved `/object_info` JSON file (`--object-info FILE`); a bad file is `invalid_input` naming it. */
export async function readObjectInfoFile(path: string): Promise<ObjectInfo> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ShowcaseError(
      'invalid_input',
      `Cannot read the object_info file ${path}: ${(err as Error).message}`,
      {
        cause: err,
        details: { field: 'objectInfo', path },
      },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ShowcaseError('invalid_input', `${path} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
      details: { field: 'objectInfo', path },
    });
  }
  try {
    return parseObjectInfo(raw);
  } catch (err) {
    throw new ShowcaseError('invalid_input', `${path}: ${(err as Error).message}`, {
      cause: err,
      details: { field: 'objectInfo', path },
    });
  }
}

/**
 * ComfyUI's link type check: types are comma-separated sets that match when they overlap; `*`
 * (custom nodes' "any") matches everything.
 */
export function typesMatch(received: string, expected: string): boolean {
  if (received === '*' || expected === '*') return true;
  const want = new Set(expected.split(',').map((t) => t.trim()));
  return received.split(',').some((t) => want.has(t.trim()));
}
