// The team (issue #17): the workers registered on the team database, their GPUs and the jobs they
// hold, and the team queue per family. The registry sends no events (workers write heartbeats into
// Postgres), so whoever shows it polls `team.status` while it is on screen.
import { create } from 'zustand';
import type { TeamStatus } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorInfo } from './errors.ts';

/** Often enough that a heartbeat ("3 s ago") and a step counter look alive; workers beat every 5 s. */
export const TEAM_POLL_MS = 3000;

interface TeamState {
  status: TeamStatus | null;
  /** The call itself failed (the engine is away); the team database's own trouble is `status.error`. */
  error: ErrorInfo | null;
  loading: boolean;
  /** Epoch ms of the last answer. */
  loadedAt: number | null;
  load(): Promise<void>;
}

export const useTeam = create<TeamState>()((set, get) => ({
  status: null,
  error: null,
  loading: false,
  loadedAt: null,
  async load() {
    // A slow team database must not pile up requests behind each other.
    if (get().loading) return;
    set({ loading: true });
    try {
      set({ status: await bridge().call('team.status', {}), error: null, loadedAt: Date.now() });
    } catch (err) {
      set({ error: errorInfo(err) });
    } finally {
      set({ loading: false });
    }
  },
}));

/** Loads now and every `TEAM_POLL_MS` until the returned function is called (a component's effect). */
export function pollTeam(): () => void {
  void useTeam.getState().load();
  const timer = setInterval(() => void useTeam.getState().load(), TEAM_POLL_MS);
  return () => clearInterval(timer);
}

/** Whether a run can be sent to the team's GPUs, and if not, why (the Start dialog's choice). */
export interface TeamChoice {
  available: boolean;
  /** Why the choice is disabled; null when it is available. */
  reason: string | null;
  /** Something to know before sending (no live worker yet, the database did not answer). */
  note: string | null;
}

export function teamChoice(status: TeamStatus | null, s3Set: boolean | null): TeamChoice {
  if (status === null) return { available: false, reason: 'Asking the team database…', note: null };
  if (!status.configured)
    return {
      available: false,
      reason: 'No team is set up: set the team PostgreSQL URL in Settings → Team sync.',
      note: null,
    };
  if (s3Set === false)
    return {
      available: false,
      reason: 'No S3 bucket is set: workers return their images through it (Settings → Publishing (S3)).',
      note: null,
    };
  if (status.error)
    return { available: true, reason: null, note: `The team database did not answer: ${status.error}` };
  const live = status.workers.filter((w) => !w.lost);
  if (live.length === 0)
    return {
      available: true,
      reason: null,
      note: 'No worker is live right now: the images wait in the team queue until one joins.',
    };
  const gpus = live.reduce((n, w) => n + w.backends.length, 0);
  return {
    available: true,
    reason: null,
    note: `${live.length} worker${live.length === 1 ? '' : 's'} with ${gpus} GPU${gpus === 1 ? '' : 's'} live now.`,
  };
}
