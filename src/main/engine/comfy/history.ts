// Reading a `/history/{id}` entry (§4): outputs, outcome, cache hits and server-side timestamps.
import type { ShowcaseError } from '../../../shared/errors.ts';
import { isRecord } from '../../../shared/guards.ts';
import { executionError, interruptedError } from './errors.ts';
import {
  type HistoryEntry,
  ImageRefSchema,
  WsExecutionCachedSchema,
  WsExecutionErrorSchema,
  WsExecutionInterruptedSchema,
} from './schemas.ts';
import type { ComfyImageRef, ComfyOutputs } from './types.ts';

export type HistoryOutcome =
  | {
      ok: true;
      outputs: ComfyOutputs;
      cachedNodes: string[];
      graphNodeIds: string[] | null;
      startTimestamp: number | null;
      endTimestamp: number | null;
    }
  | { ok: false; error: ShowcaseError };

/** The `{filename, subfolder, type}` entries of a UI dict's `images` list (others are skipped). */
export function imageRefsOf(images: readonly unknown[]): ComfyImageRef[] {
  const refs: ComfyImageRef[] = [];
  for (const item of images) {
    const parsed = ImageRefSchema.safeParse(item);
    if (parsed.success) {
      refs.push({ filename: parsed.data.filename, subfolder: parsed.data.subfolder, type: parsed.data.type });
    }
  }
  return refs;
}

export function outputsFromHistory(entry: HistoryEntry): ComfyOutputs {
  const outputs: ComfyOutputs = {};
  for (const [nodeId, output] of Object.entries(entry.outputs)) {
    if (output?.images === undefined) continue;
    outputs[nodeId] = { images: imageRefsOf(output.images) };
  }
  return outputs;
}

function timestampOf(data: unknown): number | null {
  if (typeof data === 'object' && data !== null) {
    const ts = (data as { timestamp?: unknown }).timestamp;
    if (typeof ts === 'number' && Number.isFinite(ts)) return ts;
  }
  return null;
}

/** Node ids of the graph stored in `prompt[2]` (5-element `prompt` array, §4). */
function graphNodeIdsOf(entry: HistoryEntry): string[] | null {
  const graph = entry.prompt?.[2];
  if (typeof graph !== 'object' || graph === null || Array.isArray(graph)) return null;
  return Object.keys(graph);
}

export function outcomeFromHistory(promptId: string, entry: HistoryEntry): HistoryOutcome {
  const messages = entry.status?.messages ?? [];
  let cachedNodes: string[] = [];
  let startTimestamp: number | null = null;
  let endTimestamp: number | null = null;
  let failure: ShowcaseError | null = null;
  for (const [event, data] of messages) {
    if (event === 'execution_start') startTimestamp = timestampOf(data);
    else if (event === 'execution_cached') {
      const parsed = WsExecutionCachedSchema.safeParse(data);
      if (parsed.success) cachedNodes = parsed.data.nodes;
    } else if (event === 'execution_success') endTimestamp = timestampOf(data);
    else if (event === 'execution_error') {
      endTimestamp = timestampOf(data);
      const parsed = WsExecutionErrorSchema.safeParse({ prompt_id: promptId, ...asRecord(data) });
      if (parsed.success) failure = executionError(parsed.data);
    } else if (event === 'execution_interrupted') {
      endTimestamp = timestampOf(data);
      const parsed = WsExecutionInterruptedSchema.safeParse({ prompt_id: promptId, ...asRecord(data) });
      failure = interruptedError(promptId, 'server', {
        nodeId: parsed.success ? (parsed.data.node_id ?? null) : null,
        nodeType: parsed.success ? (parsed.data.node_type ?? null) : null,
      });
    }
  }
  const statusStr = entry.status?.status_str ?? null;
  const failed = statusStr === 'error' || failure !== null;
  if (failed) {
    return {
      ok: false,
      error:
        failure ??
        executionError({
          prompt_id: promptId,
          node_id: null,
          node_type: null,
          exception_type: 'UnknownError',
          exception_message: 'ComfyUI recorded the prompt as failed without an error message',
        }),
    };
  }
  return {
    ok: true,
    outputs: outputsFromHistory(entry),
    cachedNodes,
    graphNodeIds: graphNodeIdsOf(entry),
    startTimestamp,
    endTimestamp,
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** Every node of the graph was answered from ComfyUI's cache (an identical re-run, §9.2). */
export function allNodesCached(
  graphNodeIds: readonly string[] | null,
  cachedNodes: Iterable<string>,
): boolean {
  if (graphNodeIds === null || graphNodeIds.length === 0) return false;
  const cached = new Set(cachedNodes);
  return graphNodeIds.every((id) => cached.has(id));
}
