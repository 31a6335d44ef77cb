// Hybrid logical clock (Kulkarni et al.): timestamps that follow wall-clock time, never go backwards
// on one node, move past every timestamp the node has seen from others, and sort correctly as plain
// strings — so SQLite, Postgres and JS can compare them with `<` / `ORDER BY` and no parsing.
//
// Format: `<physical ms, 13 digits>-<counter, 5 digits>-<node id>`, e.g.
// `1735787045000-00003-4f2a9c01d3e5b7a8`. The node id breaks ties between nodes.
import { randomBytes } from 'node:crypto';
import { ShowcaseError } from '../../../shared/index.ts';

export const HLC_MAX_PHYSICAL = 9_999_999_999_999;
export const HLC_MAX_COUNTER = 99_999;
const HLC_PATTERN = /^(\d{13})-(\d{5})-([A-Za-z0-9_-]{1,64})$/;
const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface HlcParts {
  physical: number;
  counter: number;
  node: string;
}

/** A fresh random node id: 16 lowercase hex characters. */
export function newNodeId(): string {
  return randomBytes(8).toString('hex');
}

export function isNodeId(value: string): boolean {
  return NODE_ID_PATTERN.test(value);
}

export function formatHlc(parts: HlcParts): string {
  if (!Number.isInteger(parts.physical) || parts.physical < 0 || parts.physical > HLC_MAX_PHYSICAL) {
    throw new ShowcaseError('invalid_input', `HLC physical time out of range: ${parts.physical}`);
  }
  if (!Number.isInteger(parts.counter) || parts.counter < 0 || parts.counter > HLC_MAX_COUNTER) {
    throw new ShowcaseError('invalid_input', `HLC counter out of range: ${parts.counter}`);
  }
  if (!isNodeId(parts.node)) {
    throw new ShowcaseError('invalid_input', `HLC node id is not [A-Za-z0-9_-]{1,64}: ${parts.node}`);
  }
  return `${String(parts.physical).padStart(13, '0')}-${String(parts.counter).padStart(5, '0')}-${parts.node}`;
}

export function parseHlc(value: string): HlcParts {
  const m = HLC_PATTERN.exec(value);
  if (!m) {
    throw new ShowcaseError('invalid_input', `Invalid HLC timestamp ${JSON.stringify(value)}`, {
      hint: 'Expected <13-digit ms>-<5-digit counter>-<node id>.',
      details: { field: 'hlc' },
    });
  }
  return { physical: Number(m[1]), counter: Number(m[2]), node: m[3] as string };
}

export function isHlc(value: string): boolean {
  return HLC_PATTERN.test(value);
}

/** Orders two HLC strings; plain string comparison is exact because the numeric fields are fixed-width. */
export function compareHlc(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface HybridClockOptions {
  /** Wall clock in ms (tests inject a fake one). */
  now?: () => number;
  /** The highest timestamp this node issued or saw before (restored from storage after a restart). */
  last?: string | null;
  /**
   * How far a remote timestamp may run ahead of the local wall clock before `receive` refuses it.
   * One peer with a wildly wrong clock would otherwise drag every later local timestamp into the future.
   */
  maxDriftMs?: number;
}

export const DEFAULT_MAX_DRIFT_MS = 24 * 60 * 60 * 1000;

export class HybridClock {
  readonly nodeId: string;
  readonly maxDriftMs: number;
  private readonly wall: () => number;
  private physical = 0;
  private counter = 0;
  /**
   * Added to every wall-clock read: the team database's time minus this machine's, measured at each
   * sync, so a workstation whose clock is wrong still stamps edits in real time.
   */
  private offset = 0;

  constructor(nodeId: string, options: HybridClockOptions = {}) {
    if (!isNodeId(nodeId)) {
      throw new ShowcaseError('invalid_input', `HLC node id is not [A-Za-z0-9_-]{1,64}: ${nodeId}`);
    }
    this.nodeId = nodeId;
    this.wall = options.now ?? Date.now;
    this.maxDriftMs = options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS;
    if (options.last) {
      const last = parseHlc(options.last);
      this.physical = last.physical;
      this.counter = last.counter;
    }
  }

  /** The last timestamp issued or received (the clock's state), without advancing it. */
  last(): string {
    return formatHlc({ physical: this.physical, counter: this.counter, node: this.nodeId });
  }

  /**
   * Moves the clock's state up to `seen` (if it is ahead) without issuing a timestamp: used to pick up
   * timestamps another process issued on the same database.
   */
  observe(seen: string): void {
    const t = parseHlc(seen);
    if (t.physical > this.physical || (t.physical === this.physical && t.counter > this.counter)) {
      this.physical = t.physical;
      this.counter = t.counter;
    }
  }

  /** A new timestamp for a local event: strictly greater than every timestamp issued or received before. */
  now(): string {
    const wall = this.wallMs();
    if (wall > this.physical) {
      this.physical = wall;
      this.counter = 0;
    } else {
      this.bump();
    }
    return this.last();
  }

  /**
   * Merges a timestamp received from another node and returns a new local timestamp greater than both
   * it and everything issued before. Throws `sync_error` when the remote clock is implausibly far ahead.
   */
  receive(remote: string): string {
    const r = parseHlc(remote);
    const wall = this.wallMs();
    if (r.physical - wall > this.maxDriftMs) {
      throw new ShowcaseError(
        'sync_error',
        `Remote clock of node ${r.node} is ${Math.round((r.physical - wall) / 1000)} s ahead of this machine`,
        {
          hint: 'Check the system clock on both machines.',
          details: { remote, maxDriftMs: this.maxDriftMs },
        },
      );
    }
    const physical = Math.max(this.physical, r.physical, wall);
    if (physical === this.physical && physical === r.physical) {
      this.counter = Math.max(this.counter, r.counter);
      this.bump();
    } else if (physical === this.physical) {
      this.bump();
    } else if (physical === r.physical) {
      this.physical = physical;
      this.counter = r.counter;
      this.bump();
    } else {
      this.physical = physical;
      this.counter = 0;
    }
    return this.last();
  }

  /** The corrected wall clock in ms (this machine's clock plus the measured offset). */
  wallMs(): number {
    return Math.min(Math.max(0, Math.floor(this.wall() + this.offset)), HLC_MAX_PHYSICAL);
  }

  /** This machine's own clock, uncorrected (for measuring the offset). */
  rawWallMs(): number {
    return this.wall();
  }

  get offsetMs(): number {
    return this.offset;
  }

  setOffset(ms: number): void {
    this.offset = Number.isFinite(ms) ? Math.round(ms) : 0;
  }

  /** How far the clock's state runs ahead of the corrected wall clock (0 when it does not). */
  aheadMs(): number {
    return Math.max(0, this.physical - this.wallMs());
  }

  /**
   * Forgets a state far in the future (persisted while the machine's clock ran ahead): the next
   * timestamp follows the corrected wall clock again. Only the sync repair calls this, after moving
   * every pending edit stamped in that future onto fresh timestamps.
   */
  rewind(): void {
    this.physical = this.wallMs();
    this.counter = 0;
  }

  // The counter is capped at five digits to keep the string sortable; on overflow logical time steps one
  // millisecond ahead of the wall clock, which stays monotonic and is caught up by the wall clock.
  private bump(): void {
    if (this.counter < HLC_MAX_COUNTER) {
      this.counter += 1;
    } else {
      this.physical += 1;
      this.counter = 0;
    }
  }
}
