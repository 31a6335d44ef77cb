// The IPC bridge: one handler per contract method, input validated before anything reaches the
// engine, outputs and events validated before anything reaches the renderer. The happy path runs the
// real engine host (a real Engine on the ComfyUI/Ollama simulators); the misbehaving-engine cases use
// a scripted peer on the host's port, because the real engine cannot be made to send bad data.
// Electron's ipcMain cannot run here (no Electron binary), hence FakeIpcMain (host-harness.ts).
import type { MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteHandlers, EngineConnection } from '../../../src/main/electron/engine-client.ts';
import { createEventRelay, registerIpcHandlers } from '../../../src/main/electron/ipc-bridge.ts';
import { Engine } from '../../../src/main/engine/engine.ts';
import {
  CHANNEL_PREFIX,
  channelFor,
  EVENT_CHANNEL,
  EventEnvelopeSchema,
  type EventName,
  events,
  type MethodName,
  methodNames,
  QueueStatusSchema,
} from '../../../src/shared/index.ts';
import { FAST_COMFY_CLIENT, FAST_OLLAMA_CLIENT, type Sims, startSims, waitFor } from '../../fixtures/sims.ts';
import { FakeIpcMain, type HostLink, linkEngineHost, linkHost } from './host-harness.ts';

type Reply = {
  result?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
};

interface Sent {
  channel: string;
  envelope: unknown;
}

let sims: Sims;
let link: HostLink;
let connection: EngineConnection;
const ipc = new FakeIpcMain();
const sent: Sent[] = [];
const logs: string[] = [];
let unregister: () => void;

/** Calls that reached the engine host (the port), by method. */
function forwarded(method: string): number {
  return link.sent.filter((m) => typeof m === 'object' && m !== null && 'method' in m && m.method === method)
    .length;
}

async function invoke(method: string, input: unknown, senderUrl?: string): Promise<Reply> {
  return (await ipc.invoke(`${CHANNEL_PREFIX}${method}`, input, senderUrl)) as Reply;
}

beforeAll(async () => {
  sims = await startSims({ openEngine: false });
  link = linkEngineHost({
    open: (options, overrides) =>
      Engine.open({
        dbPath: options.dbPath,
        outputRoot: options.outputRoot,
        overrides,
        backoffMs: 10,
        backendOptions: { comfy: FAST_COMFY_CLIENT, ollama: FAST_OLLAMA_CLIENT },
      }),
  });
  connection = new EngineConnection({
    spawn: () => link.channel,
    init: () => ({
      type: 'init',
      options: {
        dbPath: sims.dbPath,
        outputRoot: sims.outputRoot,
        overrides: { comfyUrls: [sims.comfy.url], ollamaUrl: sims.ollama.url },
      },
      sealSecrets: false,
      secrets: {},
    }),
    onEvent: createEventRelay({ send: (channel, envelope) => sent.push({ channel, envelope }) }),
    log: (line) => logs.push(line),
  });
  unregister = registerIpcHandlers({
    ipcMain: ipc,
    handlers: createRemoteHandlers(connection),
    isTrustedSender: (url) => url.startsWith('showcase://app/'),
    log: (line) => logs.push(line),
  });
  await connection.start();
});

afterAll(async () => {
  await connection?.shutdown(2_000);
  await sims?.close();
});

describe('IPC bridge with the engine host', () => {
  it('registers exactly one showcase:<method> handler per method of the contract', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(methodNames.map((m) => `showcase:${m}`).sort());
    expect(methodNames.map(channelFor)).toEqual(methodNames.map((m) => `${CHANNEL_PREFIX}${m}`));
  });

  it('answers with the validated result', async () => {
    const reply = await invoke('queue.status', {});
    expect(reply.error).toBeUndefined();
    expect(QueueStatusSchema.safeParse(reply.result).success).toBe(true);
  });

  it('rejects a bad payload with invalid_input naming the field, before it reaches the engine', async () => {
    const before = forwarded('catalog.import');
    const reply = await invoke('catalog.import', { content: '', filename: 'sheet.csv' });
    expect(reply.error?.code).toBe('invalid_input');
    expect(reply.error?.message).toContain('catalog.import.content');
    expect(reply.error?.details?.fields).toEqual(['catalog.import.content']);
    const wrongType = await invoke('showcase.start', { productIds: 'mug' });
    expect(wrongType.error?.details?.fields).toEqual(['showcase.start.productIds']);
    expect(forwarded('catalog.import')).toBe(before);
    expect(forwarded('showcase.start')).toBe(0);
  });

  it("resolves a dropped sheet's relative photo paths against its folder, which must be absolute", async () => {
    const content = 'id,name,reference_image\noak-stool,Oak Stool,photos/oak.png\n';
    const reply = await invoke('catalog.import', {
      content,
      filename: 'stools.csv',
      sheetDir: '/srv/catalog/',
    });
    expect(reply.error).toBeUndefined();
    const [product] = (reply.result as { imported: Array<{ referenceImage?: string }> }).imported;
    expect(product?.referenceImage).toBe('/srv/catalog/photos/oak.png');
    const relative = await invoke('catalog.import', { content, filename: 'stools.csv', sheetDir: 'catalog' });
    expect(relative.error?.code).toBe('invalid_input');
    expect(relative.error?.details?.fields).toEqual(['catalog.import.sheetDir']);
  });

  it('passes engine errors through with their code', async () => {
    const reply = await invoke('showcase.get', { galleryId: 'no-such-gallery' });
    expect(reply.error?.code).toBe('not_found');
  });

  it('refuses calls from a frame that is not the app', async () => {
    const before = forwarded('queue.status');
    const reply = await invoke('queue.status', {}, 'https://evil.example/');
    expect(reply.error?.code).toBe('auth_failed');
    expect(forwarded('queue.status')).toBe(before);
  });

  it('has no handler for a name outside the table', async () => {
    await expect(ipc.invoke('showcase:debug.eval', {})).rejects.toThrow(/No handler registered/);
  });

  it('relays the engine events of a real showcase run as validated envelopes on showcase:event', async () => {
    const imported = await invoke('catalog.import', {
      content: JSON.stringify([{ id: 'harbor-lantern', name: 'Harbor Lantern', category: 'lighting' }]),
      filename: 'sheet.json',
      format: 'json',
    });
    expect(imported.error).toBeUndefined();
    const started = await invoke('showcase.start', { productIds: ['harbor-lantern'], variations: 1 });
    expect(started.error).toBeUndefined();
    const [galleryId] = (started.result as { galleryIds: string[] }).galleryIds;
    await waitFor(
      () =>
        sent.some((s) => {
          const e = s.envelope as { event: string; payload: { gallery?: { id: string; status: string } } };
          return (
            e.event === 'showcase.updated' &&
            e.payload.gallery?.id === galleryId &&
            e.payload.gallery?.status === 'complete'
          );
        }),
      30_000,
      'the gallery to complete',
    );
    const names = new Set<string>();
    for (const { channel, envelope } of sent) {
      expect(channel).toBe(EVENT_CHANNEL);
      const parsed = EventEnvelopeSchema.parse(envelope);
      expect(Number.isNaN(Date.parse(parsed.at))).toBe(false);
      const schema = events[parsed.event as EventName];
      expect(schema.safeParse(parsed.payload).success).toBe(true);
      names.add(parsed.event);
    }
    for (const name of ['job.queued', 'job.started', 'job.completed', 'showcase.updated'])
      expect(names).toContain(name);
    const showcase = await invoke('showcase.get', { galleryId });
    expect((showcase.result as { gallery: { status: string } }).gallery.status).toBe('complete');
  });

  it('removes every handler when unregistered', () => {
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});

/** A peer on the host's port that answers init and then whatever `reply` says. */
function scriptedHost(reply: (call: { id: number; method: string }, port: MessagePort) => void): HostLink {
  return linkHost((port) => {
    port.on('message', (message: { type?: string; id?: number; method?: string }) => {
      if (message.type === 'init') port.postMessage({ type: 'ready' });
      else if (message.type === 'shutdown') port.postMessage({ type: 'closed' });
      else if (typeof message.id === 'number' && message.method)
        reply({ id: message.id, method: message.method }, port);
    });
  });
}

async function bridgeTo(host: HostLink, relay?: (event: string, payload: unknown) => void) {
  const fake = new FakeIpcMain();
  const conn = new EngineConnection({
    spawn: () => host.channel,
    init: () => ({
      type: 'init',
      options: { dbPath: 'unused.db', outputRoot: 'unused' },
      sealSecrets: false,
      secrets: {},
    }),
    onEvent: relay ?? (() => {}),
  });
  registerIpcHandlers({ ipcMain: fake, handlers: createRemoteHandlers(conn), isTrustedSender: () => true });
  await conn.start();
  return {
    call: async (method: MethodName, input: unknown) =>
      (await fake.invoke(channelFor(method), input)) as Reply,
    close: async () => {
      await conn.shutdown(200);
      host.exit(0);
    },
  };
}

describe('IPC bridge with a misbehaving engine', () => {
  it('refuses an output that does not match the method output schema', async () => {
    const host = scriptedHost((call, port) => port.postMessage({ id: call.id, result: { counts: 'many' } }));
    const bridge = await bridgeTo(host);
    const reply = await bridge.call('queue.status', {});
    expect(reply.result).toBeUndefined();
    expect(reply.error?.code).toBe('backend_error');
    expect(reply.error?.message).toContain('queue.status');
    await bridge.close();
  });

  it('masks settings secrets even if the engine returned them in clear', async () => {
    const leaky = {
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'gallery',
        accessKey: 'AK',
        secretKey: 'leaked-s3-key',
      },
      smtp: { url: 'smtp://u:leaked-smtp@127.0.0.1:25', from: 'a@b.test' },
      postgresUrl: 'postgres://app:leaked-pg@127.0.0.1/db',
    };
    const host = scriptedHost((call, port) => port.postMessage({ id: call.id, result: leaky }));
    const bridge = await bridgeTo(host);
    const reply = await bridge.call('settings.get', {});
    expect(reply.error).toBeUndefined();
    expect(JSON.stringify(reply)).not.toMatch(/leaked/);
    expect(reply.result).toMatchObject({ s3: { secretKey: '********' } });
    await bridge.close();
  });

  it('relays well-formed events and drops malformed or unknown ones', async () => {
    const relayed: Sent[] = [];
    const dropped: string[] = [];
    const relay = createEventRelay({
      send: (channel, envelope) => relayed.push({ channel, envelope }),
      log: (line) => dropped.push(line),
      now: () => new Date('2026-01-02T03:04:05.000Z'),
    });
    const ref = { jobId: 'j1', galleryId: 'g1', assetId: null, kind: 'hero' };
    const host = scriptedHost((call, port) => {
      port.postMessage({ event: 'job.progress', payload: { ...ref, value: 3, max: 20, node: '3' } });
      port.postMessage({ event: 'job.progress', payload: { ...ref, value: 'three', max: 20, node: null } });
      port.postMessage({ event: 'shell.exec', payload: { cmd: 'rm -rf /' } });
      port.postMessage({ event: 'job.queued', payload: ref });
      port.postMessage({ id: call.id, result: { cancelled: 0 } });
    });
    const bridge = await bridgeTo(host, relay);
    await bridge.call('queue.cancel', {});
    expect(relayed).toEqual([
      {
        channel: EVENT_CHANNEL,
        envelope: {
          event: 'job.progress',
          payload: { ...ref, value: 3, max: 20, node: '3' },
          at: '2026-01-02T03:04:05.000Z',
        },
      },
      {
        channel: EVENT_CHANNEL,
        envelope: { event: 'job.queued', payload: ref, at: '2026-01-02T03:04:05.000Z' },
      },
    ]);
    expect(dropped).toHaveLength(2);
    expect(dropped.join('\n')).toContain('malformed "job.progress"');
    expect(dropped.join('\n')).toContain('unknown event "shell.exec"');
    await bridge.close();
  });
});
