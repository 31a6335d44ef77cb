// Public types of the ComfyUI client. Node ids are strings ("3"), as in ComfyUI's API format.
import type { ShowcaseError } from '../../../shared/errors.ts';
import type { ComfyGraph } from './graph.ts';
import type { ComfyPreviewMethod, ComfyPreviewsMissing } from './previews.ts';

export type { ComfyGraph, ComfyGraphNode, ComfyModelFile } from './graph.ts';
export type { ComfyPreviewMethod, ComfyPreviewsMissing } from './previews.ts';

/** A file ComfyUI wrote or holds (`/view` coordinates). `subfolder` is kept verbatim (may use `\`). */
export interface ComfyImageRef {
  filename: string;
  subfolder: string;
  /** `output` | `input` | `temp` (kept as a string: newer servers may add types). */
  type: string;
}

export interface ComfyNodeOutput {
  images: ComfyImageRef[];
}

export type ComfyOutputs = Record<string, ComfyNodeOutput>;

export interface ComfyRunTimings {
  /** From acceptance (POST /prompt reply) to `execution_start`. */
  queuedMs: number;
  /** From `execution_start` to the terminal event. */
  runMs: number;
}

export interface ComfyRunResult {
  promptId: string;
  outputs: ComfyOutputs;
  /** True when ComfyUI answered from its cache (every node cached, nothing executed): old filenames. */
  cached: boolean;
  /** From the `queuePrompt`/`run` call (or `attach`) to confirmed completion. */
  durationMs: number;
  timings: ComfyRunTimings;
  /** How completion was observed: live over the WebSocket, or by polling `/history` (drop, stall, attach). */
  completedVia: 'websocket' | 'history';
}

/** One validation error of one node, as ComfyUI reports it in `node_errors`. */
export interface ComfyNodeErrorItem {
  type: string;
  message: string;
  details: string;
  inputName: string | null;
}

export interface ComfyNodeError {
  classType: string;
  errors: ComfyNodeErrorItem[];
  dependentOutputs: string[];
}

export type ComfyNodeErrors = Record<string, ComfyNodeError>;

export interface ComfyMissingModel {
  nodeId: string;
  classType: string;
  inputName: string;
  filename: string;
  /** The folder ComfyUI expects the file in, relative to its root (`models/vae/`). */
  folder: string;
}

export interface ComfyWarning {
  promptId: string;
  kind: 'node_errors';
  message: string;
  nodeErrors: ComfyNodeErrors;
}

export interface ComfyProgress {
  promptId: string;
  node: string | null;
  value: number;
  max: number;
}

export interface ComfyNodeProgressState {
  value: number;
  max: number;
  /** `running` | `finished` (| `error`). */
  state: string;
}

export interface ComfyProgressState {
  promptId: string;
  nodes: Record<string, ComfyNodeProgressState>;
}

export interface ComfyPreview {
  promptId: string;
  /** `image/jpeg` or `image/png`. */
  mime: string;
  bytes: Uint8Array;
  /** Only with type-4 frames (metadata negotiated). */
  nodeId: string | null;
}

/** Everything the client observed for one prompt, in order. */
export type ComfyJobEvent =
  | { type: 'queued'; promptId: string; number: number | null; clientId: string }
  | { type: 'execution_start'; promptId: string; timestamp: number | null }
  | { type: 'execution_cached'; promptId: string; nodes: string[] }
  | { type: 'executing'; promptId: string; node: string | null }
  | { type: 'progress'; promptId: string; node: string | null; value: number; max: number }
  | { type: 'progress_state'; promptId: string; nodes: Record<string, ComfyNodeProgressState> }
  | { type: 'executed'; promptId: string; node: string; output: ComfyNodeOutput | null }
  | { type: 'progress_text'; promptId: string; node: string; text: string }
  | { type: 'execution_success'; promptId: string; timestamp: number | null }
  | {
      type: 'execution_error';
      promptId: string;
      nodeId: string | null;
      nodeType: string | null;
      exceptionType: string;
      exceptionMessage: string;
    }
  | { type: 'execution_interrupted'; promptId: string; nodeId: string | null; nodeType: string | null }
  /** The client stopped trusting the socket for this prompt and polls `/history` + `/queue`. */
  | { type: 'polling'; promptId: string; reason: 'socket_closed' | 'stall' | 'attached' | 'confirming' }
  /** Polling saw the prompt in ComfyUI's queue. */
  | { type: 'queue_state'; promptId: string; state: 'pending' | 'running' };

export interface ComfyJobCallbacks {
  onProgress?: (progress: ComfyProgress) => void;
  onProgressState?: (state: ComfyProgressState) => void;
  onPreview?: (preview: ComfyPreview) => void;
  onEvent?: (event: ComfyJobEvent) => void;
  /** A 200 reply with non-empty `node_errors`: some outputs were dropped and will not run (§2). */
  onWarning?: (warning: ComfyWarning) => void;
  /**
   * Where the prompt is: waiting in ComfyUI's queue behind other prompts, running, or running but
   * silent for `stallTimeoutMs` (it is interrupted after `stallInterruptMs`). Cheap (no
   * `progress_state` parsing, unlike `onEvent`); called on every change.
   */
  onState?: (
    state: 'queued' | 'running' | 'stalled',
    info?: { silentMs: number; node: string | null },
  ) => void;
}

export interface QueuePromptOptions extends ComfyJobCallbacks {
  /** A lowercase UUID the caller already journaled; generated when absent. */
  promptId?: string;
  /** Cancels the submission, or the wait: the prompt is then interrupted/dequeued on the server. */
  signal?: AbortSignal;
  /** Overrides the client's `jobTimeoutMs` for this prompt. */
  jobTimeoutMs?: number;
  /** Merged into `extra_data` (`client_id` is always set by the client). */
  extraData?: Record<string, unknown>;
  /** Queue ahead of every normally queued prompt. */
  front?: boolean;
}

export interface AttachOptions extends ComfyJobCallbacks {
  signal?: AbortSignal;
  jobTimeoutMs?: number;
  /** The graph that was queued, when known (improves the `cached` flag). */
  graph?: ComfyGraph;
}

export interface ComfyQueuedPrompt {
  readonly promptId: string;
  /** Queue priority from the reply (may be negative or a float); null when the reply was lost. */
  readonly number: number | null;
  /** The WebSocket session the prompt's events are routed to. */
  readonly clientId: string;
  /** Non-empty when ComfyUI accepted the graph but dropped some outputs. */
  readonly nodeErrors: ComfyNodeErrors;
  /** Settles once completion is confirmed by `/history` (always the same promise). */
  wait(): Promise<ComfyRunResult>;
  /** Interrupts the prompt if running, dequeues it if pending, and rejects `wait()` with `interrupted`. */
  cancel(): Promise<void>;
}

export type ComfyCollectResult =
  | { state: 'success'; promptId: string; outputs: ComfyOutputs; cached: boolean }
  | { state: 'failed'; promptId: string; error: ShowcaseError }
  /** `unknown`: neither queued nor in history (never queued, lost by a restart, or evicted). */
  | { state: 'pending' | 'running' | 'unknown'; promptId: string };

export interface ComfyQueueSnapshot {
  running: string[];
  /** Sorted in execution order (by queue number, then prompt id). */
  pending: string[];
}

export interface ComfyDevice {
  name: string;
  type: string;
  index: number | null;
  vramTotal: number;
  vramFree: number;
  torchVramTotal: number | null;
  torchVramFree: number | null;
}

export interface ComfySystemStats {
  os: string | null;
  comfyuiVersion: string | null;
  pythonVersion: string | null;
  pytorchVersion: string | null;
  ramTotal: number | null;
  ramFree: number | null;
  devices: ComfyDevice[];
}

export interface ComfyFeatures {
  supportsPreviewMetadata: boolean;
  maxUploadSize: number | null;
  /** Every flag as sent. */
  flags: Record<string, unknown>;
}

export interface ComfyNodeInfo {
  input: {
    required?: Record<string, unknown>;
    optional?: Record<string, unknown>;
    hidden?: Record<string, unknown>;
  };
  output: unknown[];
  output_node: boolean;
  name?: string | undefined;
  display_name?: string | null | undefined;
  category?: string | null | undefined;
  [key: string]: unknown;
}

export type ComfyObjectInfo = Record<string, ComfyNodeInfo>;

export interface ComfyHistoryEntry {
  prompt?: unknown[] | undefined;
  outputs: Record<string, unknown>;
  status?: { status_str?: string | null; completed?: boolean | null; messages: [string, unknown][] } | null;
  [key: string]: unknown;
}

export interface UploadImageOptions {
  subfolder?: string;
  overwrite?: boolean;
  type?: 'input' | 'temp' | 'output';
  /** Content type of the part; guessed from the extension when absent. */
  mime?: string;
  signal?: AbortSignal;
}

export interface UploadedImage {
  name: string;
  subfolder: string;
  type: string;
  /** What to put in LoadImage's `image` input: `subfolder/name` (or `name`). */
  path: string;
}

export interface ReconnectOptions {
  /** First delay before reconnecting a dropped socket (default 250 ms). */
  initialDelayMs?: number;
  /** Upper bound of the backoff (default 10 s). */
  maxDelayMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** ± fraction of random jitter (default 0.2). */
  jitter?: number;
}

export interface ComfyClientOptions {
  /** `http://127.0.0.1:8188` (a trailing slash or `/api` path prefix is accepted). */
  url: string;
  /** The first WebSocket session id (default `crypto.randomUUID()`); reconnects use fresh ids (§8.1). */
  clientId?: string;
  /** Per HTTP request, headers and body (default 30 s). */
  requestTimeoutMs?: number;
  /** Per prompt, from submission to confirmed completion (default 30 min). */
  jobTimeoutMs?: number;
  /** Silence on the socket while our prompt runs before polling `/history` (default 60 s). */
  stallTimeoutMs?: number;
  /** Interval of the `/history` + `/queue` fallback poll (default 1 s). */
  pollIntervalMs?: number;
  /** Budget for opening the WebSocket and receiving its `status`/`sid` frame (default 10 s). */
  connectTimeoutMs?: number;
  /** How long polling tolerates an unreachable server before failing the prompt (default 30 s). */
  unreachableGraceMs?: number;
  /** Consecutive polls that find the prompt neither queued nor in history before it is declared lost (default 3). */
  lostAfterPolls?: number;
  /** GET /history, /queue, /prompt: cheap reads (default 10 s, never above `requestTimeoutMs`). */
  pollTimeoutMs?: number;
  /** GET /view of one output image (default 120 s). */
  downloadTimeoutMs?: number;
  /** A running prompt with no frame for this long is interrupted by id and failed retryably (default 5 min). */
  stallInterruptMs?: number;
  reconnect?: ReconnectOptions;
  /** Default warning sink for prompts that do not pass their own `onWarning`. */
  onWarning?: (warning: ComfyWarning) => void;
  /**
   * Sent as `extra_data.preview_method` with every prompt (`default` or absent: not sent). Newer
   * servers honour it per prompt; 0.3.x reads only its `--preview-method` flag (§8.5). A function
   * is read per prompt, so a settings change applies to the next prompt.
   */
  previewMethod?: ComfyPreviewMethod | (() => ComfyPreviewMethod | undefined);
  /**
   * Called once per client when previews were asked for and a prompt ran a sampler live without a
   * single preview frame (the server ignores the request and was started without previews).
   */
  onPreviewsMissing?: (missing: ComfyPreviewsMissing) => void;
}
