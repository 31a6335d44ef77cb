// Scripted faults for the fake Ollama. Each `…Next(n)` knob arms the next n generation requests
// (POST /api/chat or /api/generate that would produce text or load a model; unload requests are
// never faulted). Every fault that fires is logged for assertions.

export type OllamaFaultName =
  | 'invalid-json'
  | 'truncated-json'
  | 'schema-mismatch'
  | 'reset-before-headers'
  | 'reset-mid-stream'
  | 'http-error'
  | 'mid-stream-error'
  | 'garbage-line'
  | 'slow-stream'
  | 'hang'
  | 'slow-load'
  | 'missing-model';

export interface OllamaFaultRecord {
  fault: OllamaFaultName;
  path: string;
  model: string;
  at: number;
  detail?: string;
}

interface Armed<T> {
  remaining: number;
  value: T;
}

function take<T>(queue: Array<Armed<T>>): T | undefined {
  const head = queue[0];
  if (!head) return undefined;
  head.remaining -= 1;
  if (head.remaining <= 0) queue.shift();
  return head.value;
}

function arm<T>(queue: Array<Armed<T>>, n: number, value: T): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`fault count must be a positive integer, got ${n}`);
  queue.push({ remaining: n, value });
}

export type ContentFault = 'invalid-json' | 'truncated-json' | 'schema-mismatch';
export type StreamFault =
  | { kind: 'reset-mid-stream' }
  | { kind: 'mid-stream-error'; message: string }
  | { kind: 'garbage-line' };
export type EarlyFault =
  | { kind: 'http-error'; status: number; message: string | undefined }
  | { kind: 'reset-before-headers' }
  | { kind: 'hang' };

/** The faults shaping one answer (at most one of each group). */
export interface AnswerFaults {
  content: ContentFault | undefined;
  stream: StreamFault | undefined;
  /** Profile milliseconds between streamed chunks. */
  slowStreamGapMs: number | undefined;
}

export class OllamaFaults {
  /** Every fault that fired, in order. */
  readonly log: OllamaFaultRecord[] = [];
  /** Extra profile milliseconds added to every cold load while set (a slow disk); 0 = off. */
  slowLoadMs = 0;
  private readonly early: Array<Armed<EarlyFault>> = [];
  private readonly content: Array<Armed<ContentFault>> = [];
  private readonly stream: Array<Armed<StreamFault>> = [];
  private readonly slowStream: Array<Armed<number>> = [];
  private readonly removeModel: (tag: string) => void;

  constructor(removeModel: (tag: string) => void) {
    this.removeModel = removeModel;
  }

  /** The next n answers are prose instead of JSON, despite `format` (done_reason "stop"). */
  invalidJsonNext(n = 1): void {
    arm(this.content, n, 'invalid-json');
  }

  /** The next n answers stop mid-object with done_reason "length" (as if num_predict ran out). */
  truncatedJsonNext(n = 1): void {
    arm(this.content, n, 'truncated-json');
  }

  /** The next n answers are valid JSON that violates the schema (a required key missing, a wrong type). */
  schemaMismatchNext(n = 1): void {
    arm(this.content, n, 'schema-mismatch');
  }

  /** Uninstalls `tag` (and evicts it from the GPU): requests for it now get 404. */
  missingModel(tag: string): void {
    this.removeModel(tag);
    this.log.push({ fault: 'missing-model', path: '', model: tag, at: Date.now() });
  }

  /** Every cold load takes `ms` extra profile milliseconds (before the headers go out) until clear(). */
  slowFirstLoad(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`slowFirstLoad needs ms >= 0, got ${ms}`);
    this.slowLoadMs = ms;
  }

  /**
   * The next n requests lose their connection: `mid-stream` after a few chunks (stream:false
   * requests are cut before the headers, as their headers only go out at the end), or
   * `before-headers` right after the request was read.
   */
  resetConnectionNext(n = 1, phase: 'mid-stream' | 'before-headers' = 'mid-stream'): void {
    if (phase === 'before-headers') arm(this.early, n, { kind: 'reset-before-headers' });
    else arm(this.stream, n, { kind: 'reset-mid-stream' });
  }

  /** The next n requests answer `status` with `{"error": message}` at once (default texts per status). */
  httpErrorNext(status: number, n = 1, message?: string): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`httpErrorNext needs a 4xx/5xx status, got ${status}`);
    }
    arm(this.early, n, { kind: 'http-error', status, message });
  }

  /** The next n streams send a few chunks, then an `{"error": …}` line (HTTP status stays 200). */
  midStreamErrorNext(n = 1, message = 'an error was encountered while running the model'): void {
    arm(this.stream, n, { kind: 'mid-stream-error', message });
  }

  /** The next n streams carry one line that is not JSON between the chunks. */
  garbageLineNext(n = 1): void {
    arm(this.stream, n, { kind: 'garbage-line' });
  }

  /** The next n streams wait `gapMs` profile milliseconds between chunks (trips idle timeouts). */
  slowStreamNext(gapMs: number, n = 1): void {
    arm(this.slowStream, n, gapMs);
  }

  /** The next n requests are accepted and never answered (until the client gives up). */
  hangNext(n = 1): void {
    arm(this.early, n, { kind: 'hang' });
  }

  /** Disarms everything (installed models stay as they are). */
  clear(): void {
    this.early.length = 0;
    this.content.length = 0;
    this.stream.length = 0;
    this.slowStream.length = 0;
    this.slowLoadMs = 0;
  }

  /** @internal The fault that decides whether a generation request is answered at all. */
  drawEarly(): EarlyFault | undefined {
    return take(this.early);
  }

  /** @internal The faults shaping an answer that is being produced. */
  drawAnswer(): AnswerFaults {
    return { content: take(this.content), stream: take(this.stream), slowStreamGapMs: take(this.slowStream) };
  }

  /** @internal */
  record(fault: OllamaFaultName, path: string, model: string, detail?: string): void {
    this.log.push({ fault, path, model, at: Date.now(), ...(detail === undefined ? {} : { detail }) });
  }
}
