// EngineConnection's process handling: correlation, crashes, restarts, shutdown. The host is a
// scripted peer on a MessageChannel (host-harness.ts) because the utilityProcess cannot be launched
// here and a real engine cannot be made to crash on cue.
import type { MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EngineConnection } from '../../../src/main/electron/engine-client.ts';
import type { HostInit } from '../../../src/main/electron/engine-protocol.ts';
import { type HostLink, linkHost } from './host-harness.ts';

const INIT: HostInit = {
  type: 'init',
  options: { dbPath: 'unused.db', outputRoot: 'unused' },
  sealSecrets: false,
  secrets: {},
};

interface Script {
  onInit?: (port: MessagePort) => void;
  onCall?: (
    call: { id: number; method: string; input: unknown },
    port: MessagePort,
    link: () => HostLink,
  ) => void;
  onShutdown?: (port: MessagePort, link: () => HostLink) => void;
}

/** Spawns scripted hosts; `links` are the spawned ones in order. */
function spawner(script: Script) {
  const links: HostLink[] = [];
  const spawn = () => {
    let self: HostLink | null = null;
    const current = () => {
      if (!self) throw new Error('not linked');
      return self;
    };
    self = linkHost((port) => {
      port.on('message', (message: { type?: string; id?: number; method?: string; input?: unknown }) => {
        if (message.type === 'init') (script.onInit ?? ((p) => p.postMessage({ type: 'ready' })))(port);
        else if (message.type === 'shutdown') {
          (
            script.onShutdown ??
            ((p, l) => {
              p.postMessage({ type: 'closed' });
              setImmediate(() => l().exit(0));
            })
          )(port, current);
        } else if (typeof message.id === 'number' && typeof message.method === 'string') {
          script.onCall?.({ id: message.id, method: message.method, input: message.input }, port, current);
        }
      });
    });
    links.push(self);
    return self.channel;
  };
  return { spawn, links };
}

describe('EngineConnection', () => {
  it('correlates concurrent calls with their replies by id, whatever the order', async () => {
    const { spawn } = spawner({
      onCall: (call, port) => {
        // Answer the first call last.
        setTimeout(
          () => port.postMessage({ id: call.id, result: { echo: call.input } }),
          call.id === 1 ? 30 : 1,
        );
      },
    });
    const connection = new EngineConnection({ spawn, init: () => INIT, onEvent: () => {} });
    const [a, b, c] = await Promise.all([
      connection.call('queue.status', { n: 1 }),
      connection.call('queue.status', { n: 2 }),
      connection.call('queue.status', { n: 3 }),
    ]);
    expect([a.result, b.result, c.result]).toEqual([
      { echo: { n: 1 } },
      { echo: { n: 2 } },
      { echo: { n: 3 } },
    ]);
    await connection.shutdown(500);
  });

  it('rebuilds a typed error from the host', async () => {
    const { spawn } = spawner({
      onCall: (call, port) =>
        port.postMessage({ id: call.id, error: { code: 'conflict', message: 'busy', retryable: false } }),
    });
    const connection = new EngineConnection({ spawn, init: () => INIT, onEvent: () => {} });
    await expect(connection.call('sync.now', {})).rejects.toMatchObject({
      name: 'ShowcaseError',
      code: 'conflict',
      message: 'busy',
    });
    await connection.shutdown(500);
  });

  it('rejects pending calls when the host dies, restarts it, and serves the next call', async () => {
    let inits = 0;
    const { spawn, links } = spawner({
      onInit: (port) => {
        inits++;
        port.postMessage({ type: 'ready' });
      },
      onCall: (call, port, link) => {
        if (links.length === 1) setImmediate(() => link().exit(139));
        else port.postMessage({ id: call.id, result: { ok: true } });
      },
    });
    const logs: string[] = [];
    const connection = new EngineConnection({
      spawn,
      init: () => INIT,
      onEvent: () => {},
      restartDelayMs: 5,
      log: (line) => logs.push(line),
    });
    await expect(connection.call('queue.status', {})).rejects.toMatchObject({
      code: 'internal',
      retryable: true,
    });
    const reply = await connection.call('queue.status', {});
    expect(reply.result).toEqual({ ok: true });
    expect(links).toHaveLength(2);
    expect(inits).toBe(2);
    expect(logs.join('\n')).toContain('exited (code 139); restarting');
    await connection.shutdown(500);
  });

  it('gives up after too many crashes in the window', async () => {
    const { spawn, links } = spawner({ onCall: (_call, _port, link) => setImmediate(() => link().exit(1)) });
    const connection = new EngineConnection({
      spawn,
      init: () => INIT,
      onEvent: () => {},
      maxRestarts: 2,
      restartDelayMs: 1,
    });
    for (let i = 0; i < 3; i++) await expect(connection.call('queue.status', {})).rejects.toBeDefined();
    await expect(connection.call('queue.status', {})).rejects.toMatchObject({
      message: 'The engine process keeps stopping',
    });
    expect(connection.state).toBe('failed');
    expect(links).toHaveLength(3);
  });

  it('fails start when the host exits before it is ready', async () => {
    const { spawn } = spawner({ onInit: () => {} });
    const connection = new EngineConnection({
      spawn,
      init: () => INIT,
      onEvent: () => {},
      startTimeoutMs: 50,
    });
    await expect(connection.start()).rejects.toMatchObject({ code: 'timeout' });
    expect(connection.state).toBe('failed');
  });

  it('forwards events and ignores malformed host messages', async () => {
    const received: Array<[string, unknown]> = [];
    const logs: string[] = [];
    const { spawn } = spawner({
      onCall: (call, port) => {
        port.postMessage({ nonsense: true });
        port.postMessage({ id: 'x', result: 1 });
        port.postMessage({ event: 'job.queued', payload: { jobId: 'j' } });
        port.postMessage({ id: call.id, result: 'done' });
      },
    });
    const connection = new EngineConnection({
      spawn,
      init: () => INIT,
      onEvent: (event, payload) => received.push([event, payload]),
      log: (line) => logs.push(line),
    });
    expect((await connection.call('queue.status', {})).result).toBe('done');
    expect(received).toEqual([['job.queued', { jobId: 'j' }]]);
    expect(logs.filter((l) => l.includes('malformed'))).toHaveLength(2);
    await connection.shutdown(500);
  });

  it('kills a host that does not exit after shutdown', async () => {
    const { spawn, links } = spawner({ onShutdown: () => {} });
    const connection = new EngineConnection({ spawn, init: () => INIT, onEvent: () => {} });
    await connection.start();
    const exits: number[] = [];
    links[0]?.channel.onExit((code) => exits.push(code));
    await connection.shutdown(30);
    expect(exits).toEqual([137]);
    expect(connection.state).toBe('closed');
  });
});
