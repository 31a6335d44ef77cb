// Sums the JSON reports of every runner in a folder and prints the one line CI reads:
// `N passed, N failed` (`, N skipped` when any). Exits 1 when anything failed or nothing ran.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

const dir = process.argv[2] ?? 'test-results';
const totals: Totals = { passed: 0, failed: 0, skipped: 0 };

function addVitest(report: Record<string, unknown>): void {
  totals.passed += Number(report.numPassedTests ?? 0);
  totals.failed += Number(report.numFailedTests ?? 0);
  totals.skipped += Number(report.numPendingTests ?? 0) + Number(report.numTodoTests ?? 0);
  // A suite that failed to load has no tests but must count as a failure.
  const suites = Array.isArray(report.testResults) ? report.testResults : [];
  for (const suite of suites as Array<Record<string, unknown>>) {
    const assertions = Array.isArray(suite.assertionResults) ? suite.assertionResults : [];
    if (suite.status === 'failed' && assertions.length === 0) totals.failed += 1;
  }
}

function addPlaywright(report: Record<string, unknown>): void {
  const stats = (report.stats ?? {}) as Record<string, unknown>;
  totals.passed += Number(stats.expected ?? 0) + Number(stats.flaky ?? 0);
  totals.failed += Number(stats.unexpected ?? 0);
  totals.skipped += Number(stats.skipped ?? 0);
  const errors = Array.isArray(report.errors) ? report.errors : [];
  totals.failed += errors.length;
}

function addCheck(report: Record<string, unknown>): void {
  totals.passed += Number(report.passed ?? 0);
  totals.failed += Number(report.failed ?? 0);
  totals.skipped += Number(report.skipped ?? 0);
}

let files: string[] = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  files = [];
}
for (const file of files.sort()) {
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  } catch {
    console.error(`test-summary: ${file} is not valid JSON; counted as one failure`);
    totals.failed += 1;
    continue;
  }
  if (file.startsWith('vitest')) addVitest(report);
  else if (file.startsWith('playwright')) addPlaywright(report);
  else if (file.startsWith('check-') || file.startsWith('n8n') || file.startsWith('faults')) addCheck(report);
}

const ran = totals.passed + totals.failed;
if (ran === 0) {
  console.error('test-summary: no test ran');
  totals.failed += 1;
}
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed > 0 ? 1 : 0);
