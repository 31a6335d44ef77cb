// The shape of a batch of jobs before it enters the journal: a cycle would leave its jobs queued forever.
import { ShowcaseError } from '../../../shared/index.ts';

/** What `assertAcyclic` needs of a job draft. */
export interface DependencyNode {
  dependsOn?: readonly string[] | undefined;
}

/** Rejects a batch whose dependencies (within the batch) form a cycle: those jobs could never run. */
export function assertAcyclic(batch: ReadonlyMap<string, DependencyNode>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of batch.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS: a 10,000-job chain must not overflow the JS stack.
    const stack: Array<{ id: string; deps: string[]; i: number }> = [];
    const push = (id: string) => {
      state.set(id, 'visiting');
      stack.push({ id, deps: (batch.get(id)?.dependsOn ?? []).filter((d) => batch.has(d)), i: 0 });
    };
    push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; deps: string[]; i: number };
      const dep = top.deps[top.i++];
      if (dep === undefined) {
        state.set(top.id, 'done');
        stack.pop();
      } else if (state.get(dep) === 'visiting') {
        if (dep === top.id) continue; // a self-dependency gets its own, clearer error
        throw new ShowcaseError('invalid_input', `jobs: dependency cycle through ${top.id} and ${dep}`, {
          details: { fields: ['dependsOn'], jobIds: [top.id, dep] },
        });
      } else if (!state.has(dep)) {
        push(dep);
      }
    }
  }
}
