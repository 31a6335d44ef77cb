// The scheduler's ready jobs: per lane kind, bucketed by kind priority (heroes first: they unblock
// variations and thumbnails), each bucket FIFO by enqueue order. Taking a job prefers, among the
// first few candidates, one whose model the lane already has loaded (model affinity).
import type { Lane, LaneKind, QueuedJob } from './types.ts';

const KIND_PRIORITY: Record<string, number> = { copy: 0, hero: 0, lifestyle: 1, variation: 2, thumbnail: 3 };

/** A ready job's priority (smaller first): its bucket in the queue. */
export function readyPriority(job: QueuedJob): number {
  return job.lane === 'comfy' || job.lane === 'team' ? (KIND_PRIORITY[job.kind] ?? 3) : 0;
}

export class ReadyQueue {
  /** Ready jobs per lane kind, bucketed by kind priority, each bucket FIFO (sorted by seq on insert). */
  private readonly lists: Record<LaneKind, QueuedJob[][]> = {
    llm: [[]],
    comfy: [[], [], [], []],
    cpu: [[]],
    team: [[], [], [], []],
  };
  private readonly heads: Record<LaneKind, number[]> = {
    llm: [0],
    comfy: [0, 0, 0, 0],
    cpu: [0],
    team: [0, 0, 0, 0],
  };
  /** A job that must not run on this lane (its prompt lives on another server that is up). */
  private readonly pinnedElsewhere: (job: QueuedJob, lane: Lane) => boolean;

  constructor(pinnedElsewhere: (job: QueuedJob, lane: Lane) => boolean) {
    this.pinnedElsewhere = pinnedElsewhere;
  }

  private bucket(job: QueuedJob): number {
    return readyPriority(job);
  }

  push(job: QueuedJob): void {
    const buckets = this.lists[job.lane];
    const b = this.bucket(job);
    const list = buckets[b];
    if (!list) return;
    // Most inserts are in seq order; retries re-enter out of order and are placed by seq.
    let i = list.length;
    const head = this.heads[job.lane][b] ?? 0;
    while (i > head && (list[i - 1]?.seq ?? 0) > job.seq) i -= 1;
    list.splice(i, 0, job);
  }

  count(kind: LaneKind): number {
    let n = 0;
    const buckets = this.lists[kind];
    const heads = this.heads[kind];
    buckets.forEach((list, b) => {
      n += list.length - (heads[b] ?? 0);
    });
    return n;
  }

  /**
   * Up to `max` jobs of a kind that could start now (queued, back-off elapsed), in the order `take`
   * would consider them: priority bucket, then FIFO. Only jobs that can no longer run are removed.
   */
  candidates(kind: LaneKind, now: number, max: number): QueuedJob[] {
    const out: QueuedJob[] = [];
    const buckets = this.lists[kind];
    for (let b = 0; b < buckets.length && out.length < max; b++) {
      const list = buckets[b] ?? [];
      for (let i = this.heads[kind][b] ?? 0; i < list.length && out.length < max; i++) {
        const job = list[i];
        // A job cancelled or failed while it waited never runs: drop it instead of skipping it again.
        if (job?.status !== 'queued') list.splice(i--, 1);
        else if (job.notBefore <= now) out.push(job);
      }
    }
    return out;
  }

  /** Takes a job `candidates` returned out of the queue (placement chose it). */
  remove(job: QueuedJob): boolean {
    const b = this.bucket(job);
    const list = this.lists[job.lane][b];
    const i = list ? list.indexOf(job, this.heads[job.lane][b] ?? 0) : -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** Takes the best ready job for a lane whose backoff has elapsed; compacts consumed prefixes. */
  take(kind: LaneKind, now: number, lane: Lane): QueuedJob | null {
    const buckets = this.lists[kind];
    const heads = this.heads[kind];
    for (let b = 0; b < buckets.length; b++) {
      const list = buckets[b];
      if (!list) continue;
      let head = heads[b] ?? 0;
      // Skip entries that are no longer queued (cancelled while waiting).
      while (head < list.length && list[head]?.status !== 'queued') head += 1;
      heads[b] = head;
      if (head > 1024 && head * 2 > list.length) {
        list.splice(0, head);
        heads[b] = 0;
        head = 0;
      }
      // Prefer, within the first few candidates, one whose model is already loaded on this lane.
      let pick = -1;
      for (let i = head; i < list.length && i < head + 8; i++) {
        const candidate = list[i];
        if (candidate?.status !== 'queued' || candidate.notBefore > now) continue;
        if (this.pinnedElsewhere(candidate, lane)) continue;
        if (candidate.template && lane.cannotRun?.has(candidate.template)) continue;
        if (pick < 0) pick = i;
        if (lane.lastModel !== null && candidate.model === lane.lastModel) {
          pick = i;
          break;
        }
      }
      if (pick < 0) continue;
      const [job] = list.splice(pick, 1);
      if (job) return job;
    }
    return null;
  }
}
