// Runs the n8n tier with the Node test runner, prints the spec report, and writes
// test-results/n8n.json as {"passed": N, "failed": N, "skipped": N} for the summary script.
// Exits 1 when a test failed or none ran.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { ROOT } from './harness.ts';

const files = [join(ROOT, 'test', 'n8n', 'workflows.test.ts')];
const totals = { passed: 0, failed: 0, skipped: 0 };

const stream = run({ files, concurrency: 1, timeout: 170_000 });
// Failures reported so far below each nesting level, so a suite that fails only through a hook
// (before/after) counts once, and a suite whose tests failed does not count again.
const failuresBelow: number[] = [];
const settleSuite = (nesting: number): boolean => {
  const childFailed = (failuresBelow[nesting + 1] ?? 0) > 0;
  failuresBelow[nesting + 1] = 0;
  return childFailed;
};
const markFailed = (nesting: number) => {
  failuresBelow[nesting] = (failuresBelow[nesting] ?? 0) + 1;
};
stream.on('test:pass', (event) => {
  if (event.details.type === 'suite') {
    if (settleSuite(event.nesting)) markFailed(event.nesting);
    return;
  }
  if (event.skip || event.todo) totals.skipped += 1;
  else totals.passed += 1;
});
stream.on('test:fail', (event) => {
  if (event.details.type === 'suite' && settleSuite(event.nesting)) {
    markFailed(event.nesting);
    return;
  }
  totals.failed += 1;
  markFailed(event.nesting);
});
stream.compose(spec).pipe(process.stdout);

await new Promise<void>((resolve) => stream.once('end', () => resolve()));
const dir = join(ROOT, 'test-results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'n8n.json'), `${JSON.stringify({ name: 'n8n', ...totals })}\n`);
console.log(`n8n tier: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 || totals.passed === 0 ? 1 : 0;
