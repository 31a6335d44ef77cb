// Sets the values of a shipped workflow's "Config" node before import, so an installation's backend
// addresses never have to be typed into the editor (and tests can point the workflow at simulators):
//
//   node resources/n8n/configure.ts resources/n8n/product-showcase.json \
//     ollamaUrl=http://gpu-box:11434 comfyUrl=http://gpu-box:8188 mailTo=team@example.com > showcase.json
//
// Only keys that already exist in the Config node are accepted; numbers stay numbers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ConfigValue = string | number;

interface WorkflowLike {
  nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
}

const CONFIG_NODE = 'Config';
const LINE = /^(\s+)([A-Za-z][A-Za-z0-9]*): (.*),$/;

function configBlock(jsCode: string): { start: number; end: number; lines: string[] } {
  const lines = jsCode.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'const config = {');
  const end = lines.findIndex((line, i) => i > start && line.trim() === '};');
  if (start < 0 || end < 0) throw new Error('the Config node has no "const config = { … };" block');
  return { start, end, lines };
}

function parseLiteral(text: string): ConfigValue {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(text) ?? /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  if (!quoted) throw new Error(`unsupported Config value ${text}`);
  return JSON.parse(`"${(quoted[1] ?? '').replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
}

function configNode(workflow: WorkflowLike): { parameters: Record<string, unknown> & { jsCode: string } } {
  const node = workflow.nodes.find((n) => n.name === CONFIG_NODE && n.type === 'n8n-nodes-base.code');
  const jsCode = node?.parameters.jsCode;
  if (!node || typeof jsCode !== 'string') throw new Error('the workflow has no "Config" Code node');
  return node as typeof node & { parameters: { jsCode: string } };
}

/** The values of the Config node, as written in the workflow. */
export function readConfig(workflow: WorkflowLike): Record<string, ConfigValue> {
  const { start, end, lines } = configBlock(configNode(workflow).parameters.jsCode);
  const values: Record<string, ConfigValue> = {};
  for (const line of lines.slice(start + 1, end)) {
    const m = LINE.exec(line);
    if (!m?.[2] || m[3] === undefined) throw new Error(`unexpected line in the Config block: ${line}`);
    values[m[2]] = parseLiteral(m[3]);
  }
  return values;
}

/** A copy of the workflow whose Config node carries `values` (keys must exist; types are kept). */
export function configureWorkflow<W extends WorkflowLike>(
  workflow: W,
  values: Record<string, ConfigValue>,
): W {
  const copy = structuredClone(workflow);
  const node = configNode(copy);
  const current = readConfig(copy);
  const { start, end, lines } = configBlock(node.parameters.jsCode);
  for (const [key, raw] of Object.entries(values)) {
    if (!(key in current))
      throw new Error(`Config has no key "${key}" (known: ${Object.keys(current).join(', ')})`);
    const isNumber = typeof current[key] === 'number';
    const value = isNumber ? Number(raw) : String(raw);
    if (isNumber && !Number.isFinite(value)) throw new Error(`Config ${key} must be a number, got "${raw}"`);
    const index = lines.findIndex((line, i) => i > start && i < end && LINE.exec(line)?.[2] === key);
    const indent = LINE.exec(lines[index] ?? '')?.[1] ?? '  ';
    lines[index] = `${indent}${key}: ${isNumber ? String(value) : JSON.stringify(value)},`;
  }
  node.parameters.jsCode = lines.join('\n');
  return copy;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? args.splice(outIndex, 2)[1] : undefined;
  const [file, ...pairs] = args;
  if (!file) {
    console.error('usage: node resources/n8n/configure.ts <workflow.json> key=value … [--out file]');
    process.exit(2);
  }
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`expected key=value, got "${pair}"`);
    values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const workflow = JSON.parse(readFileSync(file, 'utf8')) as WorkflowLike;
  const text = `${JSON.stringify(configureWorkflow(workflow, values), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
