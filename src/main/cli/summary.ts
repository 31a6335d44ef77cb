// The end of a `generate` / `demo` / `rerun`: a table of per-asset times (status column short, the
// cause of anything not complete on its own lines under the table), one count line, the gallery
// link when that file exists, and the exit code:
//   0  every showcase complete with the LLM's copy
//   1  at least one showcase partial, failed or cancelled (or the run could not start at all)
//   2  nothing was started: an unfinished run of the sheet needs --resume or --restart
//   3  every showcase complete, but at least one with the fallback copy (the LLM's answers were unusable)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { formatMs, table } from './progress.ts';

export const EXIT = { ok: 0, incomplete: 1, refused: 2, fallbackCopy: 3 } as const;

export interface RunResult {
  complete: number;
  /** Complete showcases whose copy is the deterministic fallback (counted in `complete` too). */
  fallbackCopy: number;
  partial: number;
  failed: number;
}

export function exitCodeFor(result: RunResult): number {
  if (result.partial + result.failed > 0) return EXIT.incomplete;
  if (result.fallbackCopy > 0) return EXIT.fallbackCopy;
  return EXIT.ok;
}

export function countLine(result: RunResult, ms: number): string {
  const fallback = result.fallbackCopy > 0 ? ` (${result.fallbackCopy} with fallback copy)` : '';
  return `${result.complete} complete${fallback}, ${result.partial} partial, ${result.failed} failed in ${formatMs(ms)}`;
}

/** Prints the summary (table or one JSON line) and returns the counts. */
export async function printSummary(
  engine: Engine,
  galleryIds: readonly string[],
  opts: { json: boolean; startedAt: number },
): Promise<RunResult> {
  const result: RunResult = { complete: 0, fallbackCopy: 0, partial: 0, failed: 0 };
  const rows: string[][] = [];
  const causes: string[] = [];
  const showcases: Array<Record<string, unknown>> = [];
  for (const id of galleryIds) {
    const s = engine.showcase(id);
    const fallback = s.gallery.copy?.source === 'fallback';
    let status: string = s.gallery.status;
    if (s.gallery.status === 'complete') {
      result.complete += 1;
      if (fallback) {
        result.fallbackCopy += 1;
        status = 'complete, fallback copy';
      }
    } else if (s.gallery.status === 'partial') result.partial += 1;
    else result.failed += 1;
    const doc = await engine.galleryDocument(id).catch(() => null);
    const t = (kind: string, idx = 0) => {
      const a = doc?.assets.find((x) => x.kind === kind && x.idx === idx);
      const ms = a ? doc?.timings.assets[a.filename] : undefined;
      return ms ? formatMs(ms) : a?.status === 'done' ? 'cached' : '—';
    };
    const variations = s.assets.filter((a) => a.kind === 'variation').map((a) => t('variation', a.idx));
    rows.push([
      s.product.id,
      status,
      t('hero'),
      t('lifestyle'),
      variations.join(' ') || '—',
      t('thumbnail'),
      doc?.timings.totalMs ? formatMs(doc.timings.totalMs) : '—',
    ]);
    if (s.gallery.error) causes.push(`${s.product.id}: ${s.gallery.error}`);
    if (fallback && s.gallery.status === 'complete')
      causes.push(
        `${s.product.id}: the LLM's answers were unusable; the copy is the fallback template (edit it, or re-run the copy)`,
      );
    showcases.push({
      productId: s.product.id,
      galleryId: id,
      status: s.gallery.status,
      copy: s.gallery.copy?.source ?? null,
      error: s.gallery.error,
    });
  }
  const index = join(engine.outputRoot, 'index.html');
  const hasIndex = existsSync(index);
  const ms = Date.now() - opts.startedAt;
  if (opts.json) {
    console.log(
      JSON.stringify({
        event: 'summary',
        ...result,
        exitCode: exitCodeFor(result),
        showcases,
        outputRoot: engine.outputRoot,
        gallery: hasIndex ? index : null,
        totalMs: ms,
      }),
    );
    return result;
  }
  console.log('');
  console.log(
    table(['product', 'status', 'hero', 'lifestyle', 'variations', 'thumbnail', 'done after'], rows),
  );
  if (causes.length > 0) {
    console.log('');
    for (const cause of causes) console.log(`↳ ${cause}`);
  }
  console.log('');
  console.log(countLine(result, ms));
  if (hasIndex) console.log(`Gallery: ${index}`);
  else console.log(`No gallery page was written (nothing complete or partial) under ${engine.outputRoot}`);
  return result;
}
