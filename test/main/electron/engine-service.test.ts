// The engine host's service with a real Engine on a real SQLite file in a temp dir, driven through the
// real main-side EngineConnection and IPC bridge. Only the transports are stand-ins (see
// host-harness.ts): a MessageChannel for the utilityProcess port and a fake ipcMain.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRemoteHandlers, EngineConnection } from '../../../src/main/electron/engine-client.ts';
import { registerIpcHandlers } from '../../../src/main/electron/ipc-bridge.ts';
import { SEALED, SECRET_MASK, type SecretValues } from '../../../src/main/electron/settings-secrets.ts';
import type { Engine } from '../../../src/main/engine/engine.ts';
import { channelFor } from '../../../src/shared/index.ts';
import { FakeIpcMain, linkEngineHost } from './host-harness.ts';

const S3_SECRET = 's3-secret-value-8c1f2a';
const SMTP_PASSWORD = 'smtp-pass-4d9e77';
const PG_PASSWORD = 'pg-pass-b03c51';

interface Studio {
  link: ReturnType<typeof linkEngineHost>;
  connection: EngineConnection;
  engine: Engine;
  ipc: FakeIpcMain;
  persisted: SecretValues[];
  logs: string[];
  call(
    method: string,
    input: unknown,
  ): Promise<{ result?: unknown; error?: { code: string; message: string } }>;
}

let dir: string;
const open: Studio[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-host-'));
});

afterEach(async () => {
  for (const studio of open.splice(0)) await studio.connection.shutdown(2_000);
  await rm(dir, { recursive: true, force: true });
});

async function startStudio(options: { sealSecrets?: boolean; secrets?: SecretValues } = {}): Promise<Studio> {
  const link = linkEngineHost();
  const logs: string[] = [];
  const persisted: SecretValues[] = [];
  const connection = new EngineConnection({
    spawn: () => link.channel,
    init: () => ({
      type: 'init',
      options: { dbPath: join(dir, 'studio.db'), outputRoot: join(dir, 'out') },
      sealSecrets: options.sealSecrets ?? true,
      secrets: options.secrets ?? {},
    }),
    onEvent: () => {},
    log: (line) => logs.push(line),
  });
  await connection.start();
  const ipc = new FakeIpcMain();
  registerIpcHandlers({
    ipcMain: ipc,
    handlers: createRemoteHandlers(connection, {
      persistSecrets: async (values) => {
        persisted.push(values);
      },
    }),
    isTrustedSender: () => true,
  });
  const engine = link.service.engine();
  if (!engine) throw new Error('engine not open');
  const studio: Studio = {
    link,
    connection,
    engine,
    ipc,
    persisted,
    logs,
    call: async (method, input) =>
      (await ipc.invoke(channelFor(method as never), input)) as Awaited<ReturnType<Studio['call']>>,
  };
  open.push(studio);
  return studio;
}

/** Every byte SQLite has written (database, WAL, shared memory), as latin1 text for substring checks. */
async function databaseBytes(): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('studio.db'));
  const parts = await Promise.all(names.map((n) => readFile(join(dir, n))));
  return Buffer.concat(parts).toString('latin1');
}

const s3 = (secretKey: string, bucket = 'gallery') => ({
  endpoint: 'http://127.0.0.1:9000',
  bucket,
  accessKey: 'AKIATEST',
  secretKey,
});

describe('engine host: secrets', () => {
  it('keeps S3/SMTP/Postgres secrets out of SQLite and out of every reply, while the engine uses them', async () => {
    const studio = await startStudio();
    const reply = await studio.call('settings.update', {
      s3: s3(S3_SECRET),
      smtp: { url: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525`, from: 'studio@example.test' },
      postgresUrl: `postgres://app:${PG_PASSWORD}@db.internal:5432/studio`,
    });
    expect(reply.error).toBeUndefined();
    const settings = reply.result as {
      s3: { secretKey: string };
      smtp: { url: string };
      postgresUrl: string;
    };
    expect(settings.s3.secretKey).toBe(SECRET_MASK);
    expect(settings.smtp.url).toBe(`smtp://mailer:${SECRET_MASK}@127.0.0.1:2525`);
    expect(settings.postgresUrl).toBe(`postgres://app:${SECRET_MASK}@db.internal:5432/studio`);

    // The engine works with the clear values (in-memory overrides) …
    const live = studio.engine.settings();
    expect(live.s3?.secretKey).toBe(S3_SECRET);
    expect(live.smtp?.url).toBe(`smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525`);
    expect(live.postgresUrl).toBe(`postgres://app:${PG_PASSWORD}@db.internal:5432/studio`);
    // … the database holds placeholders …
    const stored = studio.engine.store.settings.get();
    expect(stored.s3?.secretKey).toBe(SEALED);
    expect(stored.postgresUrl).toBe(`postgres://app:${SEALED}@db.internal:5432/studio`);
    const bytes = await databaseBytes();
    for (const secret of [S3_SECRET, SMTP_PASSWORD, PG_PASSWORD]) expect(bytes).not.toContain(secret);
    // … and the main process was handed the clear values to encrypt.
    expect(studio.persisted.at(-1)).toEqual({
      's3.secretKey': S3_SECRET,
      'smtp.url': `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525`,
      postgresUrl: `postgres://app:${PG_PASSWORD}@db.internal:5432/studio`,
    });

    const got = await studio.call('settings.get', {});
    const text = JSON.stringify([reply, got]);
    for (const secret of [S3_SECRET, SMTP_PASSWORD, PG_PASSWORD, SEALED]) expect(text).not.toContain(secret);
  });

  it('keeps a secret when the renderer echoes the mask, also when other fields change', async () => {
    const studio = await startStudio();
    await studio.call('settings.update', {
      s3: s3(S3_SECRET),
      smtp: { url: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525`, from: 'studio@example.test' },
    });
    const echoed = await studio.call('settings.update', {
      s3: s3(SECRET_MASK, 'gallery-two'),
      smtp: { url: `smtp://mailer:${SECRET_MASK}@127.0.0.1:2626`, from: 'studio@example.test' },
    });
    expect(echoed.error).toBeUndefined();
    const live = studio.engine.settings();
    expect(live.s3).toMatchObject({ bucket: 'gallery-two', secretKey: S3_SECRET });
    expect(live.smtp?.url).toBe(`smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2626`);
    expect(await databaseBytes()).not.toContain(SMTP_PASSWORD);
  });

  it('refuses a non-http backend URL or a Postgres URL sync cannot use over IPC, naming the field', async () => {
    const studio = await startStudio();
    for (const [patch, field] of [
      [{ comfyUrls: ['file:///etc/passwd'] }, 'settings.update.comfyUrls.0'],
      [{ postgresUrl: `host=db password=${PG_PASSWORD}` }, 'settings.update.postgresUrl'],
    ] as const) {
      const reply = await studio.call('settings.update', patch);
      expect(reply.error).toMatchObject({ code: 'invalid_input', details: { fields: [field] } });
      expect(JSON.stringify(reply)).not.toContain(PG_PASSWORD);
    }
    expect(studio.engine.settings().comfyUrls).toEqual(['http://127.0.0.1:8188']);
  });

  it('forgets a secret when its setting is cleared', async () => {
    const studio = await startStudio();
    await studio.call('settings.update', { s3: s3(S3_SECRET) });
    await studio.call('settings.update', { s3: null });
    expect(studio.persisted.at(-1)).toEqual({});
    expect(studio.engine.settings().s3).toBeNull();
  });

  it('gets the secrets back after a restart from what the main process stored', async () => {
    const first = await startStudio();
    await first.call('settings.update', {
      s3: s3(S3_SECRET),
      postgresUrl: `postgres://app:${PG_PASSWORD}@127.0.0.1:5432/studio`,
    });
    const kept = first.persisted.at(-1) ?? {};
    await first.connection.shutdown(2_000);
    open.splice(open.indexOf(first), 1);

    const second = await startStudio({ secrets: kept });
    expect(second.engine.settings().s3?.secretKey).toBe(S3_SECRET);
    expect(second.engine.settings().postgresUrl).toBe(`postgres://app:${PG_PASSWORD}@127.0.0.1:5432/studio`);
    const got = await second.call('settings.get', {});
    expect(JSON.stringify(got)).not.toContain(PG_PASSWORD);

    // Without the main process's secrets (keychain reset) the engine only has placeholders, never a leak.
    await second.connection.shutdown(2_000);
    open.splice(open.indexOf(second), 1);
    const third = await startStudio({ secrets: {} });
    expect(third.engine.settings().s3?.secretKey).toBe(SEALED);
    expect(JSON.stringify(await third.call('settings.get', {}))).not.toContain(SEALED);
  });

  it('without encryption keeps the secret in the 0600 file beside the database, never in SQLite or a reply', async () => {
    const studio = await startStudio({ sealSecrets: false });
    const reply = await studio.call('settings.update', { s3: s3(S3_SECRET) });
    expect(JSON.stringify(reply)).not.toContain(S3_SECRET);
    expect(studio.persisted).toEqual([]);
    expect(studio.engine.settings().s3?.secretKey).toBe(S3_SECRET);
    expect(await databaseBytes()).not.toContain(S3_SECRET);
    const file = join(dir, 'studio.secrets.json');
    expect(await readFile(file, 'utf8')).toContain(S3_SECRET);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('engine host: lifecycle', () => {
  it('answers init with a fatal error the main side turns into a typed rejection', async () => {
    const link = linkEngineHost();
    const connection = new EngineConnection({
      spawn: () => link.channel,
      init: () => ({
        type: 'init',
        options: {
          dbPath: join(dir, 'studio.db'),
          outputRoot: join(dir, 'out'),
          templatesDir: join(dir, 'no-such-templates'),
        },
        sealSecrets: false,
        secrets: {},
      }),
      onEvent: () => {},
    });
    await expect(connection.start()).rejects.toMatchObject({ code: 'template_error' });
    expect(connection.state).toBe('failed');
    link.exit(1);
  });

  it('drops malformed messages from the main process and keeps serving', async () => {
    const studio = await startStudio();
    studio.link.channel.postMessage({ id: 'not-a-number', method: 42 });
    studio.link.channel.postMessage('garbage');
    const reply = await studio.call('queue.status', {});
    expect(reply.result).toHaveProperty('counts');
    expect(studio.logs.join('\n')).toContain('dropped a malformed message from the main process');
  });

  it('closes the engine on shutdown and exits', async () => {
    const studio = await startStudio();
    await studio.connection.shutdown(2_000);
    open.splice(open.indexOf(studio), 1);
    expect(studio.link.service.engine()).toBeNull();
    expect(studio.link.sent.at(-1)).toEqual({ type: 'shutdown' });
    expect(studio.connection.state).toBe('closed');
    await expect(studio.connection.call('queue.status', {})).rejects.toMatchObject({ code: 'interrupted' });
  });
});
