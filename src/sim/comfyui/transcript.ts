// A bounded record of every HTTP exchange and WebSocket frame, so tests can assert exact sequences.

export interface TranscriptEntry {
  /** Monotonic sequence number across the simulator's lifetime. */
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  channel: 'http' | 'ws';
  /** `in` = client → simulator, `out` = simulator → client. */
  dir: 'in' | 'out';
  kind: 'request' | 'response' | 'open' | 'close' | 'text' | 'binary';
  method?: string;
  /** Request path with query string. */
  path?: string;
  status?: number;
  /** WebSocket session id. */
  sid?: string;
  /** WS message `type` for text frames; the binary event number as a string for binary frames. */
  type?: string;
  /** Parsed `data` of a WS JSON frame. */
  data?: unknown;
  /** Text body (truncated), for HTTP bodies and WS text frames. */
  body?: string;
  bytes?: number;
}

const MAX_BODY = 4000;

export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private seq = 0;
  private readonly capacity: number;

  constructor(capacity = 5000) {
    this.capacity = capacity;
  }

  record(entry: Omit<TranscriptEntry, 'seq' | 'at'>): void {
    const body =
      entry.body !== undefined && entry.body.length > MAX_BODY
        ? `${entry.body.slice(0, MAX_BODY)}…`
        : entry.body;
    this.entries.push({ seq: ++this.seq, at: Date.now(), ...entry, ...(body === undefined ? {} : { body }) });
    // Trim in batches so recording stays O(1) amortised.
    if (this.entries.length > this.capacity + 500)
      this.entries.splice(0, this.entries.length - this.capacity);
  }
}
