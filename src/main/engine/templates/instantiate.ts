// Turning a template plus values into a graph ready for POST /prompt.
// Substitution is structural: the parsed JSON is walked and a string value that is exactly
// "{{name}}" is replaced by the typed value. Values are never spliced into text and the output is
// never re-scanned, so a product name containing quotes, braces or "{{seed}}" stays one string.

import type { JsonValue } from '../../../shared/index.ts';
import { type ParamValue, ShowcaseError } from '../../../shared/index.ts';
import type { ComfyGraph, ComfyGraphNode } from '../comfy/index.ts';
import type { Template } from './loader.ts';
import { checkParamValue } from './params.ts';
import { placeholderName } from './schema.ts';

export interface InstantiateOptions {
  /**
   * `error` (default): a value for a param the template does not declare is a `template_error`.
   * `ignore`: such values are skipped — for applying one set of per-family overrides (cfg, steps …)
   * to every template of the family, some of which (thumbnail) do not take them.
   */
  unknownParams?: 'error' | 'ignore';
}

export interface InstantiatedGraph {
  templateId: string;
  /** A fresh API-format graph; the template is never mutated. */
  graph: ComfyGraph;
  /** Every declared param with the value used (given, else the default). */
  params: Record<string, ParamValue>;
  /** Output node ids, in order — where the images appear in `/history/{id}` outputs. */
  outputNodeIds: string[];
}

export function resolveParams(
  template: Template,
  values: Readonly<Record<string, ParamValue | undefined>>,
  options: InstantiateOptions = {},
): Record<string, ParamValue> {
  if ((options.unknownParams ?? 'error') === 'error') {
    const unknown = Object.keys(values).filter(
      (k) => values[k] !== undefined && !Object.hasOwn(template.params, k),
    );
    if (unknown.length > 0) {
      throw new ShowcaseError(
        'template_error',
        `Template ${template.id} has no param ${unknown.map((k) => `"${k}"`).join(', ')}`,
        {
          hint: `Its params are: ${Object.keys(template.params).join(', ')}.`,
          details: { field: unknown[0], templateId: template.id, unknown },
        },
      );
    }
  }
  const resolved: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(template.params)) {
    const given = Object.hasOwn(values, name) ? values[name] : undefined;
    const value = given ?? spec.default;
    if (value === undefined) {
      throw new ShowcaseError(
        'template_error',
        `Template ${template.id} needs a value for param "${name}" (${spec.type}), which has no default`,
        { details: { field: name, templateId: template.id } },
      );
    }
    resolved[name] = checkParamValue(template.id, name, spec, value);
  }
  return resolved;
}

function substitute(
  value: JsonValue,
  resolved: Readonly<Record<string, ParamValue>>,
  templateId: string,
): JsonValue {
  if (typeof value === 'string') {
    const name = placeholderName(value);
    if (name === null) return value;
    if (!Object.hasOwn(resolved, name)) {
      // The loader rejects undeclared placeholders; reaching this means the template was built by hand.
      throw new ShowcaseError(
        'template_error',
        `Template ${templateId} uses undeclared placeholder "{{${name}}}"`,
      );
    }
    return resolved[name] as ParamValue;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, resolved, templateId));
  if (value !== null && typeof value === 'object') {
    // Object.fromEntries defines own properties, so a "__proto__" key stays data and never touches the prototype.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, resolved, templateId)]),
    );
  }
  return value;
}

/**
 * Validates `values` against the template's params (unknown name / missing value without default →
 * `template_error`; wrong type, out of range, not an option → `invalid_input` naming the param and
 * what it accepts) and returns a new graph with every placeholder replaced by its typed value.
 */
export function instantiate(
  template: Template,
  values: Readonly<Record<string, ParamValue | undefined>>,
  options: InstantiateOptions = {},
): InstantiatedGraph {
  const params = resolveParams(template, values, options);
  const graph: ComfyGraph = Object.fromEntries(
    Object.entries(template.graph).map(([id, node]): [string, ComfyGraphNode] => {
      const out: ComfyGraphNode = {
        class_type: node.class_type,
        inputs: substitute(node.inputs, params, template.id) as Record<string, JsonValue>,
      };
      if (node._meta !== undefined) out._meta = structuredClone(node._meta);
      return [id, out];
    }),
  );
  return { templateId: template.id, graph, params, outputNodeIds: [...template.outputNodeIds] };
}
