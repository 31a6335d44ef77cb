// Fault-injection knobs (comfyui.md §13 items 19–27). Each arms the next matching run(s), request(s)
// or connection(s); `clear()` disarms everything.

/** An API-format graph as posted to /prompt. */
export type ApiGraph = Record<
  string,
  { class_type: string; inputs: Record<string, unknown>; _meta?: unknown }
>;

export interface NodeFailure {
  classType: string;
  exceptionType: string;
  message: string;
  remaining: number;
}

export interface ComfyFaults {
  /** OOM (torch.OutOfMemoryError) on the Nth prompt accepted from now on (1 = the next one). */
  oomOnPrompt(n?: number): void;
  /** OOM on every run whose graph matches, `times` times (default: until clear()). */
  oomWhen(predicate: (graph: ApiGraph) => boolean, times?: number): void;
  /** The next `times` executions of a `classType` node raise `exceptionType: message`. */
  failNode(classType: string, exceptionType?: string, message?: string, times?: number): void;
  /** In the next run, drop the owner's socket (every socket if no client_id) after it got k frames. */
  dropWsAfterFrames(k: number, mode?: 'close' | 'reset'): void;
  /** WebSocket upgrades are answered 503 for the next `ms` milliseconds. */
  refuseWsFor(ms: number): void;
  /** The next `count` requests whose path starts with `routePrefix` (with or without `/api`) fail. */
  httpError(routePrefix: string, count?: number, status?: number | 'reset'): void;
  /** The next run stays in queue_running forever (until interrupt or restart). */
  hangNext(): void;
  /** Every sampler step of the next `runs` runs takes `ms` extra real milliseconds. */
  stallSteps(ms: number, runs?: number): void;
  /** For the next `runs` runs, history is written `ms` after execution_success. */
  delayHistoryWrite(ms: number, runs?: number): void;
  /**
   * Events before the reply (the opposite of the real order, §8.3): the next `count` POST /prompt
   * replies are held `ms` after the job is queued, while its WS events already flow.
   */
  eventsBeforeReply(ms?: number, count?: number): void;
  /** Same as `eventsBeforeReply(ms, count)` (its older name). */
  delayPromptReply(ms: number, count?: number): void;
  /**
   * `file` stays listed (validation passes) but loading it fails at its loader node with an
   * `execution_error`, like a corrupt download or the real CPU-only test server. Until clear().
   */
  brokenModel(file: string, exceptionType?: string, message?: string): void;
  clear(): void;
}

export interface HttpFault {
  prefix: string;
  remaining: number;
  status: number | 'reset';
}

export interface RunFaults {
  oom: boolean;
  hang: boolean;
  stallMs: number;
  historyDelayMs: number;
  dropWs: { k: number; mode: 'close' | 'reset' } | null;
}

export class FaultState implements ComfyFaults {
  private oomCountdown: number | null = null;
  private readonly oomPromptIds = new Set<string>();
  private oomPredicates: { predicate: (graph: ApiGraph) => boolean; remaining: number }[] = [];
  private nodeFailures: NodeFailure[] = [];
  private dropWs: { k: number; mode: 'close' | 'reset' } | null = null;
  private wsRefusedUntil = 0;
  private httpFaults: HttpFault[] = [];
  private hang = false;
  private stall: { ms: number; runs: number } | null = null;
  private historyDelay: { ms: number; runs: number } | null = null;
  private promptReplyDelay: { ms: number; count: number } | null = null;
  private readonly brokenModels = new Map<string, { exceptionType: string; message: string | null }>();

  oomOnPrompt(n = 1): void {
    this.oomCountdown = Math.max(1, Math.floor(n));
  }

  oomWhen(predicate: (graph: ApiGraph) => boolean, times = Number.POSITIVE_INFINITY): void {
    this.oomPredicates.push({ predicate, remaining: times });
  }

  failNode(
    classType: string,
    exceptionType = 'RuntimeError',
    message = 'simulated failure',
    times = 1,
  ): void {
    this.nodeFailures.push({ classType, exceptionType, message, remaining: times });
  }

  dropWsAfterFrames(k: number, mode: 'close' | 'reset' = 'close'): void {
    this.dropWs = { k: Math.max(1, Math.floor(k)), mode };
  }

  refuseWsFor(ms: number): void {
    this.wsRefusedUntil = Date.now() + ms;
  }

  httpError(routePrefix: string, count = 1, status: number | 'reset' = 500): void {
    this.httpFaults.push({ prefix: routePrefix, remaining: count, status });
  }

  hangNext(): void {
    this.hang = true;
  }

  stallSteps(ms: number, runs = 1): void {
    this.stall = { ms, runs };
  }

  delayHistoryWrite(ms: number, runs = 1): void {
    this.historyDelay = { ms, runs };
  }

  eventsBeforeReply(ms = 50, count = 1): void {
    this.promptReplyDelay = { ms: Math.max(0, ms), count: Math.max(1, Math.floor(count)) };
  }

  delayPromptReply(ms: number, count = 1): void {
    this.eventsBeforeReply(ms, count);
  }

  brokenModel(file: string, exceptionType = 'ValueError', message?: string): void {
    this.brokenModels.set(file, { exceptionType, message: message ?? null });
  }

  clear(): void {
    this.oomCountdown = null;
    this.oomPromptIds.clear();
    this.oomPredicates = [];
    this.nodeFailures = [];
    this.dropWs = null;
    this.wsRefusedUntil = 0;
    this.httpFaults = [];
    this.hang = false;
    this.stall = null;
    this.historyDelay = null;
    this.promptReplyDelay = null;
    this.brokenModels.clear();
  }

  // ——— hooks used by the simulator ———

  /** Called for every accepted prompt, in acceptance order. */
  onPromptAccepted(promptId: string): void {
    if (this.oomCountdown === null) return;
    this.oomCountdown -= 1;
    if (this.oomCountdown <= 0) {
      this.oomPromptIds.add(promptId);
      this.oomCountdown = null;
    }
  }

  /** Consumes the faults that apply to the run that is starting now. */
  takeRunFaults(promptId: string, graph: ApiGraph): RunFaults {
    let oom = this.oomPromptIds.delete(promptId);
    for (const p of this.oomPredicates) {
      if (p.remaining > 0 && safePredicate(p.predicate, graph)) {
        oom = true;
        p.remaining -= 1;
      }
    }
    this.oomPredicates = this.oomPredicates.filter((p) => p.remaining > 0);
    const hang = this.hang;
    this.hang = false;
    let stallMs = 0;
    if (this.stall) {
      stallMs = this.stall.ms;
      this.stall.runs -= 1;
      if (this.stall.runs <= 0) this.stall = null;
    }
    let historyDelayMs = 0;
    if (this.historyDelay) {
      historyDelayMs = this.historyDelay.ms;
      this.historyDelay.runs -= 1;
      if (this.historyDelay.runs <= 0) this.historyDelay = null;
    }
    const dropWs = this.dropWs;
    this.dropWs = null;
    return { oom, hang, stallMs, historyDelayMs, dropWs };
  }

  /** A node failure armed for `classType`, consumed when returned. */
  takeNodeFailure(classType: string): NodeFailure | null {
    const failure = this.nodeFailures.find((f) => f.classType === classType && f.remaining > 0);
    if (!failure) return null;
    failure.remaining -= 1;
    this.nodeFailures = this.nodeFailures.filter((f) => f.remaining > 0);
    return failure;
  }

  wsRefused(): boolean {
    return Date.now() < this.wsRefusedUntil;
  }

  takeHttpFault(pathname: string): HttpFault | null {
    const fault = this.httpFaults.find(
      (f) => f.remaining > 0 && (pathname.startsWith(f.prefix) || pathname.startsWith(`/api${f.prefix}`)),
    );
    if (!fault) return null;
    fault.remaining -= 1;
    this.httpFaults = this.httpFaults.filter((f) => f.remaining > 0);
    return fault;
  }

  /** Whether loading `file` fails, and how (the default message reads like a corrupt safetensors file). */
  modelLoadFailure(file: string, fullPath: string): { exceptionType: string; message: string } | null {
    const broken = this.brokenModels.get(file);
    if (!broken) return null;
    return {
      exceptionType: broken.exceptionType,
      message:
        broken.message ??
        `Error while deserializing header: HeaderTooLarge\n\nFile path: ${fullPath}\n\nThe safetensors file is corrupt or invalid. Make sure this is actually a safetensors file and not a ckpt or pt or other filetype.`,
    };
  }

  /** Milliseconds to hold this POST /prompt reply with events flowing first, or null for the real order. */
  takeEventsBeforeReply(): number | null {
    if (!this.promptReplyDelay) return null;
    const { ms } = this.promptReplyDelay;
    this.promptReplyDelay.count -= 1;
    if (this.promptReplyDelay.count <= 0) this.promptReplyDelay = null;
    return ms;
  }
}

function safePredicate(predicate: (graph: ApiGraph) => boolean, graph: ApiGraph): boolean {
  try {
    return predicate(graph);
  } catch {
    return false;
  }
}
