// Checking templates against a server's `/object_info` before anything is queued, with the rules
// ComfyUI applies in POST /prompt validation (protocols/comfyui.md §2.1, §11): known classes, an
// output node, required inputs, well-formed and type-correct links, numeric bounds and COMBO
// membership (model files above all). Placeholders are checked through their param declarations.
import type { JsonValue, LintIssue, TemplateParamSpec } from '../../../shared/index.ts';
import { isModelFileName, modelFolderOf } from '../comfy/index.ts';
import { type Template, TemplateLibrary } from './loader.ts';
import type { InputSpec, NodeClassInfo, ObjectInfo } from './object-info.ts';
import { typesMatch } from './object-info.ts';
import { describeRange, effectiveRange } from './params.ts';
import { isLinkValue, placeholderName } from './schema.ts';

/** Inputs whose value the node checks itself (VALIDATE_INPUTS), so the server skips the COMBO check. */
const SELF_VALIDATED: ReadonlySet<string> = new Set([
  'LoadImage.image',
  'LoadImageMask.image',
  'LoadImageOutput.image',
]);

/** The `models/` folder of a loader input ('' for a model file under an input the table does not know). */
function modelFolder(className: string, input: string, value: unknown): string | null {
  return modelFolderOf(className, input) ?? (isModelFileName(value) ? '' : null);
}

function showList(values: readonly unknown[]): string {
  if (values.length === 0) return 'none';
  const shown = values.slice(0, 10).map((v) => JSON.stringify(v));
  return values.length > 10 ? `${shown.join(', ')} … (${values.length} in all)` : shown.join(', ');
}

function skipsComboCheck(className: string, spec: InputSpec): boolean {
  return spec.imageUpload || SELF_VALIDATED.has(`${className}.${spec.name}`);
}

class Linter {
  readonly issues: LintIssue[] = [];
  readonly #template: Template;
  readonly #info: ObjectInfo;

  constructor(template: Template, info: ObjectInfo) {
    this.#template = template;
    this.#info = info;
  }

  #add(severity: LintIssue['severity'], nodeId: string | null, input: string | null, message: string): void {
    this.issues.push({ templateId: this.#template.id, severity, nodeId, input, message });
  }

  run(): LintIssue[] {
    const { graph } = this.#template;
    let outputNodes = 0;
    for (const [nodeId, node] of Object.entries(graph)) {
      const cls = this.#info.classes.get(node.class_type);
      if (cls === undefined) {
        const why = this.#info.unreadable.get(node.class_type);
        if (why !== undefined) {
          this.#add(
            'warning',
            nodeId,
            null,
            `${node.class_type}: its object_info entry is unreadable (${why}); not checked`,
          );
        } else {
          this.#add(
            'error',
            nodeId,
            null,
            `class "${node.class_type}" is not known to the server (not in object_info): install the custom node that provides it or replace the node`,
          );
        }
        continue;
      }
      if (cls.outputNode) outputNodes++;
      this.#lintNode(nodeId, node.class_type, node.inputs, cls);
    }
    if (outputNodes === 0) {
      this.#add(
        'error',
        null,
        null,
        'the graph has no output node (output_node: true, e.g. SaveImage): the server refuses it with prompt_no_outputs',
      );
    }
    for (const id of this.#template.outputNodeIds) {
      const node = graph[id];
      const cls = node === undefined ? undefined : this.#info.classes.get(node.class_type);
      if (node !== undefined && cls !== undefined && !cls.outputNode) {
        this.#add(
          'warning',
          id,
          null,
          `${node.class_type}: nothing reads its output and it is not an output node, so the server never runs it`,
        );
      }
    }
    return this.issues;
  }

  #lintNode(nodeId: string, className: string, inputs: Record<string, JsonValue>, cls: NodeClassInfo): void {
    for (const spec of cls.inputs.values()) {
      if (spec.required && !Object.hasOwn(inputs, spec.name)) {
        this.#add(
          'error',
          nodeId,
          spec.name,
          `${className}: required input "${spec.name}" (${spec.type}) is missing`,
        );
      }
    }
    for (const [input, value] of Object.entries(inputs)) {
      const spec = cls.inputs.get(input);
      const where = `${className}.${input}`;
      if (spec === undefined) {
        this.#add(
          'warning',
          nodeId,
          input,
          `${where}: ${className} has no input "${input}"; the server ignores it`,
        );
        continue;
      }
      if (Array.isArray(value)) {
        this.#lintLink(nodeId, where, spec, value);
        continue;
      }
      const param = placeholderName(value);
      if (param !== null) {
        const paramSpec = this.#template.params[param];
        if (paramSpec !== undefined) this.#lintPlaceholder(nodeId, className, spec, param, paramSpec);
        continue;
      }
      this.#lintLiteral(nodeId, className, spec, value);
    }
  }

  #lintLink(nodeId: string, where: string, spec: InputSpec, value: JsonValue[]): void {
    const input = spec.name;
    if (!isLinkValue(value)) {
      this.#add(
        'error',
        nodeId,
        input,
        `${where}: a link must be [source_node_id, output_index], got ${JSON.stringify(value)}`,
      );
      return;
    }
    const [source, index] = value;
    if (typeof source !== 'string') {
      this.#add(
        'error',
        nodeId,
        input,
        `${where}: link source must be a node id string like "4", got ${JSON.stringify(source)}`,
      );
      return;
    }
    const sourceNode = this.#template.graph[source];
    if (sourceNode === undefined) {
      this.#add('error', nodeId, input, `${where}: links to node "${source}", which is not in the graph`);
      return;
    }
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      this.#add(
        'error',
        nodeId,
        input,
        `${where}: link output index must be an integer ≥ 0, got ${JSON.stringify(index)}`,
      );
      return;
    }
    const sourceClass = this.#info.classes.get(sourceNode.class_type);
    if (sourceClass === undefined) return; // reported on the source node itself
    const outType = sourceClass.outputs[index];
    if (outType === undefined) {
      this.#add(
        'error',
        nodeId,
        input,
        `${where}: links to output ${index} of node "${source}" (${sourceNode.class_type}), which has ${sourceClass.outputs.length} output(s): ${sourceClass.outputs.join(', ') || 'none'}`,
      );
      return;
    }
    if (!typesMatch(outType, spec.type)) {
      this.#add(
        'error',
        nodeId,
        input,
        `${where}: expects ${spec.type} but node "${source}" (${sourceNode.class_type}) output ${index} is ${outType}`,
      );
    }
  }

  #comboMiss(nodeId: string, className: string, spec: InputSpec, value: unknown, what: string): void {
    const options = spec.options ?? [];
    const folder = modelFolder(className, spec.name, value);
    if (folder !== null) {
      const place = folder === '' ? 'the matching folder under ComfyUI/models/' : `ComfyUI/models/${folder}/`;
      this.#add(
        'error',
        nodeId,
        spec.name,
        `${className}.${spec.name}: model file ${JSON.stringify(value)}${what} is not installed on the server — put it in ${place} (the server lists: ${showList(options)})`,
      );
    } else {
      this.#add(
        'error',
        nodeId,
        spec.name,
        `${className}.${spec.name}: ${JSON.stringify(value)}${what} is not one of the server's values (${showList(options)})`,
      );
    }
  }

  #checkBounds(nodeId: string, className: string, spec: InputSpec, value: number, what: string): void {
    const where = `${className}.${spec.name}`;
    if (spec.min !== undefined && value < spec.min) {
      this.#add(
        'error',
        nodeId,
        spec.name,
        `${where}: ${value}${what} is below the server's min ${spec.min}`,
      );
    }
    if (spec.max !== undefined && value > spec.max) {
      this.#add(
        'error',
        nodeId,
        spec.name,
        `${where}: ${value}${what} is above the server's max ${spec.max}`,
      );
    }
  }

  #lintLiteral(nodeId: string, className: string, spec: InputSpec, value: JsonValue): void {
    const where = `${className}.${spec.name}`;
    switch (spec.widget) {
      case null:
        this.#add(
          'error',
          nodeId,
          spec.name,
          `${where}: expects a link to a ${spec.type} output, got the value ${JSON.stringify(value)}`,
        );
        return;
      case 'INT':
      case 'FLOAT':
        if (typeof value !== 'number') {
          this.#add(
            'error',
            nodeId,
            spec.name,
            `${where}: expects a ${spec.widget} number, got ${JSON.stringify(value)}`,
          );
          return;
        }
        this.#checkBounds(nodeId, className, spec, value, '');
        return;
      case 'BOOLEAN':
        // The server applies Python bool(): the string "false" would mean true.
        if (typeof value !== 'boolean') {
          this.#add(
            'error',
            nodeId,
            spec.name,
            `${where}: expects a JSON boolean, got ${JSON.stringify(value)}`,
          );
        }
        return;
      case 'STRING':
        return;
      case 'COMBO':
        if (skipsComboCheck(className, spec) || spec.options === null) return;
        if (!spec.options.includes(value)) this.#comboMiss(nodeId, className, spec, value, '');
        return;
    }
  }

  #lintPlaceholder(
    nodeId: string,
    className: string,
    spec: InputSpec,
    param: string,
    p: TemplateParamSpec,
  ): void {
    const where = `${className}.${spec.name}`;
    const mismatch = (): void => {
      this.#add(
        'error',
        nodeId,
        spec.name,
        `${where}: param "${param}" is a ${p.type} param but the input expects ${spec.widget === null ? `a link to a ${spec.type} output` : spec.type}`,
      );
    };
    const accepted: Readonly<Record<string, readonly TemplateParamSpec['type'][]>> = {
      INT: ['int', 'seed'],
      FLOAT: ['int', 'float'],
      BOOLEAN: ['boolean'],
      STRING: ['string', 'combo', 'image'],
      COMBO: ['combo', 'string', 'image'],
    };
    if (spec.widget === null || !(accepted[spec.widget] ?? []).includes(p.type)) {
      mismatch();
      return;
    }

    if (spec.widget === 'INT' || spec.widget === 'FLOAT') {
      const { min, max } = effectiveRange(p);
      const range = `param "${param}" range ${describeRange(min, max)}`;
      let rangeOk = true;
      if (spec.min !== undefined) {
        if (min === undefined) {
          this.#add(
            'warning',
            nodeId,
            spec.name,
            `${where}: param "${param}" declares no min; the server rejects values below ${spec.min}`,
          );
        } else if (min < spec.min) {
          rangeOk = false;
          this.#add('error', nodeId, spec.name, `${where}: ${range} goes below the server's min ${spec.min}`);
        }
      }
      if (spec.max !== undefined) {
        if (max === undefined) {
          this.#add(
            'warning',
            nodeId,
            spec.name,
            `${where}: param "${param}" declares no max; the server rejects values above ${spec.max}`,
          );
        } else if (max > spec.max) {
          rangeOk = false;
          this.#add('error', nodeId, spec.name, `${where}: ${range} goes above the server's max ${spec.max}`);
        }
      }
      // A default inside a valid declared range is inside the server's range; check it only when that is not implied.
      if (rangeOk && typeof p.default === 'number') {
        this.#checkBounds(nodeId, className, spec, p.default, ` (default of param "${param}")`);
      }
      return;
    }

    if (spec.widget === 'COMBO') {
      if (skipsComboCheck(className, spec) || spec.options === null) return;
      const options = spec.options;
      const candidates = p.type === 'combo' ? (p.options ?? []) : p.default === undefined ? [] : [p.default];
      for (const candidate of candidates) {
        if (!options.includes(candidate)) {
          const what =
            candidate === p.default ? ` (default of param "${param}")` : ` (an option of param "${param}")`;
          this.#comboMiss(nodeId, className, spec, candidate, what);
        }
      }
    }
  }
}

/** Every problem the server would raise for this template (errors) and likely mistakes (warnings). */
export function lintTemplate(template: Template, objectInfo: ObjectInfo): LintIssue[] {
  return new Linter(template, objectInfo).run();
}

export function lintLibrary(
  library: TemplateLibrary | Iterable<Template>,
  objectInfo: ObjectInfo,
): LintIssue[] {
  const templates = library instanceof TemplateLibrary ? library.all() : [...library];
  return templates.flatMap((t) => lintTemplate(t, objectInfo));
}
