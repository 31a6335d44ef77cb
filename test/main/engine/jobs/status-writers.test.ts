// One owner for a job's life: no module but the lifecycle writes a job, asset or gallery status.
// The scan reads every source file under src/ and looks for the store calls and the SQL that change
// a status; the repositories themselves (src/main/engine/store/) are where that SQL lives.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../../..');
const SRC = join(ROOT, 'src');
const OWNER = 'src/main/engine/jobs/lifecycle.ts';
const STORE = 'src/main/engine/store/';
/** Writers that are no part of any job's life, each with the reason. */
const EXEMPT: Record<string, string> = {
  'src/main/engine/sync/bench.ts': 'seeds 10,000 finished galleries as fixture data for the sync benchmark',
};

/** Journal calls that change a job's status (or adopt / submit it). */
const JOB_WRITE =
  /\bjobs\s*\.\s*(enqueue|markRunning|markDone|markFailed|markCancelled|requeue|setComfyPromptId|recoverInterrupted)\s*\(/g;
/** Creating galleries and assets writes their first status. */
const CREATE = /\b(assets|galleries)\s*\.\s*(create|createSet)\s*\(/g;
const UPDATE = /\b(assets|galleries)\s*\.\s*update\s*\(/g;
/** A `status` key in an object literal: `status: x`, `{ status }`, `status,`. */
const STATUS_KEY = /(^|[{,\s])status\s*(:|,|\})/;
const SQL = /\b(UPDATE|INSERT\s+(OR\s+\w+\s+)?INTO)\s+(jobs|assets|product_galleries)\b/gi;

interface Violation {
  file: string;
  line: number;
  what: string;
}

/** The text of a call's argument list starting at the `(` at `open` (balanced parentheses). */
function callArguments(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '(') depth += 1;
    else if (c === ')') {
      depth -= 1;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return source.slice(open + 1);
}

function statusWrites(file: string, source: string): Violation[] {
  const out: Violation[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  for (const m of source.matchAll(JOB_WRITE))
    out.push({ file, line: lineOf(m.index), what: `jobs.${m[1]}()` });
  for (const m of source.matchAll(CREATE))
    out.push({ file, line: lineOf(m.index), what: `${m[1]}.${m[2]}()` });
  for (const m of source.matchAll(UPDATE)) {
    const args = callArguments(source, m.index + m[0].length - 1);
    if (STATUS_KEY.test(args)) out.push({ file, line: lineOf(m.index), what: `${m[1]}.update({ status })` });
  }
  for (const m of source.matchAll(SQL)) out.push({ file, line: lineOf(m.index), what: `SQL ${m[0]}` });
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => join(dir, f));
}

describe('status writers', () => {
  it('finds a status write in code that is not the lifecycle (the scan itself can fail)', () => {
    const sample = [
      'store.jobs.markDone(job.id);',
      "this.store.assets.update(asset.id, {\n  seed,\n  status: 'running',\n});",
      'store.galleries.update(id, { status });',
      'store.galleries.update(id, { copy, approved: true });',
      'store.assets.createSet(galleryId, drafts);',
      "db.prepare(`UPDATE jobs SET status = 'done' WHERE id = ?`);",
      'scheduler.cancel({ jobId });',
    ].join('\n');
    expect(statusWrites('sample.ts', sample).map((v) => v.what)).toEqual([
      'jobs.markDone()',
      'assets.createSet()',
      'assets.update({ status })',
      'galleries.update({ status })',
      'SQL UPDATE jobs',
    ]);
  });

  it('finds none outside the lifecycle module and the store', () => {
    const violations = sourceFiles(SRC)
      .map((path) => ({ path, file: relative(ROOT, path).split('\\').join('/') }))
      .filter(({ file }) => file !== OWNER && !file.startsWith(STORE) && !(file in EXEMPT))
      .flatMap(({ path, file }) => statusWrites(file, readFileSync(path, 'utf8')));
    expect(violations.map((v) => `${v.file}:${v.line} ${v.what}`)).toEqual([]);
  });

  it('has the lifecycle write every kind of status it owns', () => {
    const found = statusWrites(OWNER, readFileSync(join(ROOT, OWNER), 'utf8')).map((v) => v.what);
    for (const what of [
      'jobs.enqueue()',
      'jobs.markRunning()',
      'jobs.setComfyPromptId()',
      'jobs.markDone()',
      'jobs.markFailed()',
      'jobs.markCancelled()',
      'jobs.requeue()',
      'galleries.create()',
      'assets.createSet()',
    ])
      expect(found).toContain(what);
  });
});
