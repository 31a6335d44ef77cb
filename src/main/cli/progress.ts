// Progress for `generate` / `demo`: bars per product and overall on a TTY, JSON lines with --json,
// plain lines otherwise (CI logs). Fed by the engine's typed events.
import type { EventName, EventPayload } from '../../shared/index.ts';
import { jsonLine, terminalInline, terminalSafe, writeRaw } from './terminal.ts';

interface ProductLine {
  galleryId: string;
  label: string;
  total: number;
  done: number;
  failed: number;
  current: string;
  step: { value: number; max: number } | null;
  status: string;
}

export interface ProgressReporter {
  onEvent<E extends EventName>(event: E, payload: EventPayload<E>): void;
  track(galleryId: string, label: string, jobs: number): void;
  stop(): void;
}

const BAR = 24;
function bar(fraction: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * BAR);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
}

export function createProgressReporter(
  mode: 'tty' | 'json' | 'plain',
  out: NodeJS.WriteStream = process.stdout,
): ProgressReporter {
  const lines = new Map<string, ProductLine>();
  let drawn = 0;
  let timer: NodeJS.Timeout | null = null;
  let dirty = false;

  const draw = () => {
    if (mode !== 'tty' || !dirty) return;
    dirty = false;
    const rows: string[] = [];
    let total = 0;
    let done = 0;
    for (const l of lines.values()) {
      total += l.total;
      done += l.done + l.failed;
    }
    rows.push(`overall  ${bar(total ? done / total : 0)} ${done}/${total} jobs`);
    const visible = [...lines.values()].filter((l) => l.status !== 'complete').slice(0, 12);
    for (const l of visible) {
      const step = l.step ? ` step ${l.step.value}/${l.step.max}` : '';
      const fail = l.failed ? ` ${l.failed} failed` : '';
      // Names and states come from sheets and backends: escaped before they reach the terminal.
      rows.push(
        `${terminalInline(l.label).slice(0, 28).padEnd(28)} ${bar(l.total ? (l.done + l.failed) / l.total : 0)} ${terminalInline(l.current)}${step}${fail}`,
      );
    }
    const hidden = lines.size - visible.length;
    if (hidden > 0) rows.push(`… ${hidden} more products`);
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    text += rows.map((r) => `\x1b[2K${r.slice(0, (out.columns ?? 120) - 1)}`).join('\n');
    text += '\n';
    // Clear lines left over from a taller previous frame.
    for (let i = rows.length; i < drawn; i++) text += '\x1b[2K\n';
    // Our own cursor movements go past the stream guard; the row text was escaped above.
    writeRaw(out, text);
    drawn = Math.max(rows.length, drawn);
  };

  if (mode === 'tty') {
    timer = setInterval(draw, 100);
    timer.unref();
  }

  const line = (galleryId: string): ProductLine | undefined => lines.get(galleryId);

  /** Text that stays on screen: the bars are erased, the text printed, and the bars redrawn below it. */
  const printAbove = (text: string) => {
    let erase = '';
    if (drawn > 0) {
      erase = `\x1b[${drawn}A${'\x1b[2K\n'.repeat(drawn)}\x1b[${drawn}A`;
      drawn = 0;
    }
    out.write(erase + text);
    dirty = true;
  };

  return {
    track(galleryId, label, jobs) {
      lines.set(galleryId, {
        galleryId,
        label,
        total: jobs,
        done: 0,
        failed: 0,
        current: 'queued',
        step: null,
        status: 'queued',
      });
      dirty = true;
    },
    onEvent(event, payload) {
      if (mode === 'json') {
        if (event === 'job.preview') return; // previews are large and only useful to a UI
        out.write(`${jsonLine({ event, ...(payload as object) })}\n`);
        return;
      }
      const p = payload as Record<string, unknown>;
      const l = typeof p.galleryId === 'string' ? line(p.galleryId) : undefined;
      switch (event) {
        case 'job.started':
          if (l) {
            l.current = String(p.kind);
            l.step = null;
          }
          break;
        case 'job.progress':
          if (l) l.step = { value: Number(p.value), max: Number(p.max) };
          break;
        case 'job.completed':
          if (l) {
            l.done += 1;
            l.step = null;
          }
          break;
        case 'job.failed':
          if (l && !p.willRetry) l.failed += 1;
          if (mode === 'plain' || mode === 'tty') {
            const label = l?.label ?? String(p.galleryId);
            const info = p.errorInfo as { code?: string } | undefined;
            // A backend that is down is waited for (no attempt spent): say that, not "failed".
            const how = !p.willRetry
              ? 'failed'
              : info?.code === 'backend_unreachable'
                ? 'waits for its backend'
                : 'failed, retrying';
            const msg = `${label}: ${String(p.kind)} ${how} — ${String(p.error)}`;
            if (mode === 'plain') out.write(`${terminalSafe(msg)}\n`);
          }
          break;
        case 'job.status': {
          // What the job waits for, in words: the TTY line shows it; plain logs only the waits
          // that can last (a model load, a backend that is down, a stalled prompt).
          const status = payload as EventPayload<'job.status'>;
          if (l) {
            const on = status.backend ? ` on ${status.backend}` : '';
            l.current =
              status.state === 'queued-on-backend'
                ? `${status.kind} queued${on}`
                : status.state === 'running'
                  ? `${status.kind}${on}`
                  : `${status.kind}: ${status.detail}`;
          }
          // (A backend that is down is told once by the engine's log, not once per waiting job.)
          if (mode === 'plain' && (status.state === 'loading-model' || status.state === 'stalled'))
            out.write(`${l?.label ?? status.galleryId}: ${status.kind} ${status.detail}\n`);
          break;
        }
        case 'showcase.updated': {
          const g = (payload as EventPayload<'showcase.updated'>).gallery;
          if (l) {
            l.status = g.status;
            l.current = g.status;
          }
          if (mode === 'plain' && ['complete', 'partial', 'failed'].includes(g.status)) {
            const fallback =
              g.status === 'complete' && g.copy?.source === 'fallback' ? ', fallback copy' : '';
            out.write(`${terminalInline(l?.label ?? g.productId)}: ${g.status}${fallback}\n`);
          }
          break;
        }
        case 'backend.notice': {
          // Once per backend (the engine sends it once): e.g. no live previews and how to turn them on.
          const n = payload as EventPayload<'backend.notice'>;
          const text = `Note: ${n.message}\n  What to do: ${n.hint}\n`;
          if (mode === 'plain') out.write(text);
          else printAbove(text);
          break;
        }
        default:
          break;
      }
      dirty = true;
    },
    stop() {
      if (timer) clearInterval(timer);
      dirty = true;
      draw();
    },
  };
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A plain text table (no dependency): columns padded to their widest cell. */
export function table(headers: string[], rawRows: string[][]): string {
  // Escaped before measuring, so a control character can neither act nor break the columns.
  const rows = rawRows.map((r) => r.map(terminalInline));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '─'.repeat(w))), ...rows.map(fmt)].join('\n');
}
