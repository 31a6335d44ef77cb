// The life of one prompt as seen by the client: acceptance (with the frames that arrived before the
// POST reply) and every WebSocket frame routed to it, turned into callbacks and events. Confirming
// the outcome, polling, timeouts and settling are PromptTracking's (job-tracking.ts).
import type { ShowcaseError } from '../../../shared/errors.ts';
import { executionError, interruptedError } from './errors.ts';
import { imageRefsOf } from './history.ts';
import type { JobFrame } from './job-host.ts';
import { PromptTracking } from './job-tracking.ts';
import {
  WsExecutedSchema,
  WsExecutingSchema,
  WsExecutionCachedSchema,
  WsExecutionErrorSchema,
  WsExecutionInterruptedSchema,
  WsExecutionStartSchema,
  WsExecutionSuccessSchema,
  WsProgressSchema,
  WsProgressStateSchema,
} from './schemas.ts';
import type { ComfyNodeErrors, ComfyNodeOutput } from './types.ts';

export type { JobFrame, JobHost, PromptJobInit } from './job-host.ts';

export class PromptJob extends PromptTracking {
  /** POST /prompt succeeded: replay what arrived before the reply (§12.1). */
  accept(number: number | null, nodeErrors: ComfyNodeErrors): void {
    if (this.phase !== 'submitting') return;
    this.phase = 'accepted';
    this.number = number;
    this.nodeErrors = nodeErrors;
    this.acceptedAt = Date.now();
    this.emit({ type: 'queued', promptId: this.promptId, number, clientId: this.clientId });
    const frames = this.buffer.splice(0);
    if (!frames.some((f) => f.kind === 'event' && f.type === 'execution_start')) this.reportState('queued');
    for (const frame of frames) {
      if (this.isDone) return;
      this.process(frame);
    }
    if (this.isDone) return;
    if (this.socketLost) this.startPolling('socket_closed');
    else this.armStall();
  }

  /** For `attach`: the prompt was queued earlier (maybe by a previous process); poll from now on. */
  acceptAttached(): void {
    this.accept(null, {});
    this.startPolling('attached');
  }

  /** The POST failed before ComfyUI accepted the prompt: settle without touching the server. */
  discard(error: ShowcaseError): void {
    this.settle({ error });
  }

  /** Frames seen for this prompt before the POST reply (they prove ComfyUI accepted it). */
  get sawFrames(): boolean {
    return this.buffer.length > 0 || this.startedAt !== null;
  }

  /** The client re-keyed us: an old server ignored our `prompt_id` and assigned its own. */
  rekey(promptId: string): void {
    this.promptId = promptId;
  }

  handleFrame(frame: JobFrame): void {
    if (this.phase === 'done') return;
    if (this.phase === 'submitting') {
      this.buffer.push(frame);
      return;
    }
    this.process(frame);
  }

  /** The owner socket closed: our events now go nowhere (§8.1, §12.4). */
  onSocketLost(): void {
    if (this.phase === 'done' || this.socketLost) return;
    this.socketLost = true;
    this.clearStall();
    if (this.phase === 'accepted') this.startPolling('socket_closed');
  }

  // -------------------------------------------------------------------------------------------

  private process(frame: JobFrame): void {
    if (frame.kind === 'preview') {
      this.touch();
      this.call(() =>
        this.callbacks.onPreview?.({
          promptId: this.promptId,
          mime: frame.mime,
          bytes: frame.bytes,
          nodeId: frame.nodeId,
        }),
      );
      return;
    }
    if (frame.kind === 'text') {
      this.touch();
      this.emit({ type: 'progress_text', promptId: this.promptId, node: frame.nodeId, text: frame.text });
      return;
    }
    const { type, data } = frame;
    switch (type) {
      case 'execution_start': {
        const parsed = WsExecutionStartSchema.safeParse(data);
        this.startedAt ??= Date.now();
        this.reportState('running');
        this.touch();
        this.emit({
          type: 'execution_start',
          promptId: this.promptId,
          timestamp: parsed.success ? (parsed.data.timestamp ?? null) : null,
        });
        return;
      }
      case 'execution_cached': {
        const parsed = WsExecutionCachedSchema.safeParse(data);
        if (!parsed.success) return;
        for (const node of parsed.data.nodes) this.cachedNodes.add(node);
        this.touch();
        this.emit({ type: 'execution_cached', promptId: this.promptId, nodes: parsed.data.nodes });
        return;
      }
      case 'executing': {
        const parsed = WsExecutingSchema.safeParse(data);
        if (!parsed.success) return;
        const node = parsed.data.node;
        this.emit({ type: 'executing', promptId: this.promptId, node });
        if (node === null) {
          // Sent after the history write: the canonical "done" marker (§8.3).
          this.terminalSeenLive = true;
          this.endedAt ??= Date.now();
          // Watched live from start to end on one socket (frames are FIFO), with the success and the
          // output nodes' `executed` frames seen: that is what history would say, so skip the GET.
          // Anything less (a drop, an error, no outputs) is confirmed against /history.
          if (this.successSeen && !this.socketLost && Object.keys(this.liveOutputs).length > 0) {
            this.resolveWith(this.liveOutputs, [], null, null, 'websocket');
            return;
          }
          this.confirm();
          return;
        }
        this.startedAt ??= Date.now();
        this.executingCount++;
        this.lastNode = node;
        this.touch();
        return;
      }
      case 'progress': {
        const parsed = WsProgressSchema.safeParse(data);
        if (!parsed.success) return;
        this.touch();
        const progress = {
          promptId: this.promptId,
          node: parsed.data.node ?? null,
          value: parsed.data.value,
          max: parsed.data.max,
        };
        this.call(() => this.callbacks.onProgress?.(progress));
        this.emit({ type: 'progress', ...progress });
        return;
      }
      case 'progress_state': {
        // The heaviest frame (every node of the graph, once per sampler step): only parsed when
        // somebody reads it; it still proves the socket alive.
        if (!this.readsProgressState) {
          this.touch();
          return;
        }
        const parsed = WsProgressStateSchema.safeParse(data);
        if (!parsed.success) return;
        this.touch();
        const nodes: Record<string, { value: number; max: number; state: string }> = {};
        for (const [id, n] of Object.entries(parsed.data.nodes)) {
          nodes[id] = { value: n.value, max: n.max, state: n.state };
        }
        this.call(() => this.callbacks.onProgressState?.({ promptId: this.promptId, nodes }));
        this.emit({ type: 'progress_state', promptId: this.promptId, nodes });
        return;
      }
      case 'executed': {
        const parsed = WsExecutedSchema.safeParse(data);
        if (!parsed.success) return;
        this.touch();
        let output: ComfyNodeOutput | null = null;
        const images = parsed.data.output?.images;
        if (images !== undefined) {
          output = { images: imageRefsOf(images) };
          this.liveOutputs[parsed.data.node] = output;
        }
        this.emit({ type: 'executed', promptId: this.promptId, node: parsed.data.node, output });
        return;
      }
      case 'execution_success': {
        const parsed = WsExecutionSuccessSchema.safeParse(data);
        this.successSeen = true;
        this.terminalSeenLive = true;
        this.endedAt ??= Date.now();
        this.emit({
          type: 'execution_success',
          promptId: this.promptId,
          timestamp: parsed.success ? (parsed.data.timestamp ?? null) : null,
        });
        this.confirm();
        return;
      }
      case 'execution_error': {
        const parsed = WsExecutionErrorSchema.safeParse(data);
        if (!parsed.success) return;
        this.endedAt ??= Date.now();
        this.emit({
          type: 'execution_error',
          promptId: this.promptId,
          nodeId: parsed.data.node_id ?? null,
          nodeType: parsed.data.node_type ?? null,
          exceptionType: parsed.data.exception_type,
          exceptionMessage: parsed.data.exception_message,
        });
        this.settle({ error: executionError({ ...parsed.data, prompt_id: this.promptId }) });
        return;
      }
      case 'execution_interrupted': {
        const parsed = WsExecutionInterruptedSchema.safeParse(data);
        const node = {
          nodeId: parsed.success ? (parsed.data.node_id ?? null) : null,
          nodeType: parsed.success ? (parsed.data.node_type ?? null) : null,
        };
        this.endedAt ??= Date.now();
        this.emit({ type: 'execution_interrupted', promptId: this.promptId, ...node });
        this.settle({ error: interruptedError(this.promptId, 'server', node) });
        return;
      }
      default:
        return;
    }
  }
}
