// The n8n tier's harness: a real n8n 2.41.1 (installed by scripts/test-n8n.sh into test/n8n/node_modules)
// started on 127.0.0.1 with a temporary user folder and its own Postgres database, plus the peers the
// shipped workflows talk to: a per-run Postgres database with `product_galleries` and an SMTP server.
// The app's libraries (pg, smtp-server, mailparser) are loaded from the project root, never from
// n8n's own dependency tree.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParsedMail } from 'mailparser';
import type pgTypes from 'pg';
import type { SMTPServer as SMTPServerType } from 'smtp-server';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const N8N_DIR = join(ROOT, 'test', 'n8n');
export const N8N_BIN = join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
export const N8N_VERSION = (
  JSON.parse(readFileSync(join(N8N_DIR, 'package.json'), 'utf8')) as {
    dependencies: { n8n: string };
  }
).dependencies.n8n;

const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const pg = requireFromRoot('pg') as typeof pgTypes;
const { SMTPServer } = requireFromRoot('smtp-server') as { SMTPServer: typeof SMTPServerType };
const { simpleParser } = requireFromRoot('mailparser') as {
  simpleParser: (source: NodeJS.ReadableStream) => Promise<ParsedMail>;
};

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;

export function n8nInstalled(): boolean {
  return existsSync(N8N_BIN);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function pgQuery<T extends pgTypes.QueryResultRow = pgTypes.QueryResultRow>(
  database: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ ...PG, database });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** A uniquely named database, dropped by `drop()` (WITH (FORCE): n8n may still hold connections). */
export async function createDatabase(prefix: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await pgQuery('postgres', `CREATE DATABASE ${name}`);
  return {
    name,
    async drop() {
      await pgQuery('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export interface ReceivedMail {
  envelopeTo: string[];
  mail: ParsedMail;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  /** While true, every recipient is refused with `550 mailbox unavailable` (a mail server failing). */
  refuse: boolean;
  close(): Promise<void>;
}

/** smtp-server on a free port: no auth, no TLS; every message is parsed with mailparser. */
export async function startSmtp(): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const peer = { refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (peer.refuse) {
        callback(Object.assign(new Error(`Mailbox ${address.address} unavailable`), { responseCode: 550 }));
      } else {
        callback();
      }
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return Object.assign(peer, {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export interface N8nCredential {
  id: string;
  name: string;
  type: string;
  data: Record<string, unknown>;
}

export interface N8nWorkflowFile {
  id?: string;
  name: string;
  nodes: unknown[];
  connections: unknown;
  [key: string]: unknown;
}

export interface N8nInstance {
  url: string;
  port: number;
  userFolder: string;
  database: string;
  /** Runs an n8n CLI command against this instance's database (n8n import:…, publish:…). */
  cli(args: string[], timeoutMs?: number): Promise<string>;
  importCredentials(credentials: N8nCredential[]): Promise<void>;
  importWorkflows(workflows: N8nWorkflowFile[]): Promise<void>;
  /** `n8n import:workflow --input=<file>` with one workflow file, as a team imports the shipped ones. */
  importWorkflowFile(workflow: N8nWorkflowFile): Promise<void>;
  publish(workflowId: string): Promise<void>;
  /** `n8n start`; resolves when /healthz answers. */
  start(): Promise<void>;
  /** Everything n8n printed (start and CLI commands), for failure messages. */
  log(): string;
  /** Stops the server and removes the user folder and database. */
  dispose(): Promise<void>;
}

/** Prepares (does not start) an n8n with a temporary user folder and its own Postgres database. */
export async function createN8n(): Promise<N8nInstance> {
  if (!n8nInstalled()) throw new Error(`n8n is not installed in ${N8N_DIR}: run bash scripts/test-n8n.sh`);
  const userFolder = await mkdtemp(join(tmpdir(), 'showcase-n8n-'));
  const db = await createDatabase('n8n_tier');
  const port = await freePort();
  const brokerPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let server: ChildProcess | null = null;

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: userFolder,
    TZ: 'UTC',
    N8N_USER_FOLDER: userFolder,
    N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
    DB_TYPE: 'postgresdb',
    DB_POSTGRESDB_HOST: PG.host,
    DB_POSTGRESDB_PORT: String(PG.port),
    DB_POSTGRESDB_USER: PG.user,
    DB_POSTGRESDB_DATABASE: db.name,
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PORT: String(port),
    N8N_PROTOCOL: 'http',
    // What $execution.resumeUrl is built from: the studio calls it back on this address.
    N8N_WEBHOOK_URL: `${url}/`,
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
    N8N_SECURE_COOKIE: 'false',
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };

  const cli = (args: string[], timeoutMs = 60_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [N8N_BIN, ...args], { env, cwd: userFolder, stdio: 'pipe' });
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        text += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        output += `\n$ n8n ${args.join(' ')}\n${text}`;
        if (code === 0) resolve(text);
        else reject(new Error(`n8n ${args.join(' ')} exited with ${code}:\n${text}`));
      });
    });

  return {
    url,
    port,
    userFolder,
    database: db.name,
    cli,
    async importCredentials(credentials) {
      const file = join(userFolder, `credentials-${randomBytes(4).toString('hex')}.json`);
      await writeFile(file, JSON.stringify(credentials));
      await cli(['import:credentials', `--input=${file}`]);
    },
    async importWorkflows(workflows) {
      const file = join(userFolder, `workflows-${randomBytes(4).toString('hex')}.json`);
      await writeFile(file, JSON.stringify(workflows));
      await cli(['import:workflow', `--input=${file}`]);
    },
    async importWorkflowFile(workflow) {
      const file = join(userFolder, `workflow-${randomBytes(4).toString('hex')}.json`);
      await writeFile(file, JSON.stringify(workflow, null, 2));
      await cli(['import:workflow', `--input=${file}`]);
    },
    async publish(workflowId) {
      await cli(['publish:workflow', `--id=${workflowId}`]);
    },
    async start() {
      const child = spawn(process.execPath, [N8N_BIN, 'start'], { env, cwd: userFolder, stdio: 'pipe' });
      server = child;
      output += '\n$ n8n start\n';
      child.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`n8n start exited with ${child.exitCode}:\n${output}`);
        const ok = await fetch(`${url}/healthz/readiness`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`n8n did not become ready within 60 s:\n${output}`);
    },
    log: () => output,
    async dispose() {
      const child = server;
      if (child && child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await db.drop().catch(() => undefined);
      await rm(userFolder, { recursive: true, force: true });
    },
  };
}

/** The table the shipped workflows insert into (docs/n8n.md; resources/n8n/product_galleries.sql). */
export function productGalleriesSql(): string {
  return readFileSync(join(ROOT, 'resources', 'n8n', 'product_galleries.sql'), 'utf8');
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
