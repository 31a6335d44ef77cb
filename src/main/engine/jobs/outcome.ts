// What executing a job yields, and the two moments an executor must report while it runs. The
// executor (pipeline/executor.ts) produces these; the lifecycle journals them. Nothing here writes.
import type { ModelPhase, ParamValue, ShowcaseCopy } from '../../../shared/index.ts';

/** One model-usage row of an attempt (the lifecycle adds the job id when it journals it). */
export interface UsageRecord {
  backend: string;
  model: string;
  phase: ModelPhase;
  queuedMs: number;
  loadMs: number;
  runMs: number;
  totalMs: number;
  tokensIn: number | null;
  tokensOut: number | null;
  ok: boolean;
  error: string | null;
}

/** A PNG the executor wrote (atomically) into the output root. */
export interface RenderedFile {
  path: string;
  sha256: string;
  width: number;
  height: number;
  seed: number;
  prompt: string;
}

export type JobResult =
  | { type: 'copy'; copy: ShowcaseCopy; usage: UsageRecord[] }
  | {
      type: 'asset';
      file: RenderedFile;
      usage: UsageRecord[];
      /** Wall-clock ms of the render itself (the GPU's run time, not the wait in its queue). */
      renderMs: number;
      /** The ComfyUI prompt that produced it (null for a local thumbnail). */
      promptId: string | null;
    };

/** The parameters an image was rendered with, journalled on its asset before the prompt is sent. */
export interface RenderParams {
  seed: number;
  prompt: string;
  params: Record<string, ParamValue>;
  templateId: string;
}

/** Calls an executor makes while a job runs; the lifecycle owns what they write. */
export interface ExecutionCallbacks {
  /**
   * Right before a prompt is POSTed, with the client-made id. When it returns, "running + prompt id +
   * render parameters" is committed: after a crash the id is asked about instead of sent again.
   */
  submitting(submission: { promptId: string; backend: string; render: RenderParams | null }): void;
  /** The usage of an attempt that failed (the job's rejection follows). */
  failedAttempt(usage: UsageRecord): void;
}

/** A usage record with the defaults filled in (negative durations from clock skew become 0). */
export function usageRecord(
  backend: string,
  model: string,
  phase: ModelPhase,
  m: {
    queuedMs?: number;
    loadMs?: number;
    runMs?: number;
    totalMs: number;
    tokensIn?: number | null;
    tokensOut?: number | null;
    ok: boolean;
    error?: string | null;
  },
): UsageRecord {
  return {
    backend,
    model,
    phase,
    queuedMs: Math.max(0, m.queuedMs ?? 0),
    loadMs: Math.max(0, m.loadMs ?? 0),
    runMs: Math.max(0, m.runMs ?? 0),
    totalMs: Math.max(0, m.totalMs),
    tokensIn: m.tokensIn ?? null,
    tokensOut: m.tokensOut ?? null,
    ok: m.ok,
    error: m.error ?? null,
  };
}
