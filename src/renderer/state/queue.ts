// Queue and backends: `queue.status` snapshots, refreshed (at most once a second) when jobs move,
// with `backend.status` events merged in as they arrive.
import { create } from 'zustand';
import type { BackendStatus, QueueStatus } from '../../shared/index.ts';
import { type BridgeEvent, bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorInfo } from './errors.ts';
import { notify, reportError } from './toasts.ts';

interface QueueState {
  status: QueueStatus | null;
  /** Latest status per backend id, in the order the engine lists them. */
  backends: BackendStatus[];
  loading: boolean;
  error: ErrorInfo | null;
  busy: Readonly<Record<string, true>>;
  refresh(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(target: { jobId: string } | { galleryId: string }): Promise<void>;
  applyEvents(events: BridgeEvent[]): void;
}

const REFRESH_GAP_MS = 1000;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let lastRefresh = 0;

function mergeBackends(current: BackendStatus[], updates: BackendStatus[]): BackendStatus[] {
  const next = [...current];
  for (const b of updates) {
    const i = next.findIndex((x) => x.id === b.id);
    if (i === -1) next.push(b);
    else next[i] = b;
  }
  return next;
}

export const useQueue = create<QueueState>()((set, get) => {
  const scheduleRefresh = () => {
    if (refreshTimer !== null) return;
    const wait = Math.max(0, lastRefresh + REFRESH_GAP_MS - Date.now());
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void get().refresh();
    }, wait);
  };
  const run = async (key: string, label: string, action: () => Promise<void>) => {
    if (get().busy[key]) return;
    set({ busy: { ...get().busy, [key]: true } });
    try {
      await action();
    } catch (err) {
      reportError(label, err);
    } finally {
      const busy = { ...get().busy };
      delete busy[key];
      set({ busy });
    }
  };

  return {
    status: null,
    backends: [],
    loading: false,
    error: null,
    busy: {},

    async refresh() {
      lastRefresh = Date.now();
      set({ loading: get().status === null });
      try {
        const status = await bridge().call('queue.status', {});
        set({ status, backends: mergeBackends([], status.backends), loading: false, error: null });
      } catch (err) {
        set({ loading: false, error: errorInfo(err) });
      }
    },
    pause: () =>
      run('pause', 'Pausing the queue', async () => {
        const status = await bridge().call('queue.pause', {});
        set({ status, backends: mergeBackends(get().backends, status.backends) });
      }),
    resume: () =>
      run('resume', 'Resuming the queue', async () => {
        const status = await bridge().call('queue.resume', {});
        set({ status, backends: mergeBackends(get().backends, status.backends) });
      }),
    cancel: (target) =>
      run(`cancel:${'jobId' in target ? target.jobId : target.galleryId}`, 'Cancelling', async () => {
        const { cancelled } = await bridge().call('queue.cancel', target);
        notify(
          'info',
          cancelled === 0
            ? 'Nothing left to cancel'
            : `Cancelled ${cancelled} job${cancelled === 1 ? '' : 's'}`,
        );
        scheduleRefresh();
      }),

    applyEvents(events) {
      const backendUpdates: BackendStatus[] = [];
      let jobsMoved = false;
      for (const e of events) {
        if (e.event === 'backend.status') backendUpdates.push(e.payload);
        else if (
          e.event === 'job.queued' ||
          e.event === 'job.started' ||
          e.event === 'job.completed' ||
          e.event === 'job.failed'
        ) {
          jobsMoved = true;
        }
      }
      if (backendUpdates.length > 0) set({ backends: mergeBackends(get().backends, backendUpdates) });
      if (jobsMoved && get().status !== null) scheduleRefresh();
    },
  };
});
