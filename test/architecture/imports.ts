// Reads every import of a source file with a real TypeScript parser (oxc, through rolldown's
// `parseAst`; TypeScript 7 ships no compiler API) and checks it against the folder rules in rules.ts.
// Static imports, `export … from`, `import type`, dynamic `import()` and `import('x').T` type queries
// all count: a type-only import still couples the folders.

import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { posix, relative, sep } from 'node:path';
import { parseAst } from 'rolldown/parseAst';
import type { ImportRule } from './rules.ts';

export interface FoundImport {
  specifier: string;
  /** Repo-relative path for a relative import, the package name (or `node:x`) otherwise. */
  target: string;
  line: number;
}

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
  why: string;
}

type AstNode = { type?: unknown; start?: unknown; [key: string]: unknown };

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string';
}

function literal(value: unknown): string | null {
  if (!isNode(value)) return null;
  if (value.type === 'Literal' && typeof value.value === 'string') return value.value;
  // `import('x').T` in older ESTree shapes wraps the literal in a TSLiteralType.
  if (value.type === 'TSLiteralType') return literal(value.literal);
  return null;
}

function specifierOf(node: AstNode): string | null {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
    case 'ImportExpression':
      return literal(node.source);
    case 'TSImportType':
      return literal(node.source) ?? literal(node.argument);
    default:
      return null;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const builtins = new Set(builtinModules);

function targetOf(file: string, specifier: string): string {
  if (specifier.startsWith('.')) return posix.normalize(posix.join(posix.dirname(file), specifier));
  if (specifier.startsWith('node:')) return specifier;
  const bare = specifier.split('/')[0] ?? specifier;
  return builtins.has(bare) ? `node:${specifier}` : specifier;
}

/** Every import of `text`, read as the file at repo-relative `file`. */
export function importsOf(file: string, text: string): FoundImport[] {
  const lang = file.endsWith('.tsx') ? 'tsx' : 'ts';
  const program = parseAst(text, { lang }, file) as unknown as AstNode;
  const found: FoundImport[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!isNode(node)) return;
    const specifier = specifierOf(node);
    if (specifier !== null) {
      const start = typeof node.start === 'number' ? node.start : 0;
      found.push({ specifier, target: targetOf(file, specifier), line: lineAt(text, start) });
    }
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'type' && typeof child === 'object') visit(child);
    }
  };
  visit(program);
  return found;
}

function matches(target: string, pattern: string): boolean {
  if (pattern.startsWith('src/'))
    return pattern.endsWith('/') ? target.startsWith(pattern) : target === pattern;
  if (pattern === 'node:') return target.startsWith('node:');
  if (target.startsWith('src/') || target.startsWith('node:')) return false;
  return target === pattern || target.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
}

function applies(rule: ImportRule, file: string): boolean {
  if (!rule.from.some((prefix) => file.startsWith(prefix))) return false;
  return !(rule.except ?? []).some((prefix) => file.startsWith(prefix));
}

function breaks(rule: ImportRule, target: string): boolean {
  if (rule.forbid?.some((pattern) => matches(target, pattern))) return true;
  return rule.allowOnly !== undefined && !rule.allowOnly.some((pattern) => matches(target, pattern));
}

/** `engine/queue/scheduler.ts` → `queue` under `src/main/engine/`; null outside a capability. */
function capabilityOf(path: string, root: string): { name: string; rest: string } | null {
  if (!path.startsWith(root)) return null;
  const [name, ...rest] = path.slice(root.length).split('/');
  return name !== undefined && rest.length > 0 ? { name, rest: rest.join('/') } : null;
}

const CAPABILITY_RULE = 'capabilities meet through index.ts';
const CAPABILITY_WHY =
  "a capability's index.ts is its public surface; anything else may change without notice";

function crossesCapability(
  file: string,
  target: string,
  roots: readonly string[],
  composition: readonly string[],
): boolean {
  if (composition.some((folder) => file.startsWith(folder))) return false;
  return roots.some((root) => {
    const from = capabilityOf(file, root);
    const to = capabilityOf(target, root);
    return from !== null && to !== null && from.name !== to.name && to.rest !== 'index.ts';
  });
}

/** The rule violations of one file (repo-relative path, its text). */
export function checkSource(
  file: string,
  text: string,
  rules: readonly ImportRule[],
  roots: readonly string[] = [],
  composition: readonly string[] = [],
): Violation[] {
  const active = rules.filter((rule) => applies(rule, file));
  const violations: Violation[] = [];
  for (const found of importsOf(file, text)) {
    for (const rule of active) {
      if (breaks(rule, found.target)) {
        violations.push({
          file,
          line: found.line,
          specifier: found.specifier,
          rule: rule.name,
          why: rule.why,
        });
      }
    }
    if (crossesCapability(file, found.target, roots, composition)) {
      const { line, specifier } = found;
      violations.push({ file, line, specifier, rule: CAPABILITY_RULE, why: CAPABILITY_WHY });
    }
  }
  return violations;
}

async function sourceFiles(root: string, folder: string): Promise<string[]> {
  const entries = await readdir(`${root}/${folder}`, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|cts)$/.test(e.name))
    .map((e) => relative(root, `${e.parentPath}/${e.name}`).split(sep).join('/'))
    .sort();
}

/** Checks every TypeScript file under `root/src`. */
export async function checkTree(
  root: string,
  rules: readonly ImportRule[],
  roots: readonly string[] = [],
  composition: readonly string[] = [],
): Promise<{ files: number; violations: Violation[] }> {
  const files = await sourceFiles(root, 'src');
  const violations: Violation[] = [];
  for (const file of files) {
    violations.push(
      ...checkSource(file, await readFile(`${root}/${file}`, 'utf8'), rules, roots, composition),
    );
  }
  return { files: files.length, violations };
}

export function describeViolation(v: Violation): string {
  return `${v.file}:${v.line} imports '${v.specifier}' — ${v.rule} (${v.why})`;
}
