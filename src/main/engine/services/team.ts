// TeamService: this station's link to the team — the team lane its `--team` image jobs run on, the
// team database (queue + registry) from the sync setting's PostgreSQL URL, the team bucket from the
// S3 setting, and the Team view's status. Opened on first use; a URL changed in the settings is
// picked up at the next use.
import {
  ShowcaseError,
  type TeamStatus,
  type TemplateFamily,
  toShowcaseError,
} from '../../../shared/index.ts';
import type { Lane, QueuedJob } from '../jobs/index.ts';
import { TeamCopyJobs } from '../pipeline/team-copy.ts';
import { TeamImageJobs } from '../pipeline/team-image.ts';
import { parseS3Settings } from '../publish/index.ts';
import { TeamBucket, TeamConnection, TeamDispatch, type TeamTarget, type TeamWorker } from '../team/index.ts';
import type { EngineContext } from './context.ts';

/** Team jobs one station keeps out at once: enough to keep a studio's GPUs fed, few enough to poll. */
const TEAM_LANE_CAPACITY = 256;

export interface TeamOptions {
  /** Schema, lease and poll settings (tests shorten them); the URL comes from the settings. */
  schema?: string;
  queue?: TeamTarget['queue'];
  heartbeatSeconds?: number;
  pollMs?: number;
}

export class TeamService {
  readonly lane: Lane = {
    id: 'team',
    kind: 'team',
    capacity: TEAM_LANE_CAPACITY,
    sharedWithLlm: false,
    online: true,
    sequential: false,
    inFlight: 0,
    lastModel: null,
    url: 'team queue',
    label: 'Team queue',
    detached: true,
  };
  readonly images: TeamImageJobs;
  readonly copies: TeamCopyJobs;
  private readonly ctx: EngineContext;
  private readonly options: TeamOptions;
  private connection: TeamConnection | null = null;
  private dispatch: TeamDispatch | null = null;
  private bucketCache: { key: string; bucket: TeamBucket } | null = null;

  constructor(ctx: EngineContext, options: TeamOptions = {}) {
    this.ctx = ctx;
    this.options = options;
    this.images = new TeamImageJobs({
      ...ctx,
      dispatch: {
        render: (...args) => this.current().dispatch.render(...args),
        sent: (jobId) => this.current().dispatch.sent(jobId),
      },
      bucket: () => this.bucket(),
    });
    this.copies = new TeamCopyJobs({
      ...ctx,
      dispatch: { writeCopy: (...args) => this.current().dispatch.writeCopy(...args) },
    });
  }

  /** The team connection for the current settings (re-made when the PostgreSQL URL changed). */
  private current(): { connection: TeamConnection; dispatch: TeamDispatch } {
    const url = this.ctx.settings().postgresUrl;
    if (!url) {
      throw new ShowcaseError('invalid_input', 'No team database is set', {
        hint: 'Set the team PostgreSQL URL in Settings → Sync (the team queue lives in the same database)',
        details: { field: 'postgresUrl' },
      });
    }
    if (!this.connection || !this.dispatch || this.connection.target.url !== url) {
      const old = this.connection;
      this.dispatch?.close();
      void old?.close();
      this.connection = new TeamConnection({
        url,
        ...(this.options.schema ? { schema: this.options.schema } : {}),
        ...(this.options.queue ? { queue: this.options.queue } : {}),
        ...(this.options.heartbeatSeconds ? { heartbeatSeconds: this.options.heartbeatSeconds } : {}),
      });
      this.dispatch = new TeamDispatch(this.connection, {
        ...(this.options.pollMs ? { pollMs: this.options.pollMs } : {}),
      });
    }
    return { connection: this.connection, dispatch: this.dispatch };
  }

  private bucket(): TeamBucket {
    const s3 = this.ctx.settings().s3;
    if (!s3) {
      throw new ShowcaseError('invalid_input', 'No S3/MinIO bucket is set for the team', {
        hint: 'Workers upload what they render to the team bucket: set it in Settings → Publishing',
        details: { field: 's3' },
      });
    }
    const settings = parseS3Settings(s3);
    const key = JSON.stringify(settings);
    if (this.bucketCache?.key !== key) {
      this.bucketCache?.bucket.close();
      this.bucketCache = { key, bucket: new TeamBucket(settings) };
    }
    return this.bucketCache.bucket;
  }

  /**
   * Before a run is sent: the team database answers and a bucket is set. Says (in the log) when no
   * live worker can render a family yet: its jobs wait in the queue until one joins.
   */
  async checkReady(families: readonly TemplateFamily[]): Promise<void> {
    this.bucket();
    const { connection } = this.current();
    let workers: TeamWorker[];
    try {
      await connection.queue();
      workers = await (await connection.registry()).list();
    } catch (err) {
      throw new ShowcaseError(
        'backend_unreachable',
        `The team database did not answer: ${toShowcaseError(err).message}`,
        {
          hint: 'Check the PostgreSQL URL in Settings → Sync and that the server is up',
          details: { backend: 'team queue' },
          cause: err,
        },
      );
    }
    for (const family of families) {
      const able = workers.filter((w) => !w.lost && w.backends.some((b) => b.families.includes(family)));
      if (able.length === 0)
        this.ctx.log(`team: no live worker has the ${family} models yet; its images wait in the team queue`);
      else
        this.ctx.log(
          `team: ${able.length} worker(s) can render ${family}: ${able.map((w) => w.name).join(', ')}`,
        );
    }
  }

  /**
   * Takes a job back from the team queue (cancelled by the operator, or failed here: a hero that
   * failed takes its variations with it). A job a worker already finished is left as it is.
   */
  withdraw(job: Pick<QueuedJob, 'id' | 'template'>): void {
    const template =
      job.template && this.ctx.templates.has(job.template) ? this.ctx.templates.get(job.template) : null;
    if (!template || !this.connection) return;
    const connection = this.connection;
    void connection
      .queue()
      .then((queue) => queue.cancel(template.family, job.id))
      .catch((err: unknown) =>
        this.ctx.log(`team: could not withdraw job ${job.id}: ${toShowcaseError(err).message}`),
      );
  }

  /**
   * Where a team run's copy is written: by this station's Ollama when it answers, else by the team's
   * workers that have one (`worker --ollama`), so a laptop without a GPU can send a catalog.
   */
  async copyTarget(
    ollama: { version(opts: { timeoutMs?: number }): Promise<string> },
    url: string,
  ): Promise<'local' | 'team'> {
    try {
      await ollama.version({ timeoutMs: 3000 });
      return 'local';
    } catch {
      const { connection } = this.current();
      const writers = (await (await connection.registry()).list()).filter(
        (w) => !w.lost && w.backends.some((b) => b.writesCopy),
      );
      this.ctx.log(
        `team: this station's Ollama at ${url} does not answer: the copy is written by the team's workers with an Ollama (${writers.length > 0 ? writers.map((w) => w.name).join(', ') : 'none live yet: start one with worker --ollama'})`,
      );
      return 'team';
    }
  }

  /** The lane's health check while the team database is away. */
  async probe(): Promise<void> {
    const { connection } = this.current();
    await (await connection.registry()).list();
  }

  async status(): Promise<TeamStatus> {
    const empty = { workers: [], queue: [], sent: this.lane.inFlight };
    if (!this.ctx.settings().postgresUrl) return { configured: false, error: null, ...empty };
    try {
      return {
        configured: true,
        error: null,
        ...(await this.current().connection.status(this.lane.inFlight)),
      };
    } catch (err) {
      return { configured: true, error: toShowcaseError(err).message, ...empty };
    }
  }

  async close(): Promise<void> {
    this.dispatch?.close();
    await this.connection?.close();
    this.bucketCache?.bucket.close();
    this.connection = null;
    this.dispatch = null;
    this.bucketCache = null;
  }
}
