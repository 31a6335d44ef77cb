// Who is in the team: one row per worker process, with what its GPUs are and can do, and when it last
// spoke. Not a queue (pg-boss holds the jobs); this is what placement and the Team view read. A worker
// whose heartbeat is older than three intervals is shown as lost.
import pg from 'pg';
import { z } from 'zod';
import { type TeamJobInFlight, TeamJobInFlightSchema, TemplateFamilySchema } from '../../../shared/index.ts';

/** How often a worker says it is alive (and reports progress); three missed beats and it is lost. */
export const WORKER_BEAT_SECONDS = 5;

export const WorkerBackendSchema = z.object({
  url: z.string().min(1),
  /** GPU name and VRAM from ComfyUI's /system_stats. */
  gpu: z.string(),
  vramBytes: z.number().nonnegative(),
  /** Model files installed (from /object_info) that the team's templates load. */
  models: z.array(z.string()),
  /** Families every template of which this server can run (the queues it takes work from). */
  families: z.array(TemplateFamilySchema),
  /** Measured milliseconds per image per model (model_usage_log); missing until measured. */
  msPerImage: z.record(z.string(), z.number().positive()),
  loadedModel: z.string().nullable(),
  /** This GPU's workstation also writes copy (its worker has an Ollama: `worker --ollama`). */
  writesCopy: z.boolean().optional(),
});

export type WorkerBackend = z.infer<typeof WorkerBackendSchema>;

export interface TeamWorker {
  id: string;
  name: string;
  backends: WorkerBackend[];
  jobsDone: number;
  /** Jobs this worker holds now, with the GPU rendering each and its sampler steps. */
  inFlight: TeamJobInFlight[];
  startedAt: Date;
  heartbeatAt: Date;
  /** Seconds since the last heartbeat, by the database's clock. */
  silentSeconds: number;
  lost: boolean;
}

const RowSchema = z.object({
  id: z.string(),
  name: z.string(),
  backends: z.array(WorkerBackendSchema),
  jobs_done: z.coerce.number(),
  in_flight: z.array(TeamJobInFlightSchema),
  started_at: z.date(),
  heartbeat_at: z.date(),
  lost: z.boolean(),
  silent_seconds: z.coerce.number(),
});

export class WorkerRegistry {
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly intervalSeconds: number;

  constructor(options: { url: string; schema?: string; heartbeatSeconds?: number }) {
    this.pool = new pg.Pool({ connectionString: options.url, max: 2 });
    this.pool.on('error', () => {
      // an idle client's lost connection only matters to the next query, which reports it
    });
    const schema = options.schema ?? 'showcase_team';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`team schema name not allowed: ${schema}`);
    this.table = `${schema}.team_workers`;
    this.intervalSeconds = options.heartbeatSeconds ?? WORKER_BEAT_SECONDS;
  }

  async install(): Promise<void> {
    const schema = this.table.split('.')[0];
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      id text PRIMARY KEY,
      name text NOT NULL,
      backends jsonb NOT NULL,
      jobs_done bigint NOT NULL DEFAULT 0,
      in_flight jsonb NOT NULL DEFAULT '[]',
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  /** Registers (or re-registers, after a restart) a worker and its backends. */
  async register(id: string, name: string, backends: readonly WorkerBackend[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (id, name, backends) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, backends = EXCLUDED.backends,
         started_at = now(), heartbeat_at = now(), in_flight = '[]'`,
      [id, name, JSON.stringify(backends)],
    );
  }

  /** A worker is alive; what it holds now, what its GPUs have loaded, jobs finished since the last beat. */
  async heartbeat(
    id: string,
    state: { inFlight: readonly TeamJobInFlight[]; backends: readonly WorkerBackend[]; finished: number },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET heartbeat_at = now(), in_flight = $2, backends = $3, jobs_done = jobs_done + $4
       WHERE id = $1`,
      [id, JSON.stringify(state.inFlight), JSON.stringify(state.backends), state.finished],
    );
  }

  async unregister(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE id = $1`, [id]);
  }

  /** Every registered worker; `lost` when it missed three heartbeats (by the server's clock). */
  async list(): Promise<TeamWorker[]> {
    const { rows } = await this.pool.query(
      `SELECT id, name, backends, jobs_done, in_flight, started_at, heartbeat_at,
              heartbeat_at < now() - make_interval(secs => $1) AS lost,
              extract(epoch FROM now() - heartbeat_at) AS silent_seconds
       FROM ${this.table} ORDER BY name, id`,
      [this.intervalSeconds * 3],
    );
    return rows.map((row: unknown) => {
      const r = RowSchema.parse(row);
      return {
        id: r.id,
        name: r.name,
        backends: r.backends,
        jobsDone: r.jobs_done,
        inFlight: r.in_flight,
        startedAt: r.started_at,
        heartbeatAt: r.heartbeat_at,
        silentSeconds: Math.max(0, r.silent_seconds),
        lost: r.lost,
      };
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
