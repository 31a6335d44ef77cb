// The placement policies the hetero benchmark compares. Ours calls the engine's placement code; the
// anchors follow their published rules:
// - round-robin (ComfyPool's default mode): each job, when it becomes ready, goes to the next backend in
//   turn that can hold its model (the model check is a courtesy: ComfyPool has none and would fail the
//   job), and waits in that backend's own queue;
// - first-zero-queue (ComfyPool's other mode): a ready job goes to the first backend with nothing
//   queued or running that can hold its model; jobs wait in one shared FIFO until one is free;
// - SwarmUI-style: a backend with room (one running + its over-queue of one) takes the first waiting
//   job whose model it holds; a backend with nothing running or queued loads the model with the most
//   waiting jobs ("pressure") that fits it. No speed awareness.
import { byPriority, type PlacementGpu, pickJob } from '../engine/placement/index.ts';
import type { CatalogJob, GpuRun, Policy } from './hetero-model.ts';

/** Ready jobs kept sorted by priority then FIFO, with a cheap removal. */
class ReadyList {
  readonly items: CatalogJob[] = [];

  add(jobs: readonly CatalogJob[]): void {
    for (const job of jobs) {
      // Binary search for the insert position: jobs mostly arrive in order, so this is near the end.
      let lo = 0;
      let hi = this.items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const at = this.items[mid];
        if (at && byPriority(at, job) <= 0) lo = mid + 1;
        else hi = mid;
      }
      this.items.splice(lo, 0, job);
    }
  }

  take(job: CatalogJob): void {
    const i = this.items.indexOf(job);
    if (i >= 0) this.items.splice(i, 1);
  }

  first(match: (job: CatalogJob) => boolean): CatalogJob | undefined {
    return this.items.find(match);
  }
}

export function earliestFinishPolicy(): Policy {
  const ready = new ReadyList();
  const backlog = new Map<string, number>();
  return {
    name: 'ours',
    begin(jobs) {
      for (const j of jobs) backlog.set(j.model, (backlog.get(j.model) ?? 0) + 1);
    },
    released: (jobs) => ready.add(jobs),
    dispatch(sim) {
      // Idle GPUs ask in turn; each decision sees the previous one's start.
      for (const gpu of sim.gpus) {
        if (gpu.running) continue;
        const view: PlacementGpu[] = sim.gpus.map((g) => ({
          id: g.spec.id,
          vramBytes: g.spec.vramBytes,
          models: null,
          loadedModel: g.loaded,
          freeAt: g.running ? g.endsAt : sim.now,
        }));
        const job = pickJob(gpu.spec.id, view, ready.items, sim.costs, sim.now, { backlog });
        if (!job) continue;
        const picked = ready.items.find((j) => j.id === job.id);
        if (!picked) continue;
        ready.take(picked);
        backlog.set(picked.model, (backlog.get(picked.model) ?? 1) - 1);
        sim.start(gpu, picked);
      }
    },
  };
}

export function roundRobinPolicy(): Policy {
  let turn = 0;
  return {
    name: 'round-robin',
    released(jobs, sim) {
      for (const job of [...jobs].sort(byPriority)) {
        for (let k = 0; k < sim.gpus.length; k++) {
          const gpu = sim.gpus[(turn + k) % sim.gpus.length];
          if (!gpu || !sim.fits(gpu, job.model)) continue;
          gpu.queue.push(job);
          turn = (turn + k + 1) % sim.gpus.length;
          break;
        }
      }
    },
    dispatch() {
      // Each backend works through its own queue (HeteroSim starts queue heads on idle GPUs).
    },
  };
}

export function firstZeroQueuePolicy(): Policy {
  const ready = new ReadyList();
  return {
    name: 'first-zero-queue',
    released: (jobs) => ready.add(jobs),
    dispatch(sim) {
      for (const gpu of sim.gpus) {
        if (gpu.running) continue;
        const job = ready.first((j) => sim.fits(gpu, j.model));
        if (!job) continue;
        ready.take(job);
        sim.start(gpu, job);
      }
    },
  };
}

/** SwarmUI's default over-queue: one prompt waits on a backend behind the running one. */
const OVER_QUEUE = 1;

export function swarmStylePolicy(): Policy {
  const ready = new ReadyList();
  const heldModel = (gpu: GpuRun): string | null =>
    gpu.queue.at(-1)?.model ?? gpu.running?.model ?? gpu.loaded;
  const room = (gpu: GpuRun): boolean => (gpu.running ? 1 : 0) + gpu.queue.length < 1 + OVER_QUEUE;
  return {
    name: 'swarmui-style',
    released: (jobs) => ready.add(jobs),
    dispatch(sim) {
      let placed = true;
      while (placed) {
        placed = false;
        for (const gpu of sim.gpus) {
          if (!room(gpu)) continue;
          const model = heldModel(gpu);
          let job = model ? ready.first((j) => j.model === model) : undefined;
          if (!job && !gpu.running && gpu.queue.length === 0) {
            const pressure = new Map<string, number>();
            for (const j of ready.items)
              if (sim.fits(gpu, j.model)) pressure.set(j.model, (pressure.get(j.model) ?? 0) + 1);
            let best: string | null = null;
            for (const [m, n] of pressure) if (best === null || n > (pressure.get(best) ?? 0)) best = m;
            job = best ? ready.first((j) => j.model === best) : undefined;
          }
          if (!job) continue;
          ready.take(job);
          gpu.queue.push(job);
          placed = true;
        }
      }
    },
  };
}
