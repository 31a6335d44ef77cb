// `showcase team [--pg URL] [--db FILE] [--json]`: the Team view on a terminal — every worker with its
// GPUs, families, loaded model, speed, last heartbeat and the jobs it renders (LOST after three missed
// beats), and the team queue per family. For headless GPU workstations and scripts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ShowcaseError, type TeamStatus } from '../../../shared/index.ts';
import { openStore } from '../../engine/store/index.ts';
import { TeamConnection } from '../../engine/team/index.ts';
import { table } from '../progress.ts';

export interface TeamCommandOptions {
  pg?: string;
  db: string;
  json?: boolean;
  schema?: string;
}

function teamUrl(opts: TeamCommandOptions): string {
  const url = opts.pg ?? process.env.SHOWCASE_TEAM_PG;
  if (url) return url;
  // Only an existing studio is asked: reading a setting must not create a database file.
  const path = resolve(opts.db);
  if (existsSync(path)) {
    const store = openStore(path);
    try {
      const fromSettings = store.settings.get().postgresUrl;
      if (fromSettings) return fromSettings;
    } finally {
      store.close();
    }
  }
  throw new ShowcaseError('invalid_input', 'No team database given', {
    hint: 'Pass --pg postgres://user:password@host:5432/db or set the PostgreSQL URL in Settings → Sync',
    details: { field: 'pg' },
  });
}

const gb = (bytes: number) => `${Math.round(bytes / 1e9)} GB`;

export function printTeam(status: Omit<TeamStatus, 'configured' | 'error'>): void {
  if (status.workers.length === 0) console.log('No worker has joined the team yet (bin/showcase worker …).');
  else {
    const rows = status.workers.map((w) => [
      w.name + (w.lost ? '  LOST' : ''),
      w.backends
        .map(
          (b) =>
            `${b.gpu} ${gb(b.vramBytes)} [${[...b.families, ...(b.writesCopy ? ['copy'] : [])].join(', ')}]`,
        )
        .join('; ') || '—',
      w.backends.map((b) => b.loadedModel ?? '—').join('; ') || '—',
      String(w.jobsPerMinute),
      String(w.jobsDone),
      `${w.secondsSinceHeartbeat} s ago`,
      w.inFlight
        .map((j) => `${j.productId} ${j.kind}${j.max > 0 ? ` ${j.value}/${j.max}` : ''}`)
        .join(', ') || '—',
    ]);
    console.log(
      table(['worker', 'GPUs', 'loaded model', 'jobs/min', 'done', 'heartbeat', 'rendering'], rows),
    );
  }
  console.log('');
  console.log(
    table(
      ['family', 'waiting', 'ready', 'rendering'],
      status.queue.map((q) => [q.family, String(q.queued), String(q.ready), String(q.active)]),
    ),
  );
}

export async function teamCommand(opts: TeamCommandOptions): Promise<void> {
  const connection = new TeamConnection({
    url: teamUrl(opts),
    ...(opts.schema ? { schema: opts.schema } : {}),
  });
  try {
    const status = await connection.status(0);
    if (opts.json) console.log(JSON.stringify(status));
    else printTeam(status);
  } finally {
    await connection.close();
  }
}
