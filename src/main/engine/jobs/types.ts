// The scheduler's vocabulary: lanes (where work runs), queued jobs (a planned job with its place
// in the DAG and its retry state) and the hooks through which the scheduler asks others to act.
import type { ShowcaseError } from '../../../shared/index.ts';
import type { PlannedJob } from '../showcase/index.ts';
import type { BackendWatchOptions, LaneDownState } from './backend-watch.ts';
import type { LaneCosts } from './lane-costs.ts';

/** `team`: image jobs sent to the team queue (rendered by workers on other GPU workstations). */
export type LaneKind = 'llm' | 'comfy' | 'cpu' | 'team';

export interface Lane {
  id: string;
  kind: LaneKind;
  /** Max jobs in flight on this lane. */
  capacity: number;
  /** ComfyUI lanes on the GPU that also hosts the LLM and cannot hold both models. */
  sharedWithLlm: boolean;
  online: boolean;
  /** Set after an OOM or when VRAM is short: one prompt at a time. */
  sequential: boolean;
  inFlight: number;
  /** The model this lane ran last (affinity). */
  lastModel: string | null;
  /** Templates this lane's backend cannot run (a model file it lacks, found by the pre-flight). */
  cannotRun?: ReadonlySet<string>;
  /** Set when the lane's backend was removed from the settings: it takes no new work. */
  retired?: boolean;
  /** The backend's address, for messages (none for the CPU lane). */
  url?: string;
  /** What the backend is, for messages ("ComfyUI", "Ollama"). */
  label?: string;
  /** Its jobs go on without this station (the team queue): closing the app does not end them. */
  detached?: boolean;
}

export interface QueuedJob extends PlannedJob {
  seq: number;
  remainingDeps: number;
  dependents: string[];
  lane: LaneKind;
  /** ComfyUI model the job needs (for affinity), null for non-GPU work. */
  model: string | null;
  /** The workflow template an image job renders (for routing around backends that lack its models). */
  template?: string | null;
  notBefore: number;
  /** Retries that did not count as attempts (the backend was down, or restarted and lost the prompt). */
  freeRetries?: number;
}

export interface JobOutcomeError {
  error: ShowcaseError;
  willRetry: boolean;
}

/** `R` is what executing a job yields (the executor's result), handed to `jobSucceeded`. */
export interface SchedulerHooks<R = void> {
  /** Runs one job on a lane. Throws a ShowcaseError on failure. */
  execute(job: QueuedJob, lane: Lane, signal: AbortSignal): Promise<R>;
  /** Called before the first image job on a shared GPU after a copy phase (unload the LLM). */
  enterImagePhase(lanes: Lane[]): Promise<void>;
  /** Called before the first copy job after an image phase on a shared GPU (free the image model). */
  enterCopyPhase(lanes: Lane[]): Promise<void>;
  /** Called after an OOM on a lane, before the retry (POST /free). */
  recoverFromOom(lane: Lane): Promise<void>;
  /** Journal + events. */
  jobStarted(job: QueuedJob, lane: Lane): void;
  /** `free`: the retry does not count as an attempt (the backend was down or lost the prompt). */
  jobRetrying(job: QueuedJob, error: ShowcaseError, info?: { free: boolean }): void;
  jobSucceeded(job: QueuedJob, result: R): void;
  jobFailed(job: QueuedJob, error: ShowcaseError): void;
  jobCancelled(job: QueuedJob): void;
  /** Every job of a gallery reached a terminal state. */
  galleryFinished(galleryId: string): void;
  /** Resolves when the lane's backend answers again (a cheap request); throws while it is down. */
  probeLane?(lane: Lane): Promise<void>;
  /** A lane went down, is being waited for, or came back. */
  laneStatus?(lane: Lane, state: { online: boolean; down: LaneDownState | null; downLimitMs: number }): void;
}

export interface SchedulerOptions {
  maxAttempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  /** When false, copy and images are never gated (VRAM suffices for both). */
  phaseGating: boolean;
  /** Waiting for a backend that went away: probe back-off and how long before its jobs fail. */
  backendWatch: BackendWatchOptions;
  /** Measured costs per ComfyUI lane and model, for placement across several lanes. */
  costs?: LaneCosts;
}
