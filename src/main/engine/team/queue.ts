// The team queue on pg-boss, in the team's PostgreSQL under its own schema. No home-made queue tables:
// leases (expiry), worker liveness (heartbeats), retries and dependencies (flows) are pg-boss's.
// - One queue per model family (`render-qwen-image`, `render-sdxl`, `render-edit`): a worker fetches
//   only from the families its ComfyUI has the models for, so an SDXL-only workstation never receives a
//   Qwen-Image job.
// - A product's images go in as one flow: the hero first, its lifestyle shot and variations blocked until
//   the hero completes. A flow is atomic, and every pg-boss job id is the sender's journal id, so sending
//   a product twice (a sender that crashed before it noted the send) creates nothing the second time.
// - A claimed job is a lease: the worker touches it while it renders; a worker that dies (kill -9) stops
//   touching, pg-boss's monitor fails the attempt and the job is fetched again elsewhere.
import { PgBoss } from 'pg-boss';
import { familyNames, type TemplateFamily } from '../../../shared/index.ts';
import {
  type TeamCopyJob,
  TeamCopyJobSchema,
  type TeamCopyResult,
  type TeamRenderJob,
  TeamRenderJobSchema,
  type TeamRenderResult,
} from './payload.ts';

export interface TeamQueueOptions {
  url: string;
  /** The Postgres schema pg-boss installs into (default `showcase_team`). */
  schema?: string;
  /** Seconds a render may stay active before its attempt is abandoned (default 1800). */
  leaseSeconds?: number;
  /**
   * Seconds between a worker's heartbeats on its job; a silent worker loses it (default 30, ≥ 10).
   * null turns heartbeats off: only the lease's expiry frees a dead worker's job.
   */
  heartbeatSeconds?: number | null;
  /** Attempts after the first (default 3). */
  retryLimit?: number;
  /** How often pg-boss looks for expired leases and missed heartbeats, in seconds (default 10). */
  monitorSeconds?: number;
}

/** One product's jobs for `send`: the hero and the jobs that wait for it. */
export interface TeamPlanEntry {
  job: TeamRenderJob;
  /** Journal ids of jobs in the same `send` call this one waits for. */
  dependsOn?: readonly string[];
}

export interface ClaimedJob {
  /** pg-boss job id (= the sender's journal id). */
  id: string;
  queue: string;
  /** 0 for the first attempt, then 1, 2 … (a retry after a failure or a lost lease). */
  attempt: number;
  job: TeamRenderJob;
  /** Other jobs wait for this one (a hero): completing it must release them. */
  hasDependents: boolean;
}

type Settings = Required<Omit<TeamQueueOptions, 'url' | 'schema'>>;

export function familyQueue(family: TemplateFamily): string {
  return `render-${family}`;
}

/** Copy for the team's workers with an Ollama (`worker --ollama`). */
export const COPY_QUEUE = 'write-copy';

export interface ClaimedCopy {
  id: string;
  queue: string;
  attempt: number;
  job: TeamCopyJob;
}

export class TeamQueue {
  private readonly boss: PgBoss;
  private readonly options: Settings;
  private readonly schema: string;
  private lastError: Error | null = null;

  private constructor(boss: PgBoss, options: Settings, schema: string) {
    this.boss = boss;
    this.options = options;
    this.schema = schema;
  }

  /** Connects, installs or migrates pg-boss's schema, and makes sure every family's queue exists. */
  static async open(options: TeamQueueOptions): Promise<TeamQueue> {
    const settings: Settings = {
      leaseSeconds: options.leaseSeconds ?? 1800,
      heartbeatSeconds: options.heartbeatSeconds ?? 30,
      retryLimit: options.retryLimit ?? 3,
      monitorSeconds: options.monitorSeconds ?? 10,
    };
    const schema = options.schema ?? 'showcase_team';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`team schema name not allowed: ${schema}`);
    const boss = new PgBoss({
      connectionString: options.url,
      schema,
      superviseIntervalSeconds: settings.monitorSeconds,
      monitorIntervalSeconds: settings.monitorSeconds,
    });
    const queue = new TeamQueue(boss, settings, schema);
    // pg-boss reports background failures (a lost connection during maintenance) as events; keep the
    // last one for `health()` instead of letting an unhandled 'error' event end the process.
    boss.on('error', (err: Error) => {
      queue.lastError = err;
    });
    await boss.start();
    for (const name of [...familyNames.map(familyQueue), COPY_QUEUE]) {
      await boss.createQueue(name, {
        expireInSeconds: settings.leaseSeconds,
        ...(settings.heartbeatSeconds === null ? {} : { heartbeatSeconds: settings.heartbeatSeconds }),
        retryLimit: settings.retryLimit,
        retryDelay: 5,
        retryBackoff: true,
      });
    }
    return queue;
  }

  /** The last background error pg-boss reported (null while healthy). */
  health(): Error | null {
    return this.lastError;
  }

  /**
   * Enqueues jobs, each product's as one atomic flow. Returns how many jobs were created and how many
   * were there already (sent before: nothing is created twice).
   */
  async send(plan: readonly TeamPlanEntry[]): Promise<{ created: number; existing: number }> {
    const groups = new Map<string, TeamPlanEntry[]>();
    for (const entry of plan) {
      const key = `${entry.job.runId}\u0000${entry.job.galleryId}`;
      const list = groups.get(key);
      if (list) list.push(entry);
      else groups.set(key, [entry]);
    }
    let created = 0;
    let existing = 0;
    for (const group of groups.values()) {
      const first = group[0];
      if (!first) continue;
      for (const entry of group) TeamRenderJobSchema.parse(entry.job);
      if (await this.boss.getJobById(familyQueue(first.job.family), first.job.jobId)) {
        existing += group.length;
        continue;
      }
      try {
        if (group.length === 1) {
          await this.boss.send(familyQueue(first.job.family), first.job, { id: first.job.jobId });
        } else {
          await this.boss.flow(
            group.map((entry) => ({
              ref: entry.job.jobId,
              name: familyQueue(entry.job.family),
              data: entry.job,
              options: { id: entry.job.jobId },
              ...(entry.dependsOn && entry.dependsOn.length > 0 ? { dependsOn: [...entry.dependsOn] } : {}),
            })),
          );
        }
      } catch (err) {
        // Sent at the same moment by another caller (two jobs of one product reaching the team lane
        // together, or a second station): the flow is atomic, so it is there whole, from the other.
        if (await this.boss.getJobById(familyQueue(first.job.family), first.job.jobId)) {
          existing += group.length;
          continue;
        }
        throw err;
      }
      created += group.length;
    }
    return { created, existing };
  }

  /** Jobs per family: waiting (ready or blocked behind a hero) and ready now. */
  async counts(): Promise<Map<TemplateFamily, { queued: number; ready: number; active: number }>> {
    const out = new Map<TemplateFamily, { queued: number; ready: number; active: number }>();
    for (const family of familyNames) {
      const q = await this.boss.getQueue(familyQueue(family));
      out.set(family, {
        queued: q?.queuedCount ?? 0,
        ready: q?.readyCount ?? 0,
        active: q?.activeCount ?? 0,
      });
    }
    return out;
  }

  /**
   * The same counts read live from the job table (pg-boss keeps its queue counters up to a monitor
   * interval behind): what a worker deciding its next claim needs, a handful of index-only counts.
   */
  async liveCounts(): Promise<Map<TemplateFamily, { queued: number; ready: number; active: number }>> {
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT name,
              count(*) FILTER (WHERE state < 'active')::int AS queued,
              count(*) FILTER (WHERE state < 'active' AND NOT blocked AND start_after <= now())::int AS ready,
              count(*) FILTER (WHERE state = 'active')::int AS active
       FROM ${this.schema}.job WHERE name = ANY($1::text[]) AND state <= 'active' GROUP BY name`,
      [familyNames.map(familyQueue)],
    );
    const out = new Map<TemplateFamily, { queued: number; ready: number; active: number }>();
    for (const family of familyNames) out.set(family, { queued: 0, ready: 0, active: 0 });
    for (const row of rows as Array<{ name: string; queued: number; ready: number; active: number }>) {
      const family = familyNames.find((f) => familyQueue(f) === row.name);
      if (family) out.set(family, { queued: row.queued, ready: row.ready, active: row.active });
    }
    return out;
  }

  /**
   * Claims one job from the first of `families` that has one ready. A payload this version cannot
   * read is failed at once with the field named (it would fail on every worker), and the next is tried.
   */
  async claim(families: readonly TemplateFamily[]): Promise<ClaimedJob | null> {
    for (const family of families) {
      const queue = familyQueue(family);
      for (;;) {
        const [raw] = await this.boss.fetch<unknown>(queue, { batchSize: 1, includeMetadata: true });
        if (!raw) break;
        const parsed = TeamRenderJobSchema.safeParse(raw.data);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const field = issue?.path.join('.') || '(payload)';
          await this.boss.fail(queue, raw.id, {
            error: `unreadable team job: ${field}: ${issue?.message ?? 'invalid'}`,
          });
          continue;
        }
        return {
          id: raw.id,
          queue,
          attempt: raw.retryCount,
          job: parsed.data,
          hasDependents: raw.blocking,
        };
      }
    }
    return null;
  }

  /** Sends a product's copy job (sending it again creates nothing: its id is the journal's). */
  async sendCopy(job: TeamCopyJob): Promise<void> {
    TeamCopyJobSchema.parse(job);
    if (await this.boss.getJobById(COPY_QUEUE, job.jobId)) return;
    await this.boss.send(COPY_QUEUE, job, { id: job.jobId });
  }

  /** Claims one copy job; one this version cannot read is failed naming the field, and the next tried. */
  async claimCopy(): Promise<ClaimedCopy | null> {
    for (;;) {
      const [raw] = await this.boss.fetch<unknown>(COPY_QUEUE, { batchSize: 1, includeMetadata: true });
      if (!raw) return null;
      const parsed = TeamCopyJobSchema.safeParse(raw.data);
      if (parsed.success) return { id: raw.id, queue: COPY_QUEUE, attempt: raw.retryCount, job: parsed.data };
      const issue = parsed.error.issues[0];
      await this.boss.fail(COPY_QUEUE, raw.id, {
        error: `unreadable team job: ${issue?.path.join('.') || '(payload)'}: ${issue?.message ?? 'invalid'}`,
      });
    }
  }

  /** Keeps the lease of a job being rendered (call at least every `heartbeatSeconds`). */
  async heartbeat(claim: Pick<ClaimedJob, 'queue' | 'id'>): Promise<void> {
    await this.boss.touch(claim.queue, claim.id);
  }

  /** The job's image is rendered and uploaded; its waiting dependents become ready at once. */
  async complete(claim: ClaimedJob, result: TeamRenderResult): Promise<void> {
    await this.boss.complete(claim.queue, claim.id, result);
    // pg-boss releases dependents in a background pass; a hero's are released now, so its lifestyle
    // shot and variations are ready for the next claim. A job nothing waits for has nothing to
    // release: skipping the pass (two statements) halves the cost of completing it.
    if (claim.hasDependents) await this.boss.resolveFlow();
  }

  /** The copy is written: the sender collects it from the job's output. */
  async completeCopy(claim: ClaimedCopy, result: TeamCopyResult): Promise<void> {
    await this.boss.complete(claim.queue, claim.id, result);
  }

  /** The attempt failed; pg-boss retries it (on any worker) until the retry limit. */
  async fail(claim: Pick<ClaimedJob, 'queue' | 'id'>, message: string): Promise<void> {
    await this.boss.fail(claim.queue, claim.id, { error: message });
  }

  /** The state and output of a job, for the sender's progress view. */
  async status(family: TemplateFamily, jobId: string): Promise<{ state: string; output: unknown } | null> {
    const job = await this.boss.getJobById<TeamRenderJob>(familyQueue(family), jobId);
    if (!job) return null;
    return { state: job.state, output: (job as { output?: unknown }).output ?? null };
  }

  /**
   * The state (and output, once finished) of many jobs in one query, for the sender's progress view.
   * Reads pg-boss's job table (the pinned version's layout, checked by the team tests): asking job by
   * job would cost a round trip per image of the catalog on every poll.
   */
  async states(jobIds: readonly string[]): Promise<Map<string, { state: string; output: unknown }>> {
    const out = new Map<string, { state: string; output: unknown }>();
    if (jobIds.length === 0) return out;
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `SELECT id::text AS id, state::text AS state, output FROM ${this.schema}.job WHERE id = ANY($1::uuid[])`,
        [jobIds],
      );
    for (const row of rows as Array<{ id: string; state: string; output: unknown }>) {
      out.set(row.id, { state: row.state, output: row.output ?? null });
    }
    return out;
  }

  /** Withdraws a job the sender no longer wants (a cancelled run); a worker rendering it is not stopped. */
  async cancel(family: TemplateFamily, jobId: string): Promise<void> {
    await this.boss.cancel(familyQueue(family), jobId);
  }

  /** Stops pg-boss. `graceful: false` drops what it holds (a worker stopping mid-render). */
  async close(graceful = true): Promise<void> {
    await this.boss.stop({ graceful, timeout: 5000 });
  }

  /** Options in force (for the worker's heartbeat timer and the docs' numbers). */
  get settings(): Readonly<Settings> {
    return this.options;
  }
}
