// `npm run test:faults`: runs every cell of the fault matrix (two at a time), prints a table of
// fault × phase → result and one plain `N passed, N failed` line, and writes
// test-results/faults.json for scripts/test-summary.ts. `-- <text>` runs only the cells whose fault
// or phase contains it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Cell, cells, concurrentCell } from './cells.ts';

const filter = process.argv.slice(2).join(' ').toLowerCase();
const all = [...cells, concurrentCell].filter(
  (c) => !filter || `${c.fault} ${c.phase}`.toLowerCase().includes(filter),
);
// Most of a cell is waiting (timeouts, back-offs, a server that is down): three at a time keep two
// cores busy without starving each other.
const concurrency = Number(process.env.FAULTS_CONCURRENCY ?? 3);

interface Result {
  cell: Cell;
  ok: boolean;
  note: string;
  ms: number;
}

async function runCell(cell: Cell): Promise<Result> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not end within ${cell.boundMs / 1000} s (hang)`)),
      cell.boundMs,
    );
  });
  try {
    const note = await Promise.race([cell.run(), bound]);
    return { cell, ok: true, note, ms: Date.now() - started };
  } catch (err) {
    return {
      cell,
      ok: false,
      note: err instanceof Error ? err.message : String(err),
      ms: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

const results: Result[] = [];
const queue = [...all];
const started = Date.now();
await Promise.all(
  Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let cell = queue.shift(); cell; cell = queue.shift()) {
      const result = await runCell(cell);
      results.push(result);
      console.log(
        `${result.ok ? 'ok  ' : 'FAIL'} ${cell.phase.padEnd(9)} ${cell.fault} (${(result.ms / 1000).toFixed(1)} s)`,
      );
      if (!result.ok) console.log(`     ${result.note.split('\n').join('\n     ')}`);
    }
  }),
);

results.sort((a, b) => all.indexOf(a.cell) - all.indexOf(b.cell));
const widths = [9, Math.max(5, ...results.map((r) => r.cell.fault.length)), 6];
console.log('');
console.log(`${'phase'.padEnd(widths[0] ?? 9)}  ${'fault'.padEnd(widths[1] ?? 5)}  result  detail`);
for (const r of results) {
  const detail = r.ok ? r.note : (r.note.split('\n')[0] ?? '').slice(0, 100);
  console.log(
    `${r.cell.phase.padEnd(widths[0] ?? 9)}  ${r.cell.fault.padEnd(widths[1] ?? 5)}  ${(r.ok ? 'pass' : 'FAIL').padEnd(6)}  ${detail}`,
  );
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log('');
console.log(`fault matrix: ${results.length} cells in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
const dir = resolve(import.meta.dirname, '../../test-results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'faults.json'), JSON.stringify({ name: 'faults', passed, failed, skipped: 0 }));
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
