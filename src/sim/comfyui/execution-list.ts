// What runs and in which order (§9): the classic cache keys of a graph's nodes and the execution list
// that walks from the outputs. Links are `[source_node_id, output_index]`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApiGraph } from './faults.ts';
import type { SimFiles } from './files.ts';
import { isPlainObject, PyError, pyStr } from './pyjson.ts';

export function isLink(value: unknown): value is [string, number] {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number'
  );
}

/**
 * Classic cache keys: class + literal inputs + the keys of linked ancestors (+ LoadImage's file hash,
 * its IS_CHANGED). Identical sub-graphs get identical keys, so a new seed re-runs only what is
 * downstream of the sampler.
 */
export function computeSignatures(graph: ApiGraph, files: SimFiles): Map<string, string> {
  const sigs = new Map<string, string>();
  const visiting = new Set<string>();
  const sig = (id: string): string => {
    const known = sigs.get(id);
    if (known) return known;
    const node = graph[id];
    if (!node || !isPlainObject(node) || visiting.has(id)) return `unkeyable:${id}:${Math.random()}`;
    visiting.add(id);
    const inputs = isPlainObject(node.inputs) ? node.inputs : {};
    const parts: unknown[] = [node.class_type];
    for (const key of Object.keys(inputs).sort()) {
      const v = inputs[key];
      parts.push(isLink(v) && graph[v[0]] ? [key, 'link', sig(v[0]), v[1]] : [key, 'value', v]);
    }
    if (node.class_type === 'LoadImage') {
      try {
        parts.push(
          createHash('sha256')
            .update(readFileSync(files.imagePath(pyStr(inputs.image))))
            .digest('hex'),
        );
      } catch {
        parts.push('missing');
      }
    }
    visiting.delete(id);
    const key = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
    sigs.set(id, key);
    return key;
  };
  for (const id of Object.keys(graph)) sig(id);
  return sigs;
}

/**
 * The order nodes run in: depth-first from the outputs (skipping cached inputs), then among the
 * ready nodes prefer outputs, then nodes that unblock an output, then nodes two steps from one.
 */
export class ExecutionList {
  private readonly pending = new Map<string, true>();
  private readonly blockCount = new Map<string, number>();
  private readonly blocking = new Map<string, Set<string>>();
  private readonly graph: ApiGraph;
  private readonly isCached: (id: string) => boolean;
  private readonly isOutput: (id: string) => boolean;

  constructor(graph: ApiGraph, isCached: (id: string) => boolean, isOutput: (id: string) => boolean) {
    this.graph = graph;
    this.isCached = isCached;
    this.isOutput = isOutput;
  }

  add(id: string): void {
    const stack = [id];
    const links: [string, string][] = [];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      if (this.pending.has(current)) continue;
      this.pending.set(current, true);
      this.blockCount.set(current, 0);
      this.blocking.set(current, new Set());
      const inputs = this.graph[current]?.inputs ?? {};
      for (const value of Object.values(inputs)) {
        if (!isLink(value) || !this.graph[value[0]] || this.isCached(value[0])) continue;
        stack.push(value[0]);
        links.push([value[0], current]);
      }
    }
    for (const [from, to] of links) {
      const blocked = this.blocking.get(from);
      if (!blocked || blocked.has(to)) continue;
      blocked.add(to);
      this.blockCount.set(to, (this.blockCount.get(to) ?? 0) + 1);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  ids(): string[] {
    return [...this.pending.keys()];
  }

  /** The next node to run, or null when done. Throws on a dependency cycle. */
  next(): string | null {
    if (this.pending.size === 0) return null;
    const ready = [...this.pending.keys()].filter((id) => (this.blockCount.get(id) ?? 0) === 0);
    if (ready.length === 0) throw new PyError('graph.DependencyCycleError', 'Dependency cycle detected');
    const blockedBy = (id: string) => [...(this.blocking.get(id) ?? [])];
    return (
      ready.find((id) => this.isOutput(id)) ??
      ready.find((id) => blockedBy(id).some((b) => this.isOutput(b))) ??
      ready.find((id) => blockedBy(id).some((b) => blockedBy(b).some((c) => this.isOutput(c)))) ??
      (ready[0] as string)
    );
  }

  complete(id: string): void {
    this.pending.delete(id);
    for (const blocked of this.blocking.get(id) ?? []) {
      this.blockCount.set(blocked, (this.blockCount.get(blocked) ?? 1) - 1);
    }
  }
}
