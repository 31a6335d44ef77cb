// Words and events for a backend that went away and is being waited for (see jobs/backend-watch).
import type { EventPayload } from '../../../shared/index.ts';
import type { Lane, LaneDownState } from '../jobs/index.ts';

export interface LaneWaitState {
  online: boolean;
  down: LaneDownState | null;
  downLimitMs: number;
}

export function backendWaitingEvent(lane: Lane, state: LaneWaitState): EventPayload<'backend.waiting'> {
  const now = Date.now();
  return {
    id: lane.id,
    kind: lane.kind === 'llm' ? 'ollama' : 'comfyui',
    url: lane.url ?? '',
    online: state.online,
    downForMs: state.down ? Math.max(0, now - state.down.since) : 0,
    nextCheckInMs: state.down ? Math.max(0, state.down.nextProbeAt - now) : null,
    giveUpAfterMs: state.downLimitMs,
    error: state.down?.lastError ?? null,
  };
}

/** One line for the log / CLI: "ComfyUI at … is down (…): waiting, next check in 2 s, gives up after 300 s". */
export function backendWaitingLine(event: EventPayload<'backend.waiting'>): string {
  const name = `${event.kind === 'ollama' ? 'Ollama' : 'ComfyUI'} at ${event.url || event.id}`;
  if (event.online) return `${name} is back: its jobs continue`;
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  const left = Math.max(0, event.giveUpAfterMs - event.downForMs);
  // The client's error usually names the server already ("ComfyUI at … is unreachable (ECONNREFUSED)").
  const what = event.error?.includes(event.url)
    ? event.error
    : `${name} is unreachable${event.error ? ` (${event.error})` : ''}`;
  return `${what}: waiting for it${event.downForMs > 0 ? ` (${s(event.downForMs)} so far` : ' ('}${event.downForMs > 0 ? ', ' : ''}next check in ${s(event.nextCheckInMs ?? 0)}, jobs that need it fail in ${s(left)}); no attempts are spent meanwhile`;
}
