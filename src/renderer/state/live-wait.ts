// What a job waits for while it is not rendering yet (ComfyUI's queue, the team queue, a backend that
// is down), from the engine's `job.status` events, and the chip a slot or a queue row shows for it.

/** What a job waits for, from the engine's `job.status` events (null once it renders or ends). */
export interface LiveWait {
  state: 'queued-on-backend' | 'loading-model' | 'waiting-for-backend' | 'stalled';
  backend: string | null;
  detail: string;
}

/** What the engine's team lane calls itself in `job.status` while a job waits for a team worker. */
export const TEAM_QUEUE_BACKEND = 'team queue';

/** The chip of a waiting job: "Queued on comfy-2" rather than "Rendering" while ComfyUI queues it. */
export function waitChip(wait: LiveWait | null | undefined): { status: string; label: string } | null {
  if (!wait) return null;
  if (wait.state === 'queued-on-backend')
    return {
      status: 'queued',
      label:
        wait.backend === TEAM_QUEUE_BACKEND ? 'In the team queue' : `Queued on ${wait.backend ?? 'server'}`,
    };
  if (wait.state === 'loading-model') return { status: 'running', label: 'Loading model' };
  if (wait.state === 'stalled') return { status: 'retrying', label: 'Stalled' };
  return { status: 'waiting', label: 'Waiting for backend' };
}
