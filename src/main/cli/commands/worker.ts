// `showcase worker --pg URL --s3 URL --comfy URL [--comfy URL]… [--name NAME]`: this GPU workstation
// joins the team. It registers its ComfyUI servers, takes image jobs from the team queue for the
// families their model files allow, renders them and puts the images in the team bucket. Ctrl-C
// stops it cleanly: what it was rendering goes back to the queue for another worker.
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import { TeamWorkerRunner } from '../../engine/team/index.ts';
import { loadTemplates } from '../../engine/templates/index.ts';
import { s3FromFlag } from '../overrides.ts';
import { checkOptions } from '../preflight.ts';
import { terminalInline as safeText } from '../terminal.ts';

export interface WorkerCommandOptions {
  pg?: string;
  s3?: string;
  s3Region?: string;
  comfy?: string[];
  ollama?: string;
  name?: string;
  templates?: string;
  /** Hidden, for tests and benchmarks: the team schema and shorter leases. */
  schema?: string;
  heartbeatSeconds?: number;
  pollMs?: number;
  retryLimit?: number;
}

export async function workerCommand(opts: WorkerCommandOptions): Promise<void> {
  const pg = opts.pg ?? process.env.SHOWCASE_TEAM_PG;
  if (!pg) {
    throw new ShowcaseError('invalid_input', 'No team database given', {
      hint: 'Pass --pg postgres://user:password@host:5432/db (the database your studio syncs to)',
      details: { field: 'pg' },
    });
  }
  // Bad URLs are named here, before anything connects (the same rules as generate's flags).
  checkOptions({
    pg,
    ...(opts.comfy ? { comfy: opts.comfy } : {}),
    ...(opts.ollama ? { ollama: opts.ollama } : {}),
  });
  const s3 = s3FromFlag(opts.s3, opts.s3Region);
  const templates = await loadTemplates(opts.templates);
  const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${safeText(line)}`);
  const worker = await TeamWorkerRunner.start({
    ...(opts.name ? { name: opts.name } : {}),
    comfyUrls: opts.comfy ?? [],
    team: {
      url: pg,
      ...(opts.schema ? { schema: opts.schema } : {}),
      queue: {
        ...(opts.heartbeatSeconds ? { heartbeatSeconds: opts.heartbeatSeconds } : {}),
        ...(opts.retryLimit !== undefined ? { retryLimit: opts.retryLimit } : {}),
      },
    },
    s3,
    templates,
    ...(opts.ollama ? { ollamaUrl: opts.ollama } : {}),
    ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
    log,
  });
  if (opts.ollama)
    log(`${worker.name}: writes copy with Ollama at ${opts.ollama} (on the first GPU, one phase at a time)`);
  log(`worker ${worker.name} is taking team jobs (Ctrl-C stops it; its jobs go back to the queue)`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: stopping worker ${worker.name}`);
      worker
        .stop()
        .catch((err: unknown) => log(`stop: ${toShowcaseError(err).message}`))
        .finally(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  log(`worker ${worker.name} stopped after ${worker.done} image(s) (${worker.failed} failed attempt(s))`);
}
