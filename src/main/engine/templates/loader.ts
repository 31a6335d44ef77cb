// Loading the template library: parse every file, check that placeholders and params agree, index by id.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  familyNames,
  type JsonValue,
  ShowcaseError,
  type TemplateFamily,
  type TemplateKind,
  type TemplateSummary,
  templateKinds,
} from '../../../shared/index.ts';
import type { ComfyGraph } from '../comfy/index.ts';
import { findAppPath } from './app-paths.ts';
import { specProblems } from './params.ts';
import { isLinkValue, PLACEHOLDER_LIKE_RE, placeholderName, TemplateFileSchema } from './schema.ts';

/** Where a placeholder sits: `graph[nodeId].inputs[input]` (then `path` below it, for nested values). */
export interface PlaceholderUse {
  param: string;
  nodeId: string;
  input: string;
  /** Full path from the node's `inputs`, e.g. `["cfg"]`. */
  path: readonly (string | number)[];
}

export interface Template extends TemplateSummary {
  readonly graph: ComfyGraph;
  /** The file it was read from (or the label given to `parseTemplate`). */
  readonly source: string;
  /** Nodes no other node reads from — the SaveImage nodes whose images end up in `/history` outputs. */
  readonly outputNodeIds: readonly string[];
  readonly placeholders: readonly PlaceholderUse[];
}

/** One problem found while loading: the file, the dotted field path inside it, and what is wrong. */
export interface TemplateIssue {
  file: string;
  field: string;
  message: string;
}

function issuesError(issues: readonly TemplateIssue[], context: string): ShowcaseError {
  const shown = issues.slice(0, 20).map((i) => `${i.file}: ${i.field}: ${i.message}`);
  if (issues.length > shown.length) shown.push(`… and ${issues.length - shown.length} more`);
  return new ShowcaseError('template_error', `${context}:\n  ${shown.join('\n  ')}`, {
    hint: 'Fix the template file(s) named above; workflow_templates/README.md describes the format.',
    details: { issues: issues.map((i) => ({ ...i })) },
  });
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

function collectLinks(graph: ComfyGraph): Set<string> {
  const sources = new Set<string>();
  const visit = (value: JsonValue): void => {
    if (isLinkValue(value) && typeof value[0] === 'string' && typeof value[1] === 'number') {
      sources.add(value[0]);
      return;
    }
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  for (const node of Object.values(graph)) Object.values(node.inputs).forEach(visit);
  return sources;
}

function protoKeyPaths(value: unknown, path: string[]): string[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
  return entries.flatMap(([k, v]) =>
    k === '__proto__' ? [fieldPath([...path, k])] : protoKeyPaths(v, [...path, k]),
  );
}

export function compareNodeIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Parses and checks one template; never throws — returns what it could build and every problem found. */
export function analyseTemplate(
  raw: unknown,
  source: string,
): { template: Template | null; issues: TemplateIssue[] } {
  const issues: TemplateIssue[] = [];
  const add = (field: string, message: string): void => {
    issues.push({ file: source, field, message });
  };

  // The schema parser silently drops "__proto__" keys; say so rather than lose data without a word.
  for (const path of protoKeyPaths(raw, [])) add(path, 'the key "__proto__" is not allowed');

  const parsed = TemplateFileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(fieldPath(issue.path), issue.message);
    return { template: null, issues };
  }
  const file = parsed.data;
  // The zod JSON type is structurally our JsonValue; the graph was fully validated above.
  const graph = file.graph as ComfyGraph;
  const params = file.params;

  if (!file.id.startsWith(`${file.family}.`))
    add('id', `must start with the family name ("${file.family}.")`);

  for (const [name, spec] of Object.entries(params)) {
    for (const [key, message] of specProblems(file.id, name, spec)) add(`params.${name}.${key}`, message);
  }

  const placeholders: PlaceholderUse[] = [];
  for (const [nodeId, node] of Object.entries(graph)) {
    if (PLACEHOLDER_LIKE_RE.test(node.class_type)) {
      add(`graph.${nodeId}.class_type`, 'must be a literal class name, not a placeholder');
    }
    const visit = (value: JsonValue, path: (string | number)[]): void => {
      if (typeof value === 'string') {
        const name = placeholderName(value);
        const field = `graph.${nodeId}.inputs.${path.join('.')}`;
        if (name !== null) {
          if (Object.hasOwn(params, name)) {
            placeholders.push({ param: name, nodeId, input: String(path[0]), path: [...path] });
          } else {
            add(field, `placeholder "{{${name}}}" is not declared in params`);
          }
        } else if (PLACEHOLDER_LIKE_RE.test(value)) {
          add(
            field,
            'a placeholder must be the whole string value (exactly "{{name}}"); text templating inside strings is not supported',
          );
        }
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          visit(v, [...path, i]);
        });
      } else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
      }
    };
    for (const [input, value] of Object.entries(node.inputs)) visit(value, [input]);
  }

  const used = new Set(placeholders.map((p) => p.param));
  for (const name of Object.keys(params)) {
    if (!used.has(name)) add(`params.${name}`, `is declared but "{{${name}}}" is not used in the graph`);
  }

  if (issues.length > 0) return { template: null, issues };

  const linked = collectLinks(graph);
  const outputNodeIds = Object.keys(graph)
    .filter((id) => !linked.has(id))
    .sort(compareNodeIds);
  const template: Template = {
    id: file.id,
    kind: file.kind,
    family: file.family,
    description: file.description,
    params,
    graph,
    source,
    outputNodeIds,
    placeholders,
  };
  return { template, issues };
}

/** Parses one template (already-parsed JSON); throws `template_error` listing every problem. */
export function parseTemplate(raw: unknown, source = '(inline template)'): Template {
  const { template, issues } = analyseTemplate(raw, source);
  if (template === null) throw issuesError(issues, `Template ${source} is invalid`);
  return template;
}

const familyOrder = (f: TemplateFamily): number => familyNames.indexOf(f);
const kindOrder = (k: TemplateKind): number => templateKinds.indexOf(k);

export class TemplateLibrary {
  readonly dir: string;
  readonly #templates: readonly Template[];
  readonly #byId: ReadonlyMap<string, Template>;

  constructor(templates: readonly Template[], dir = '(memory)') {
    this.dir = dir;
    const byId = new Map<string, Template>();
    const duplicates: TemplateIssue[] = [];
    for (const t of templates) {
      const previous = byId.get(t.id);
      if (previous !== undefined) {
        duplicates.push({
          file: t.source,
          field: 'id',
          message: `"${t.id}" is also used by ${previous.source}`,
        });
      }
      byId.set(t.id, t);
    }
    if (duplicates.length > 0) throw issuesError(duplicates, 'Duplicate template ids');
    this.#byId = byId;
    this.#templates = [...templates].sort(
      (a, b) =>
        familyOrder(a.family) - familyOrder(b.family) ||
        kindOrder(a.kind) - kindOrder(b.kind) ||
        a.id.localeCompare(b.id),
    );
  }

  get size(): number {
    return this.#templates.length;
  }

  /** Every template, ordered by family, kind, id. */
  all(family?: TemplateFamily): readonly Template[] {
    return family === undefined ? this.#templates : this.#templates.filter((t) => t.family === family);
  }

  /** Summaries (no graph) for the UI and the API, ordered by family, kind, id. */
  list(family?: TemplateFamily): TemplateSummary[] {
    return this.all(family).map((t) => ({
      id: t.id,
      kind: t.kind,
      family: t.family,
      description: t.description,
      params: structuredClone(t.params),
    }));
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The template with this id; `not_found` names the ids that exist. */
  get(id: string): Template {
    const t = this.#byId.get(id);
    if (t === undefined) {
      throw new ShowcaseError('not_found', `No workflow template "${id}" in ${this.dir}`, {
        hint: `Known templates: ${[...this.#byId.keys()].join(', ') || '(none)'}.`,
        details: { field: 'templateId', templateId: id },
      });
    }
    return t;
  }

  /**
   * The template for a family and kind: `<family>.<kind>` when it exists, else the first of that
   * family and kind by id; `undefined` when the family has none (e.g. `find('edit', 'hero')`).
   */
  find(family: TemplateFamily, kind: TemplateKind): Template | undefined {
    return this.#byId.get(`${family}.${kind}`) ?? this.all(family).find((t) => t.kind === kind);
  }
}

/** `<repo>/workflow_templates`, found by walking up from this module (works from `src/` and from a bundle in `out/`). */
export function defaultTemplatesDir(): string {
  return findAppPath('workflow_templates', 'directory') ?? resolve(process.cwd(), 'workflow_templates');
}

/**
 * Reads every `*.json` in `dir` as a template. Any problem in any file (bad JSON, a schema violation,
 * an undeclared or unused placeholder, a file name that does not match the id, a duplicate id) throws
 * one `template_error` listing them all with file and field.
 */
export async function loadTemplates(dir: string = defaultTemplatesDir()): Promise<TemplateLibrary> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new ShowcaseError(
      'template_error',
      `Cannot read the template folder ${dir}: ${(err as Error).message}`,
      {
        cause: err,
        details: { dir },
      },
    );
  }
  if (names.length === 0) {
    throw new ShowcaseError('template_error', `No template files (*.json) in ${dir}`, { details: { dir } });
  }

  const templates: Template[] = [];
  const issues: TemplateIssue[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      issues.push({ file: path, field: '(file)', message: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const result = analyseTemplate(raw, path);
    issues.push(...result.issues);
    if (result.template === null) continue;
    if (basename(name, '.json') !== result.template.id) {
      issues.push({
        file: path,
        field: 'id',
        message: `"${result.template.id}" must match the file name (${name})`,
      });
      continue;
    }
    templates.push(result.template);
  }
  if (issues.length > 0) throw issuesError(issues, `Invalid workflow templates in ${dir}`);
  return new TemplateLibrary(templates, dir);
}
