// What a tracked prompt is told and what it may ask of its client: the frames routed to it, the
// client's timings and server calls (JobHost), and how it starts (PromptJobInit).
import type { PromptTracking } from './job-tracking.ts';
import type { HistoryEntry } from './schemas.ts';
import type { ComfyJobCallbacks, ComfyQueueSnapshot } from './types.ts';

/** A frame the client routed to this prompt (by `prompt_id`, or by "running on this socket" for previews). */
export type JobFrame =
  | { kind: 'event'; type: string; data: unknown }
  | { kind: 'preview'; mime: string; bytes: Uint8Array; nodeId: string | null }
  | { kind: 'text'; nodeId: string; text: string };

export interface JobHost {
  readonly pollIntervalMs: number;
  readonly stallTimeoutMs: number;
  readonly unreachableGraceMs: number;
  readonly lostAfterPolls: number;
  /**
   * A running prompt that sends no frame for this long (while the socket is alive and /queue still
   * says running) is given up: interrupted on the server and failed with a retryable `timeout`.
   */
  readonly stallInterruptMs: number;
  fetchHistory(promptId: string, signal: AbortSignal): Promise<HistoryEntry | null>;
  fetchQueue(signal: AbortSignal): Promise<ComfyQueueSnapshot>;
  /** Best effort: interrupt if running, delete if pending. Never throws. */
  cancelOnServer(promptId: string): void;
  /** The job settled: forget it. */
  release(job: PromptTracking): void;
}

export interface PromptJobInit {
  promptId: string;
  clientId: string;
  graphNodeIds: string[] | null;
  callbacks: ComfyJobCallbacks;
  jobTimeoutMs: number;
  signal?: AbortSignal | undefined;
}
