// Live job state from the event stream: progress, preview frames, timings and failures. Fed once per
// animation frame by the event hub; components select one slot or job so only that one re-renders.
import { create } from 'zustand';
import type { Job } from '../../shared/index.ts';
import type { BridgeEvent } from '../bridge/index.ts';
import type { LiveWait } from './live-wait.ts';

export type LiveJobState = 'queued' | 'running' | 'retrying' | 'done' | 'failed';

export { type LiveWait, TEAM_QUEUE_BACKEND, waitChip } from './live-wait.ts';

export interface LiveJob {
  jobId: string;
  galleryId: string;
  assetId: string | null;
  kind: string;
  state: LiveJobState;
  backend: string | null;
  value: number;
  max: number;
  node: string | null;
  /** Epoch ms; from the job record when the engine sent one, else when the event arrived. */
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  wait?: LiveWait | null;
}

/** What an image slot shows while its job runs. */
export interface LiveSlot {
  jobId: string;
  state: LiveJobState;
  value: number;
  max: number;
  /** Latest sampler preview frame (data: URL). */
  preview: string | null;
  wait?: LiveWait | null;
}

export interface FailureEntry {
  jobId: string;
  galleryId: string;
  assetId: string | null;
  kind: string;
  error: string;
  willRetry: boolean;
  at: number;
  /** A later run of the same asset (or job) succeeded. */
  resolved: boolean;
}

/** A ComfyUI backend that renders without live previews, and what the operator can do about it. */
export interface PreviewsOff {
  message: string;
  hint: string;
}

interface LiveState {
  jobs: Record<string, LiveJob>;
  slots: Record<string, LiveSlot>;
  failures: FailureEntry[];
  /** Backends (by id) that sent no preview frames although previews were asked for. */
  previewsOff: Record<string, PreviewsOff>;
  apply(events: BridgeEvent[]): void;
  dismissFailure(jobId: string): void;
  clearResolved(): void;
}

/** Preview frames are kept for this many slots at most (a 10,000-product run must not hoard images). */
const MAX_PREVIEWS = 64;
const MAX_FINISHED_JOBS = 300;
const MAX_FAILURES = 200;

const time = (iso: string | null | undefined, fallback: number | null): number | null => {
  if (!iso) return fallback;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? fallback : t;
};

function fromRecord(
  prev: LiveJob | undefined,
  job: Job,
  now: number,
): Pick<LiveJob, 'queuedAt' | 'startedAt' | 'finishedAt' | 'backend'> {
  return {
    queuedAt: time(job.queuedAt, prev?.queuedAt ?? now) ?? now,
    startedAt: time(job.startedAt, prev?.startedAt ?? null),
    finishedAt: time(job.finishedAt, now),
    backend: job.backend ?? prev?.backend ?? null,
  };
}

export const useLive = create<LiveState>()((set, get) => {
  /** Slot ids holding a preview, oldest first. */
  let previewOrder: string[] = [];

  return {
    jobs: {},
    slots: {},
    failures: [],
    previewsOff: {},
    apply(events) {
      const now = Date.now();
      let jobs = get().jobs;
      let slots = get().slots;
      let failures = get().failures;
      let jobsChanged = false;
      let slotsChanged = false;
      let failuresChanged = false;

      const putJob = (jobId: string, update: (prev: LiveJob | undefined) => LiveJob) => {
        if (!jobsChanged) jobs = { ...jobs };
        jobsChanged = true;
        jobs[jobId] = update(jobs[jobId]);
      };
      const putSlot = (assetId: string | null, update: (prev: LiveSlot | undefined) => LiveSlot | null) => {
        if (assetId === null) return;
        if (!slotsChanged) slots = { ...slots };
        slotsChanged = true;
        const next = update(slots[assetId]);
        if (next === null) delete slots[assetId];
        else slots[assetId] = next;
      };

      for (const e of events) {
        switch (e.event) {
          case 'job.queued': {
            const p = e.payload;
            putJob(p.jobId, (prev) => ({
              jobId: p.jobId,
              galleryId: p.galleryId,
              assetId: p.assetId,
              kind: p.kind,
              state: 'queued',
              backend: prev?.backend ?? null,
              value: 0,
              max: 0,
              node: null,
              queuedAt: prev?.queuedAt ?? now,
              startedAt: null,
              finishedAt: null,
              error: null,
            }));
            putSlot(p.assetId, (prev) => ({
              jobId: p.jobId,
              state: 'queued',
              value: 0,
              max: 0,
              preview: prev?.preview ?? null,
            }));
            break;
          }
          case 'job.started': {
            const p = e.payload;
            putJob(p.jobId, (prev) => ({
              jobId: p.jobId,
              galleryId: p.galleryId,
              assetId: p.assetId,
              kind: p.kind,
              state: 'running',
              backend: p.backend,
              value: 0,
              max: prev?.max ?? 0,
              node: null,
              queuedAt: prev?.queuedAt ?? now,
              startedAt: now,
              finishedAt: null,
              error: null,
            }));
            putSlot(p.assetId, (prev) => ({
              jobId: p.jobId,
              state: 'running',
              value: 0,
              max: prev?.max ?? 0,
              preview: prev?.preview ?? null,
            }));
            break;
          }
          case 'job.progress': {
            const p = e.payload;
            putJob(p.jobId, (prev) => ({
              jobId: p.jobId,
              galleryId: p.galleryId,
              assetId: p.assetId,
              kind: p.kind,
              state: 'running',
              backend: prev?.backend ?? null,
              value: p.value,
              max: p.max,
              node: p.node,
              queuedAt: prev?.queuedAt ?? now,
              startedAt: prev?.startedAt ?? now,
              finishedAt: null,
              error: null,
            }));
            putSlot(p.assetId, (prev) => ({
              jobId: p.jobId,
              state: 'running',
              value: p.value,
              max: p.max,
              preview: prev?.preview ?? null,
            }));
            break;
          }
          case 'job.preview': {
            const p = e.payload;
            if (p.assetId === null) break;
            const assetId = p.assetId;
            putSlot(assetId, (prev) => ({
              jobId: p.jobId,
              state: prev?.state ?? 'running',
              value: prev?.value ?? 0,
              max: prev?.max ?? 0,
              preview: p.dataUrl,
            }));
            previewOrder = [...previewOrder.filter((id) => id !== assetId), assetId];
            while (previewOrder.length > MAX_PREVIEWS) {
              const evicted = previewOrder.shift();
              if (evicted !== undefined)
                putSlot(evicted, (prev) => (prev ? { ...prev, preview: null } : null));
            }
            break;
          }
          case 'job.completed': {
            const p = e.payload;
            putJob(p.jobId, (prev) => ({
              jobId: p.jobId,
              galleryId: p.galleryId,
              assetId: p.assetId,
              kind: p.kind,
              state: 'done',
              value: prev?.max || prev?.value || 1,
              max: prev?.max || 1,
              node: null,
              error: null,
              ...fromRecord(prev, p.job, now),
            }));
            putSlot(p.assetId, (prev) => ({
              jobId: p.jobId,
              state: 'done',
              value: prev?.max || 1,
              max: prev?.max || 1,
              preview: prev?.preview ?? null,
            }));
            if (
              failures.some(
                (f) =>
                  !f.resolved && (f.jobId === p.jobId || (p.assetId !== null && f.assetId === p.assetId)),
              )
            ) {
              failures = failures.map((f) =>
                f.jobId === p.jobId || (p.assetId !== null && f.assetId === p.assetId)
                  ? { ...f, resolved: true }
                  : f,
              );
              failuresChanged = true;
            }
            break;
          }
          case 'job.failed': {
            const p = e.payload;
            const state: LiveJobState = p.willRetry ? 'retrying' : 'failed';
            putJob(p.jobId, (prev) => ({
              jobId: p.jobId,
              galleryId: p.galleryId,
              assetId: p.assetId,
              kind: p.kind,
              state,
              value: prev?.value ?? 0,
              max: prev?.max ?? 0,
              node: prev?.node ?? null,
              error: p.error,
              ...fromRecord(prev, p.job, now),
            }));
            putSlot(p.assetId, (prev) => ({
              jobId: p.jobId,
              state,
              value: prev?.value ?? 0,
              max: prev?.max ?? 0,
              preview: prev?.preview ?? null,
            }));
            failures = [
              {
                jobId: p.jobId,
                galleryId: p.galleryId,
                assetId: p.assetId,
                kind: p.kind,
                error: p.error,
                willRetry: p.willRetry,
                at: now,
                resolved: false,
              },
              ...failures.filter((f) => f.jobId !== p.jobId),
            ].slice(0, MAX_FAILURES);
            failuresChanged = true;
            break;
          }
          case 'backend.notice': {
            const p = e.payload;
            if (p.code === 'previews_off' && !get().previewsOff[p.backend]) {
              set({
                previewsOff: { ...get().previewsOff, [p.backend]: { message: p.message, hint: p.hint } },
              });
            }
            break;
          }
          case 'job.status': {
            const p = e.payload;
            const wait: LiveWait | null =
              p.state === 'running' ? null : { state: p.state, backend: p.backend, detail: p.detail };
            putJob(p.jobId, (prev) => ({
              jobId: p.jobId,
              galleryId: p.galleryId,
              assetId: p.assetId,
              kind: p.kind,
              state: prev?.state ?? 'running',
              backend: p.backend ?? prev?.backend ?? null,
              value: prev?.value ?? 0,
              max: prev?.max ?? 0,
              node: prev?.node ?? null,
              queuedAt: prev?.queuedAt ?? now,
              startedAt: prev?.startedAt ?? null,
              finishedAt: prev?.finishedAt ?? null,
              error: prev?.error ?? null,
              wait,
            }));
            putSlot(p.assetId, (prev) => ({
              jobId: p.jobId,
              state: prev?.state ?? 'running',
              value: prev?.value ?? 0,
              max: prev?.max ?? 0,
              preview: prev?.preview ?? null,
              wait,
            }));
            break;
          }
          case 'showcase.updated': {
            // A settled gallery has no job left running: the ones the engine ended without a job
            // event (cancelled while queued on a backend or in the team queue) stop looking alive.
            const p = e.payload;
            if (p.gallery.status === 'queued' || p.gallery.status === 'running') break;
            for (const job of Object.values(jobs)) {
              if (job.galleryId !== p.galleryId || (job.state !== 'queued' && job.state !== 'running'))
                continue;
              putJob(job.jobId, (prev) => ({
                ...job,
                ...prev,
                state: 'failed',
                error: prev?.error ?? 'cancelled',
                finishedAt: now,
                wait: null,
              }));
              putSlot(job.assetId, (prev) =>
                prev && prev.jobId === job.jobId ? { ...prev, state: 'failed', wait: null } : (prev ?? null),
              );
            }
            break;
          }
          default:
            break;
        }
      }

      if (jobsChanged) jobs = pruneFinished(jobs);
      if (jobsChanged || slotsChanged || failuresChanged) set({ jobs, slots, failures });
    },
    dismissFailure(jobId) {
      set({ failures: get().failures.filter((f) => f.jobId !== jobId) });
    },
    clearResolved() {
      set({ failures: get().failures.filter((f) => !f.resolved) });
    },
  };
});

function pruneFinished(jobs: Record<string, LiveJob>): Record<string, LiveJob> {
  const finished = Object.values(jobs).filter((j) => j.state === 'done' || j.state === 'failed');
  if (finished.length <= MAX_FINISHED_JOBS) return jobs;
  finished.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
  const next = { ...jobs };
  for (const job of finished.slice(0, finished.length - MAX_FINISHED_JOBS)) delete next[job.jobId];
  return next;
}

/** The job whose events the slot of this asset shows, if any. */
export function slotJobId(assetId: string): string | null {
  return useLive.getState().slots[assetId]?.jobId ?? null;
}

/** Forgets the live state of one asset (a regenerate starts from an empty slot). */
export function resetSlot(assetId: string): void {
  const slots = { ...useLive.getState().slots };
  delete slots[assetId];
  useLive.setState({ slots });
}
