// The pieces of POST /prompt validation: the error shapes it reports, reading a node's input specs
// and output types, link type compatibility, Python's tuple indexing for a link's slot, COMBO choices,
// and the missing-class errors of both server generations.
import type { ComfyVersion, InputSpec } from './catalog.ts';
import { isPlainObject, PyError, pyRepr, pyStr } from './pyjson.ts';

export interface ComfyError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export interface NodeError {
  errors: ComfyError[];
  dependent_outputs: string[];
  class_type: string;
}

export type ValidationResult =
  | {
      ok: true;
      outputs: string[];
      nodeErrors: Record<string, NodeError>;
      /** `nodeId/input` of every value float()-ed by validation (echoed as `1.0` by the server). */
      floatInputs: string[];
    }
  | { ok: false; error: ComfyError; nodeErrors: Record<string, NodeError> };

export const simTraceback = (fn: string): string[] => [
  `  File "sim/comfyui/validate.ts", in ${fn}\n    (simulated ComfyUI validation)\n`,
];

export function nodeInputs(
  info: Record<string, unknown>,
  group: 'required' | 'optional',
): Record<string, InputSpec> {
  const input = info.input as Record<string, unknown> | undefined;
  return (input?.[group] as Record<string, InputSpec> | undefined) ?? {};
}

export function outputTypes(info: Record<string, unknown>): string[] {
  return (info.output as string[] | undefined) ?? [];
}

/** Link compatibility: exact match, `*` wildcard, or overlapping comma-separated type sets. */
export function typesCompatible(received: unknown, expected: unknown): boolean {
  if (received === '*' || expected === '*') return true;
  if (typeof received === 'string' && typeof expected === 'string') {
    if (received === expected) return true;
    const a = new Set(received.split(',').map((t) => t.trim()));
    return expected.split(',').some((t) => a.has(t.trim()));
  }
  // A link into a legacy COMBO (list type) only matches another COMBO-typed output.
  if (Array.isArray(expected)) return received === 'COMBO';
  return false;
}

export function typeRepr(t: unknown): string {
  return typeof t === 'string' ? t : pyRepr(t);
}

/** Python `tuple[index]` semantics for a link's output slot. */
export function outputAt(types: string[], index: unknown): string {
  let i: number;
  if (typeof index === 'boolean') i = index ? 1 : 0;
  else if (typeof index === 'number' && Number.isInteger(index)) i = index;
  else {
    const kind =
      typeof index === 'number'
        ? 'float'
        : typeof index === 'string'
          ? 'str'
          : index === null
            ? 'NoneType'
            : 'list';
    throw new PyError('TypeError', `tuple indices must be integers or slices, not ${kind}`);
  }
  const resolved = i < 0 ? types.length + i : i;
  const t = types[resolved];
  if (resolved < 0 || t === undefined) throw new PyError('IndexError', 'tuple index out of range');
  return t;
}

export function comboChoices(spec: InputSpec, version: ComfyVersion): unknown[] | null {
  const [type, opts] = spec;
  if (Array.isArray(type)) return type;
  // 0.3.64 only checks legacy list COMBOs; newer servers also check V3 "COMBO" options.
  if (type === 'COMBO' && version === '2026' && Array.isArray(opts?.options))
    return opts.options as unknown[];
  return null;
}

export function asPyError(err: unknown): PyError {
  if (err instanceof PyError) return err;
  return new PyError('Exception', err instanceof Error ? err.message : String(err));
}

export function missingClassError(
  id: string,
  classType: unknown,
  node: unknown,
  version: ComfyVersion,
  missingProperty: boolean,
): ComfyError {
  if (version === '0.3.64') {
    return {
      type: 'invalid_prompt',
      message: missingProperty
        ? 'Cannot execute because a node is missing the class_type property.'
        : `Cannot execute because node ${pyStr(classType)} does not exist.`,
      details: `Node ID '#${id}'`,
      extra_info: {},
    };
  }
  const meta = isPlainObject(node) && isPlainObject(node._meta) ? node._meta : {};
  const title = typeof meta.title === 'string' ? meta.title : typeof classType === 'string' ? classType : id;
  return {
    type: 'missing_node_type',
    message: missingProperty
      ? `Node '${title}' has no class_type. The workflow may be corrupted or a custom node is missing.`
      : `Node '${title}' not found. The custom node may not be installed.`,
    details: `Node ID '#${id}'`,
    extra_info: { node_id: id, class_type: missingProperty ? null : classType, node_title: title },
  };
}
