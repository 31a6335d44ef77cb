// POST /prompt validation, reproducing the error catalogue of comfyui.md §2.1: the same `type`,
// `message`, `details` and `extra_info` strings, node_errors with dependent_outputs, partial
// validity, and the Python coercions (int()/float()/str()/bool()) applied in place to the graph.
import { type ComfyVersion, customValidatedInputs, type InputSpec } from './catalog.ts';
import {
  isPlainObject,
  PyError,
  pyBool,
  pyContains,
  pyFloat,
  pyInt,
  pyNumberRepr,
  pyRepr,
  pyStr,
} from './pyjson.ts';

import {
  asPyError,
  type ComfyError,
  comboChoices,
  missingClassError,
  type NodeError,
  nodeInputs,
  outputAt,
  outputTypes,
  simTraceback,
  typeRepr,
  typesCompatible,
  type ValidationResult,
} from './validate-parts.ts';

export { type ComfyError, type NodeError, typesCompatible, type ValidationResult } from './validate-parts.ts';

export interface ValidationContext {
  catalog: Record<string, Record<string, unknown>>;
  version: ComfyVersion;
  /** LoadImage's existence check: does `name` (maybe with ` [output]` etc.) resolve to a file? */
  imageExists(name: string): boolean;
}

export type Verdict = [boolean, ComfyError[]];

export function validatePrompt(
  prompt: unknown,
  partialTargets: unknown,
  ctx: ValidationContext,
): ValidationResult {
  if (!isPlainObject(prompt)) {
    // `for x in prompt` on a non-dict: lists/strings iterate, None/numbers raise → HTTP 500.
    if (prompt === null || typeof prompt !== 'object') {
      throw new PyError(
        'TypeError',
        `'${prompt === null ? 'NoneType' : typeof prompt}' object is not iterable`,
      );
    }
    throw new PyError('TypeError', 'list indices must be integers or slices, not str');
  }
  const graph = prompt;
  const outputs: string[] = [];
  const targets = Array.isArray(partialTargets) ? partialTargets : null;

  for (const [id, node] of Object.entries(graph)) {
    const hasClassType = pyContains(node, 'class_type');
    if (!hasClassType || !isPlainObject(node)) {
      if (hasClassType) throw new PyError('TypeError', "string indices must be integers, not 'str'");
      return { ok: false, error: missingClassError(id, null, node, ctx.version, true), nodeErrors: {} };
    }
    const classType = node.class_type;
    const info = typeof classType === 'string' ? ctx.catalog[classType] : undefined;
    if (!info)
      return { ok: false, error: missingClassError(id, classType, node, ctx.version, false), nodeErrors: {} };
    if (info.output_node === true && (targets === null || targets.includes(id))) outputs.push(id);
  }
  if (outputs.length === 0) {
    return {
      ok: false,
      error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} },
      nodeErrors: {},
    };
  }

  const validated = new Map<string, Verdict>();
  const floatInputs: string[] = [];
  const nodeOf = (id: string) => graph[id] as Record<string, unknown>;

  const validateInputs = (id: string): Verdict => {
    const known = validated.get(id);
    if (known) return known;
    const node = nodeOf(id);
    if (!Object.hasOwn(node, 'inputs')) throw new PyError('KeyError', "'inputs'");
    const inputs = node.inputs;
    const classType = node.class_type as string;
    const info = ctx.catalog[classType] as Record<string, unknown>;
    const required = nodeInputs(info, 'required');
    const optional = nodeInputs(info, 'optional');
    const customInputs = customValidatedInputs[classType] ?? [];
    const errors: ComfyError[] = [];
    let valid = true;

    const all: [string, InputSpec, 'required' | 'optional'][] = [
      ...Object.entries(required).map(([k, v]) => [k, v, 'required'] as [string, InputSpec, 'required']),
      ...Object.entries(optional).map(([k, v]) => [k, v, 'optional'] as [string, InputSpec, 'optional']),
    ];
    for (const [name, spec, category] of all) {
      const [inputType, options = {}] = spec;
      const inputConfig = [inputType, options];
      if (!pyContains(inputs, name)) {
        if (category === 'required') {
          errors.push({
            type: 'required_input_missing',
            message: 'Required input is missing',
            details: name,
            extra_info: { input_name: name },
          });
        }
        continue;
      }
      if (!isPlainObject(inputs))
        throw new PyError('TypeError', 'list indices must be integers or slices, not str');
      let value = inputs[name];
      if (Array.isArray(value)) {
        if (value.length !== 2) {
          errors.push({
            type: 'bad_linked_input',
            message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
            details: name,
            extra_info: { input_name: name, input_config: inputConfig, received_value: value },
          });
          continue;
        }
        const [sourceId, slot] = value as [unknown, unknown];
        if (typeof sourceId !== 'string' || !Object.hasOwn(graph, sourceId)) {
          throw new PyError('KeyError', pyRepr(sourceId));
        }
        const sourceInfo = ctx.catalog[nodeOf(sourceId).class_type as string] as Record<string, unknown>;
        const receivedType = outputAt(outputTypes(sourceInfo), slot);
        if (!typesCompatible(receivedType, inputType)) {
          errors.push({
            type: 'return_type_mismatch',
            message: 'Return type mismatch between linked nodes',
            details: `${name}, received_type(${receivedType}) mismatch input_type(${typeRepr(inputType)})`,
            extra_info: {
              input_name: name,
              input_config: inputConfig,
              received_type: receivedType,
              linked_node: value,
            },
          });
          continue;
        }
        try {
          const [upstreamValid] = validateInputs(sourceId);
          if (!upstreamValid) valid = false;
        } catch (err) {
          valid = false;
          const ex = asPyError(err);
          validated.set(sourceId, [
            false,
            [
              {
                type: 'exception_during_inner_validation',
                message: 'Exception when validating inner node',
                details: ex.message,
                extra_info: {
                  input_name: name,
                  input_config: inputConfig,
                  exception_message: ex.message,
                  exception_type: ex.pyType,
                  traceback: simTraceback('validate_inputs'),
                  linked_node: value,
                },
              },
            ],
          ]);
        }
        continue;
      }

      try {
        if (isPlainObject(value) && Object.hasOwn(value, '__value__')) {
          value = value.__value__;
          inputs[name] = value;
        }
        if (inputType === 'INT') value = pyInt(value);
        else if (inputType === 'FLOAT') {
          value = pyFloat(value);
          floatInputs.push(`${id}/${name}`);
        } else if (inputType === 'STRING') value = pyStr(value);
        else if (inputType === 'BOOLEAN') value = pyBool(value);
        inputs[name] = value;
      } catch (err) {
        const ex = asPyError(err);
        errors.push({
          type: 'invalid_input_type',
          message: `Failed to convert an input value to a ${typeRepr(inputType)} value`,
          details: `${name}, ${pyStr(value)}, ${ex.message}`,
          extra_info: {
            input_name: name,
            input_config: inputConfig,
            received_value: value,
            exception_message: ex.message,
          },
        });
        continue;
      }

      if (customInputs.includes(name)) continue;
      const isFloat = inputType === 'FLOAT';
      if (typeof options.min === 'number' && typeof value === 'number' && value < options.min) {
        errors.push({
          type: 'value_smaller_than_min',
          message: `Value ${pyNumberRepr(value, isFloat)} smaller than min of ${pyNumberRepr(options.min, isFloat)}`,
          details: name,
          extra_info: { input_name: name, input_config: inputConfig, received_value: value },
        });
        continue;
      }
      if (typeof options.max === 'number' && typeof value === 'number' && value > options.max) {
        errors.push({
          type: 'value_bigger_than_max',
          message: `Value ${pyNumberRepr(value, isFloat)} bigger than max of ${pyNumberRepr(options.max, isFloat)}`,
          details: name,
          extra_info: { input_name: name, input_config: inputConfig, received_value: value },
        });
        continue;
      }
      const choices = comboChoices(spec, ctx.version);
      if (choices && !choices.includes(value)) {
        // Long lists (scanned model folders) are summarised and the config omitted, like the server.
        const long = choices.length > 20;
        errors.push({
          type: 'value_not_in_list',
          message: 'Value not in list',
          details: `${name}: '${pyStr(value)}' not in ${long ? `(list of length ${choices.length})` : pyRepr(choices)}`,
          extra_info: { input_name: name, input_config: long ? null : inputConfig, received_value: value },
        });
      }
    }

    if (customInputs.length > 0 && isPlainObject(inputs)) {
      for (const name of customInputs) {
        if (!Object.hasOwn(inputs, name) || Array.isArray(inputs[name])) continue;
        const image = pyStr(inputs[name]);
        if (classType === 'LoadImage' && !ctx.imageExists(image)) {
          // 0.3.64 names only the input here (older servers also echoed a config and value).
          errors.push({
            type: 'custom_validation_failed',
            message: 'Custom validation failed for node',
            details: `${name} - Invalid image file: ${image}`,
            extra_info: { input_name: name },
          });
        }
      }
    }

    const verdict: Verdict = errors.length > 0 || !valid ? [false, errors] : [true, []];
    validated.set(id, verdict);
    return verdict;
  };

  const goodOutputs: string[] = [];
  const failures: [string, ComfyError[]][] = [];
  const nodeErrors: Record<string, NodeError> = {};
  for (const output of outputs) {
    let ok = false;
    let reasons: ComfyError[] = [];
    try {
      [ok, reasons] = validateInputs(output);
    } catch (err) {
      const ex = asPyError(err);
      reasons = [
        {
          type: 'exception_during_validation',
          message: 'Exception when validating node',
          details: ex.message,
          extra_info: { exception_type: ex.pyType, traceback: simTraceback('validate_prompt') },
        },
      ];
      validated.set(output, [false, reasons]);
    }
    if (ok) {
      goodOutputs.push(output);
      continue;
    }
    failures.push([output, reasons]);
    // Every node with its own errors seen so far gets this output appended — including nodes that
    // were reached through an earlier output, exactly as the server's bookkeeping does.
    for (const [nodeId, [nodeOk, nodeReasons]] of validated) {
      if (nodeOk || nodeReasons.length === 0) continue;
      let entry = nodeErrors[nodeId];
      if (!entry) {
        entry = {
          errors: nodeReasons,
          dependent_outputs: [],
          class_type: nodeOf(nodeId).class_type as string,
        };
        nodeErrors[nodeId] = entry;
      }
      entry.dependent_outputs.push(output);
    }
  }

  if (goodOutputs.length === 0) {
    const lines = failures.flatMap(([, reasons]) => reasons.map((r) => `${r.message}: ${r.details}`));
    return {
      ok: false,
      error: {
        type: 'prompt_outputs_failed_validation',
        message: 'Prompt outputs failed validation',
        details: lines.join('\n'),
        extra_info: {},
      },
      nodeErrors,
    };
  }
  return { ok: true, outputs: goodOutputs, nodeErrors, floatInputs };
}
