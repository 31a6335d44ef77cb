// One station's way into the team database: the queue (pg-boss) and the worker registry, opened on
// first use and opened again after a failure (the team database may be down when the app starts).
import type { TeamStatus } from '../../../shared/index.ts';
import { TeamQueue, type TeamQueueOptions } from './queue.ts';
import { WorkerRegistry } from './registry.ts';

export interface TeamTarget {
  url: string;
  /** Postgres schema of the queue and registry (default `showcase_team`). */
  schema?: string;
  queue?: Omit<TeamQueueOptions, 'url' | 'schema'>;
  /** Registry heartbeat interval the lost-worker rule counts in (tests shorten it). */
  heartbeatSeconds?: number;
}

export class TeamConnection {
  readonly target: TeamTarget;
  private queuePromise: Promise<TeamQueue> | null = null;
  private registryPromise: Promise<WorkerRegistry> | null = null;

  constructor(target: TeamTarget) {
    this.target = target;
  }

  queue(): Promise<TeamQueue> {
    this.queuePromise ??= TeamQueue.open({
      url: this.target.url,
      ...(this.target.schema ? { schema: this.target.schema } : {}),
      ...this.target.queue,
    }).catch((err: unknown) => {
      this.queuePromise = null;
      throw err;
    });
    return this.queuePromise;
  }

  registry(): Promise<WorkerRegistry> {
    this.registryPromise ??= (async () => {
      const registry = new WorkerRegistry({
        url: this.target.url,
        ...(this.target.schema ? { schema: this.target.schema } : {}),
        ...(this.target.heartbeatSeconds ? { heartbeatSeconds: this.target.heartbeatSeconds } : {}),
      });
      try {
        await registry.install();
      } catch (err) {
        await registry.close().catch(() => undefined);
        throw err;
      }
      return registry;
    })().catch((err: unknown) => {
      this.registryPromise = null;
      throw err;
    });
    return this.registryPromise;
  }

  /** What the Team view shows: every worker, its GPUs and jobs, and the queue per family. */
  async status(sent: number): Promise<Omit<TeamStatus, 'configured' | 'error'>> {
    const [registry, queue] = await Promise.all([this.registry(), this.queue()]);
    const [workers, counts] = await Promise.all([registry.list(), queue.counts()]);
    return {
      workers: workers.map((w) => {
        const minutes = Math.max((w.heartbeatAt.getTime() - w.startedAt.getTime()) / 60_000, 1 / 60);
        return {
          id: w.id,
          name: w.name,
          backends: w.backends.map((b) => ({
            url: b.url,
            gpu: b.gpu,
            vramBytes: b.vramBytes,
            families: b.families,
            loadedModel: b.loadedModel,
            msPerImage: b.msPerImage,
            ...(b.writesCopy ? { writesCopy: true } : {}),
          })),
          jobsDone: w.jobsDone,
          jobsPerMinute: Math.round((w.jobsDone / minutes) * 10) / 10,
          inFlight: w.lost ? [] : w.inFlight,
          startedAt: w.startedAt.toISOString(),
          heartbeatAt: w.heartbeatAt.toISOString(),
          secondsSinceHeartbeat: Math.round(w.silentSeconds),
          lost: w.lost,
        };
      }),
      queue: [...counts].map(([family, c]) => ({ family, ...c })),
      sent,
    };
  }

  async close(): Promise<void> {
    const queue = this.queuePromise;
    const registry = this.registryPromise;
    this.queuePromise = null;
    this.registryPromise = null;
    await Promise.all([
      queue?.then((q) => q.close()).catch(() => undefined),
      registry?.then((r) => r.close()).catch(() => undefined),
    ]);
  }
}
