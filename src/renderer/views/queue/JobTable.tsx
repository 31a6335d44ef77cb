// Running jobs (from `queue.status`) joined with live progress (events), plus recently finished ones.
import { useEffect, useState } from 'react';
import type { Job } from '../../../shared/index.ts';
import { itemForGallery, useCatalog } from '../../state/catalog.ts';
import { type LiveJob, type LiveWait, useLive, waitChip } from '../../state/live.ts';
import { useNav } from '../../state/nav.ts';
import { useQueue } from '../../state/queue.ts';
import { IconButton } from '../../ui/Button.tsx';
import { formatDuration } from '../../ui/format.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';
import { StatusChip } from '../../ui/StatusChip.tsx';

/** Re-renders every second while mounted, for elapsed timers. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function productName(galleryId: string): string {
  const item = itemForGallery(useCatalog.getState().items, galleryId);
  return item?.product.name ?? galleryId.slice(0, 8);
}

function kindLabel(kind: string, assetId: string | null): string {
  const idx = assetId?.split(':').pop();
  return kind === 'variation' && idx ? `variation ${idx}` : kind;
}

interface Row {
  jobId: string;
  galleryId: string;
  assetId: string | null;
  kind: string;
  state: string;
  backend: string | null;
  value: number;
  max: number;
  queuedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  wait?: LiveWait | null;
}

function toRows(
  running: Job[],
  finished: Job[],
  live: Record<string, LiveJob>,
): { active: Row[]; recent: Row[] } {
  const seen = new Set<string>();
  const active: Row[] = [];
  for (const job of running) {
    const l = live[job.id];
    seen.add(job.id);
    active.push({
      jobId: job.id,
      galleryId: job.galleryId,
      assetId: job.assetId,
      kind: job.kind,
      state: l?.state === 'retrying' ? 'retrying' : job.status,
      // The live one first: a team job's record says `team`, its events name the worker and GPU.
      backend: l?.backend ?? job.backend ?? null,
      value: l?.value ?? 0,
      max: l?.max ?? 0,
      queuedAt: Date.parse(job.queuedAt) || null,
      startedAt: job.startedAt ? Date.parse(job.startedAt) : (l?.startedAt ?? null),
      finishedAt: null,
      wait: l?.wait ?? null,
    });
  }
  const recent: Row[] = [];
  for (const l of Object.values(live)) {
    if (seen.has(l.jobId)) continue;
    const row: Row = { ...l };
    if (l.state === 'running' || l.state === 'retrying') active.push(row);
    else if (l.state === 'done' || l.state === 'failed') recent.push(row);
  }
  // Jobs that finished before this window was opened (or reloaded) are only known to the engine.
  for (const job of finished) {
    if (seen.has(job.id) || live[job.id]) continue;
    seen.add(job.id);
    recent.push({
      jobId: job.id,
      galleryId: job.galleryId,
      assetId: job.assetId,
      kind: job.kind,
      state: job.status,
      backend: job.backend,
      value: 0,
      max: 0,
      queuedAt: Date.parse(job.queuedAt) || null,
      startedAt: job.startedAt ? Date.parse(job.startedAt) || null : null,
      finishedAt: job.finishedAt ? Date.parse(job.finishedAt) || null : null,
    });
  }
  recent.sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0));
  return { active, recent: recent.slice(0, 30) };
}

function JobRow({ row, now, finished }: { row: Row; now: number; finished: boolean }) {
  const cancelling = useQueue((s) => Boolean(s.busy[`cancel:${row.jobId}`]));
  const wait = row.startedAt && row.queuedAt ? row.startedAt - row.queuedAt : null;
  const run = row.startedAt ? (row.finishedAt ?? now) - row.startedAt : null;
  return (
    <tr data-testid="job-row" data-job-id={row.jobId} data-state={row.state} data-kind={row.kind}>
      <td>
        <button
          type="button"
          className="link-button"
          onClick={() => useNav.getState().openShowcase(row.galleryId)}
        >
          {productName(row.galleryId)}
        </button>
      </td>
      <td className="cap">{kindLabel(row.kind, row.assetId)}</td>
      <td>
        <StatusChip
          status={row.state === 'running' ? (waitChip(row.wait)?.status ?? row.state) : row.state}
          {...(row.state === 'running' && row.wait ? { label: waitChip(row.wait)?.label ?? '' } : {})}
        />
      </td>
      <td className="job-progress-cell">
        {!finished && (
          <div className="job-progress">
            <ProgressBar
              value={row.value}
              max={row.max}
              indeterminate={row.max === 0}
              label={`Progress of ${row.kind}`}
            />
            <span className="tabular faint">{row.max > 0 ? `${row.value}/${row.max}` : ''}</span>
          </div>
        )}
      </td>
      <td className="mono faint">{row.backend ?? '—'}</td>
      <td className="tabular">{formatDuration(wait)}</td>
      <td className="tabular">{formatDuration(run)}</td>
      <td className="actions-cell">
        {!finished && (
          <IconButton
            icon="stop"
            size="s"
            variant="ghost"
            label={`Cancel the ${row.kind} job`}
            busy={cancelling}
            onClick={() => void useQueue.getState().cancel({ jobId: row.jobId })}
            data-testid="job-cancel"
          />
        )}
      </td>
    </tr>
  );
}

function Table({
  rows,
  finished,
  now,
  testId,
}: {
  rows: Row[];
  finished: boolean;
  now: number;
  testId: string;
}) {
  return (
    <div className="panel table-wrap" data-testid={testId}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Job</th>
            <th scope="col">State</th>
            <th scope="col">{finished ? '' : 'Progress'}</th>
            <th scope="col">Backend</th>
            <th scope="col">Waited</th>
            <th scope="col">{finished ? 'Took' : 'Running'}</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <JobRow key={row.jobId} row={row} now={now} finished={finished} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function JobTable({ running, finished }: { running: Job[]; finished: Job[] }) {
  const live = useLive((s) => s.jobs);
  const now = useNow();
  const { active, recent } = toRows(running, finished, live);
  return (
    <>
      <section className="queue-section" aria-labelledby="running-title">
        <h2 id="running-title" className="section-title">
          Running now <span className="faint tabular">{active.length}</span>
        </h2>
        {active.length === 0 ? (
          <p className="muted">Nothing is running.</p>
        ) : (
          <Table rows={active} finished={false} now={now} testId="running-jobs" />
        )}
      </section>
      {recent.length > 0 && (
        <section className="queue-section" aria-labelledby="recent-title">
          <h2 id="recent-title" className="section-title">
            Recently finished
          </h2>
          <Table rows={recent} finished now={now} testId="recent-jobs" />
        </section>
      )}
    </>
  );
}
