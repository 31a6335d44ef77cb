// Submitting an image job's prompt — or, after a crash, re-attaching to the one it had sent. The
// prompt id is made here and journalled (through `callbacks.submitting`) before the POST; a job
// that comes back with a prompt id first asks the server that accepted it, so finished work is
// collected from /history and running work is followed: nothing lost, nothing run twice.
import { randomUUID } from 'node:crypto';
import type { ComfyCollectResult, ComfyGraph, ComfyJobCallbacks, ComfyRunResult } from '../comfy/index.ts';
import type { ExecutionCallbacks, QueuedJob, RenderParams } from '../jobs/index.ts';
import type { BackendPool, ComfyBackend } from './backends.ts';

/** The job being rendered and where its submission is journalled. */
export interface PromptRun {
  job: QueuedJob;
  callbacks: ExecutionCallbacks;
}

/** What a prompt's state means for the operator ("queued on comfy-2 (http://…) behind other prompts"). */
export function stateDetail(
  state: 'queued' | 'running' | 'stalled',
  backend: ComfyBackend,
  stallSec: number,
  info?: { silentMs: number; node: string | null },
): string {
  if (state === 'queued') return `queued on ${backend.id} (${backend.url}) behind other prompts`;
  if (state === 'running') return `rendering on ${backend.id}`;
  const node = info?.node ? ` (node ${info.node})` : '';
  return `waiting for ComfyUI at ${backend.url}: no progress for ${Math.round((info?.silentMs ?? 0) / 1000)} s${node}; interrupted and run again after ${stallSec} s without progress`;
}

export async function submitOrAttach(
  pool: BackendPool,
  run: PromptRun,
  backend: ComfyBackend,
  graph: ComfyGraph,
  render: RenderParams | null,
  callbacks: ComfyJobCallbacks & { signal: AbortSignal },
): Promise<{ result: ComfyRunResult; holder: ComfyBackend }> {
  const { job } = run;
  const { signal } = callbacks;
  const previous = job.comfyPromptId;
  // After a restart the prompt belongs to the server that accepted it. A job runs on another lane
  // only when that server's lane looked offline (a failed health probe, say): ask it anyway, since
  // a server that still has the prompt renders it whatever we do next.
  const holder =
    previous && job.backend ? (job.backend === backend.id ? backend : pool.byLane(job.backend)) : undefined;
  if (previous && holder) {
    const ask = (): Promise<ComfyCollectResult | null> =>
      holder.client.collect(previous, { signal }).catch((err: unknown) => {
        if (holder === backend) throw err;
        return null; // the other server is really unreachable: render here
      });
    let seen = await ask();
    // collect() reads /history, then /queue: a prompt that finishes between the two reads is in
    // neither answer. A second look tells "finished meanwhile" from "never arrived" (resubmitting
    // the first would render the image twice).
    if (seen?.state === 'unknown') seen = await ask();
    if (seen && holder !== backend && seen.state !== 'unknown') holder.lane.online = true;
    if (seen?.state === 'success') {
      const result: ComfyRunResult = {
        promptId: previous,
        outputs: seen.outputs,
        cached: seen.cached,
        durationMs: 0,
        timings: { queuedMs: 0, runMs: 0 },
        completedVia: 'history',
      };
      return { result, holder };
    }
    if (seen?.state === 'running' || seen?.state === 'pending') {
      const result = await holder.client.attach(previous, { ...callbacks, graph }).wait();
      return { result, holder };
    }
    // failed, unknown (never arrived / server restarted) or unreachable: submit anew under a fresh id.
  }
  const promptId = randomUUID();
  // Journalled (committed) before the POST: the crash-safety guarantee of every image job.
  run.callbacks.submitting({ promptId, backend: backend.id, render });
  job.comfyPromptId = promptId;
  job.backend = backend.id;
  const result = await backend.client.run(graph, { ...callbacks, promptId });
  return { result, holder: backend };
}
