// Where the team database is and how to talk about it without leaking the password: every message,
// log line and error built here names the target as `postgres://user:***@host:port/db`, and any
// password text that a driver message might echo is scrubbed before it leaves this module.
import { Client, type ClientConfig } from 'pg';
import { ShowcaseError } from '../../../shared/index.ts';
import type { SyncLogger, SyncLogLevel } from './types.ts';

export interface PgTarget {
  /** The URL as configured (may hold a password: never print it), or undefined for the PG* variables. */
  url: string | undefined;
  /** `postgres://user:***@host:port/db`: safe for logs, messages and the UI. */
  display: string;
  host: string;
  port: string;
  database: string;
  user: string;
  /** Password texts to scrub from anything printed (the raw and the decoded form). */
  secrets: readonly string[];
}

const PG_PROTOCOLS = new Set(['postgres:', 'postgresql:']);

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Describes the target of `url` (or, without one, of the libpq-style `PG*` environment variables the
 * driver reads: PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD). Throws `invalid_input` for a URL that
 * is not `postgres://…` — without repeating it, since it may hold a password.
 */
export function describeTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): PgTarget {
  const envUser = env.PGUSER ?? env.USER ?? 'postgres';
  const secrets: string[] = [];
  if (env.PGPASSWORD) secrets.push(env.PGPASSWORD);
  if (url === undefined) {
    const host = env.PGHOST ?? 'localhost';
    const port = env.PGPORT ?? '5432';
    const database = env.PGDATABASE ?? envUser;
    const pw = env.PGPASSWORD ? ':***' : '';
    return {
      url,
      display: `postgres://${envUser}${pw}@${host}:${port}/${database}`,
      host,
      port,
      database,
      user: envUser,
      secrets,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ShowcaseError('invalid_input', 'postgresUrl: not a valid URL', {
      hint: 'Use postgres://user:password@host:5432/database',
      details: { fields: ['postgresUrl'] },
    });
  }
  if (!PG_PROTOCOLS.has(parsed.protocol)) {
    throw new ShowcaseError('invalid_input', 'postgresUrl: must start with postgres:// or postgresql://', {
      hint: 'Use postgres://user:password@host:5432/database',
      details: { fields: ['postgresUrl'] },
    });
  }
  if (parsed.password) secrets.push(parsed.password, safeDecode(parsed.password));
  const queryPassword = parsed.searchParams.get('password');
  if (queryPassword) secrets.push(queryPassword);

  const user = parsed.username ? safeDecode(parsed.username) : envUser;
  const host = parsed.hostname || parsed.searchParams.get('host') || env.PGHOST || 'localhost';
  const port = parsed.port || env.PGPORT || '5432';
  const database = safeDecode(parsed.pathname.replace(/^\//, '')) || env.PGDATABASE || user;
  const shown = new URL(url);
  shown.username = parsed.username;
  if (shown.password) shown.password = '***';
  if (queryPassword) shown.searchParams.set('password', '***');
  return {
    url,
    display: shown.toString().replace(/%2A%2A%2A/g, '***'),
    host,
    port,
    database,
    user,
    secrets: secrets.filter((s) => s.length > 0),
  };
}

/** Replaces every password text in `text` with `***`. */
export function scrub(text: string, target: Pick<PgTarget, 'secrets'>): string {
  let out = text;
  // Longest first so a decoded password that contains the encoded one is replaced whole.
  for (const secret of [...target.secrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***');
  }
  return out;
}

export interface ClientOptions {
  applicationName: string;
  connectTimeoutMs: number;
  /** Server-side statement timeout; 0 = none. */
  statementTimeoutMs: number;
}

export function newClient(
  target: PgTarget,
  options: ClientOptions,
  env: NodeJS.ProcessEnv = process.env,
): Client {
  const config: ClientConfig = {
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // A silently dropped network (laptop lid, Wi-Fi) must end in an error, not a round that hangs:
    // TCP keepalive probes after 10 s idle, and a client-side limit a little above the server's.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
  if (options.statementTimeoutMs > 0) config.query_timeout = options.statementTimeoutMs + 5000;
  if (target.url !== undefined) {
    config.connectionString = target.url;
  } else {
    // The same PG* values the target was described from (the driver would read process.env itself).
    config.host = target.host;
    config.port = Number(target.port);
    config.user = target.user;
    config.database = target.database;
    if (env.PGPASSWORD) config.password = env.PGPASSWORD;
  }
  if (options.statementTimeoutMs > 0) config.statement_timeout = options.statementTimeoutMs;
  return new Client(config);
}

const UNREACHABLE_NET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function errorCode(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  // Node's happy-eyeballs connect reports an AggregateError of per-address failures.
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = errorCode(inner);
      if (code) return code;
    }
  }
  return undefined;
}

/** True for failures that mean "the server could not be talked to" (as opposed to "it said no"). */
export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof ShowcaseError) return err.code === 'backend_unreachable';
  const code = errorCode(err);
  if (code && (UNREACHABLE_NET.has(code) || code.startsWith('08') || code.startsWith('57P'))) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /Connection terminated|connection timeout|timeout expired|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}

/**
 * Turns anything the driver throws into a ShowcaseError with one clear sentence per cause. The raw
 * error is not attached as `cause` (it is easy to log by accident); its code goes into `details`.
 */
export function toSyncError(err: unknown, target: PgTarget, action: string): ShowcaseError {
  if (err instanceof ShowcaseError) {
    const message = scrub(err.message, target);
    if (message === err.message) return err;
    return new ShowcaseError(err.code, message, {
      ...(err.hint === undefined ? {} : { hint: err.hint }),
      ...(err.details === undefined ? {} : { details: err.details }),
      retryable: err.retryable,
    });
  }
  const code = errorCode(err);
  const raw = scrub(err instanceof Error ? err.message : String(err), target);
  const at = target.display;
  const details = { target: at, ...(code ? { pgCode: code } : {}) };
  const offlineHint = 'Local drafting continues; sync retries when the team database is back.';

  if (code === 'ECONNREFUSED') {
    return new ShowcaseError(
      'backend_unreachable',
      `Cannot reach the team database at ${at}: connection refused`,
      {
        hint: `Is PostgreSQL running and listening on ${target.host}:${target.port}? ${offlineHint}`,
        retryable: true,
        details,
      },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ShowcaseError(
      'backend_unreachable',
      `Cannot reach the team database at ${at}: host "${target.host}" not found`,
      { hint: `Check the host name in the Postgres URL. ${offlineHint}`, retryable: true, details },
    );
  }
  if (code === '28P01') {
    return new ShowcaseError(
      'auth_failed',
      `The team database at ${at} rejected the password for user "${target.user}"`,
      { hint: 'Check the password in the Postgres URL (or PGPASSWORD).', details },
    );
  }
  if (code === '28000') {
    return new ShowcaseError(
      'auth_failed',
      `The team database at ${at} refused user "${target.user}": ${raw}`,
      {
        hint: 'Check the user name and the server’s pg_hba.conf.',
        details,
      },
    );
  }
  if (/SASL|password must be a string|password authentication/i.test(raw)) {
    return new ShowcaseError(
      'auth_failed',
      `The team database at ${at} requires a password for user "${target.user}" and none was accepted`,
      { hint: 'Put the password in the Postgres URL (or PGPASSWORD).', details },
    );
  }
  if (code === '3D000') {
    return new ShowcaseError(
      'sync_error',
      `The team database "${target.database}" does not exist on ${target.host}:${target.port}`,
      { hint: `Create it (createdb ${target.database}) or fix the database name in the URL.`, details },
    );
  }
  if (code === '42501') {
    return new ShowcaseError(
      'sync_error',
      `${action}: permission denied on the team database at ${at}: ${raw}`,
      {
        hint: 'The Postgres user needs CREATE on the database (first start) and read/write on the sync schema.',
        details,
      },
    );
  }
  if (code === '53300') {
    return new ShowcaseError('backend_unreachable', `The team database at ${at} has too many connections`, {
      hint: offlineHint,
      retryable: true,
      details,
    });
  }
  if (isConnectionLoss(err)) {
    const timeout = /timeout/i.test(raw);
    return new ShowcaseError(
      'backend_unreachable',
      timeout
        ? `The team database at ${at} did not answer in time (${action})`
        : `The connection to the team database at ${at} was lost (${action})`,
      { hint: offlineHint, retryable: true, details },
    );
  }
  const retryable = code === '40001' || code === '40P01';
  return new ShowcaseError('sync_error', `${action} failed on the team database at ${at}: ${raw}`, {
    retryable,
    details,
  });
}

/** Logs with the password scrubbed from the message and the fields; logging must never break sync. */
export function logScrubbed(
  logger: SyncLogger | undefined,
  target: Pick<PgTarget, 'secrets'>,
  level: SyncLogLevel,
  message: string,
  fields?: Record<string, unknown>,
): void {
  if (!logger) return;
  try {
    const safeFields = fields
      ? (JSON.parse(scrub(JSON.stringify(fields), target)) as Record<string, unknown>)
      : undefined;
    logger(level, scrub(message, target), safeFields);
  } catch {
    // logging must never break sync
  }
}

/** Ends a connection, giving up after 2 s: end() waits for the server's goodbye, which a dead network never sends. */
export async function endClient(client: Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 2000);
  });
  await Promise.race([client.end().catch(() => {}), gaveUp]);
  clearTimeout(timer);
}
