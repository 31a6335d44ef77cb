// Which failures are worth another attempt. A job that failed is either
//   - cancelled     : the operator (or shutdown) stopped it;
//   - backend_down  : the backend could not be reached at all — the job waits for it to come back
//                     and does not spend an attempt meanwhile;
//   - oom           : the GPU ran out of memory — free VRAM, go one prompt at a time, retry;
//   - transient     : network hiccup, timeout, HTTP 5xx, a lost prompt, an LLM that rambled —
//                     retry with back-off, a bounded number of times;
//   - deterministic : the same input fails the same way every time (missing or broken model file,
//                     an invalid graph, node_errors, a 4xx) — fail at once, retrying wastes GPU time.
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import type { LaneDownState } from './backend-watch.ts';
import type { Lane } from './types.ts';

export type FaultClass = 'cancelled' | 'backend_down' | 'oom' | 'transient' | 'deterministic';

/** Nodes that load model files: an exception there is a missing, broken or incompatible file. */
const MODEL_LOADER = /Loader|ModelLoad|LoadCheckpoint|LoadModel/;

/** Python exceptions that a second identical run cannot change. */
const DETERMINISTIC_EXCEPTIONS = new Set([
  'FileNotFoundError',
  'SafetensorError',
  'UnpicklingError',
  'KeyError',
  'ValueError',
  'TypeError',
  'AttributeError',
  'NotImplementedError',
  'AssertionError',
  'IndexError',
  'ModuleNotFoundError',
  'ImportError',
]);

function tail(name: string): string {
  return name.split('.').pop() ?? name;
}

export function classifyFault(raw: unknown): FaultClass {
  const error: ShowcaseError = toShowcaseError(raw);
  switch (error.code) {
    case 'interrupted':
      return 'cancelled';
    case 'backend_unreachable':
      return 'backend_down';
    case 'out_of_memory':
      return 'oom';
    case 'timeout':
    case 'llm_invalid_output':
      return 'transient';
    case 'backend_error':
      return error.retryable ? 'transient' : 'deterministic';
    case 'comfy_execution': {
      const details = error.details ?? {};
      const nodeType = typeof details.nodeType === 'string' ? details.nodeType : '';
      const exception = typeof details.exceptionType === 'string' ? tail(details.exceptionType) : '';
      if (MODEL_LOADER.test(nodeType)) return 'deterministic';
      if (DETERMINISTIC_EXCEPTIONS.has(exception)) return 'deterministic';
      // A RuntimeError in a sampler (a CUDA hiccup, a driver reset) may well pass on a second run.
      return 'transient';
    }
    default:
      return error.retryable ? 'transient' : 'deterministic';
  }
}

/** How the final message says what kind of failure ended the job. */
export function faultLabel(fault: FaultClass, attempts: number): string {
  switch (fault) {
    case 'deterministic':
      return 'deterministic error: retrying cannot help, not retried';
    case 'transient':
      return `transient error, still failing after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    case 'oom':
      return `out of GPU memory after ${attempts} attempt${attempts === 1 ? '' : 's'}, the last one alone on the GPU`;
    case 'backend_down':
      return 'backend unreachable';
    case 'cancelled':
      return 'cancelled';
  }
}

/** The final error of a job says what kind of failure it was (and keeps code, hint and details). */
export function labelled(error: ShowcaseError, fault: FaultClass, attempts: number): ShowcaseError {
  if (fault === 'backend_down' && error.details?.fault) return error;
  return new ShowcaseError(error.code, `${error.message} (${faultLabel(fault, attempts)})`, {
    ...(error.hint ? { hint: error.hint } : {}),
    details: { ...error.details, fault },
    retryable: error.retryable,
    cause: error,
  });
}

/**
 * No lane of a kind answered for the whole wait: the error every job still waiting for one ends
 * with, naming the backend(s), how long they were waited for and the last error.
 */
export function gaveUpWaiting(
  down: Array<{ lane: Lane; down: LaneDownState }>,
  downLimitMs: number,
): ShowcaseError {
  const now = Date.now();
  const what = down
    .map(({ lane, down: d }) => {
      const name = `${lane.label ?? lane.id}${lane.url ? ` at ${lane.url}` : ''}`;
      return `${name} has been unreachable for ${Math.round((now - d.since) / 1000)} s (last error: ${d.lastError})`;
    })
    .join('; ');
  return new ShowcaseError(
    'backend_unreachable',
    `${what}; gave up waiting after ${Math.round(downLimitMs / 1000)} s`,
    {
      hint: 'Start the backend again, then re-run the failed assets: showcase rerun',
      details: { fault: 'backend_down', lanes: down.map((d) => d.lane.id) },
    },
  );
}
