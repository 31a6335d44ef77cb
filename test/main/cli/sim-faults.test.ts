// `showcase sim comfyui|ollama --fault …`: the simulators started from the command line with faults
// armed, observed over real sockets as any client would see them; bad specs are refused clearly.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { WsClient } from '../../sim/comfyui/helpers.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
});

/** Starts `showcase sim …` on a free port; resolves with its URL and what it printed once listening. */
async function startSim(args: string[]): Promise<{ url: string; banner: string }> {
  const child = spawn(BIN, ['sim', ...args, '--port', '0', '--time-scale', '0'], { stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) done(match[1]);
    });
    child.once('exit', (code) => fail(new Error(`sim exited with ${code}: ${err}`)));
  });
  // The armed faults are printed before the "listening on" line.
  return { url, banner: out };
}

const graph = (rgb: number) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: rgb } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: `cli/${rgb}` } },
});

// Spawned CLI processes: Node's start-up dominates, and on a busy machine it takes seconds.
describe('showcase sim comfyui --fault', { timeout: 90_000 }, () => {
  it('OOM on the 2nd prompt and HTTP 500 on /history twice, seen over real sockets', async () => {
    const { url, banner } = await startSim([
      'comfyui',
      '--fault',
      'oom:2',
      '--fault',
      'http-error:/history:500:2',
    ]);
    expect(banner).toContain('oom:2: OOM in the 2nd prompt');
    expect(banner).toContain('/history answers 500 2 times');

    expect((await fetch(`${url}/history`)).status).toBe(500);
    const second = await fetch(`${url}/api/history/x`);
    expect(second.status).toBe(500);
    expect(await second.text()).toContain('500 Internal Server Error');
    expect((await fetch(`${url}/history`)).status).toBe(200);

    const ws = await WsClient.connect(url, 'cli-oom');
    const outcomes: string[] = [];
    for (const rgb of [0x102030, 0x405060]) {
      const promptId = randomUUID();
      const res = await fetch(`${url}/prompt`, {
        method: 'POST',
        body: JSON.stringify({ prompt: graph(rgb), client_id: 'cli-oom', prompt_id: promptId }),
      });
      expect(res.status).toBe(200);
      await ws.waitDone(promptId);
      const end = ws
        .json()
        .find(
          (f) => ['execution_success', 'execution_error'].includes(f.type) && f.data.prompt_id === promptId,
        );
      outcomes.push(end?.type === 'execution_error' ? String(end.data.exception_type) : String(end?.type));
    }
    expect(outcomes).toEqual(['execution_success', 'torch.OutOfMemoryError']);
    ws.close();
  });

  it('hang: the first prompt stays running until it is interrupted', async () => {
    const { url } = await startSim(['comfyui', '--version', '0.3.64', '--fault', 'hang']);
    const ws = await WsClient.connect(url, 'cli-hang');
    const promptId = randomUUID();
    await fetch(`${url}/prompt`, {
      method: 'POST',
      body: JSON.stringify({ prompt: graph(0x777777), client_id: 'cli-hang', prompt_id: promptId }),
    });
    await ws.waitFor((f) => f.kind === 'json' && f.type === 'executing' && f.data.node === '1');
    const queue = (await (await fetch(`${url}/queue`)).json()) as { queue_running: unknown[][] };
    expect(queue.queue_running.map((item) => item[1])).toEqual([promptId]);
    await fetch(`${url}/interrupt`, { method: 'POST', body: JSON.stringify({ prompt_id: promptId }) });
    await ws.waitDone(promptId);
    expect(ws.json().some((f) => f.type === 'execution_interrupted' && f.data.prompt_id === promptId)).toBe(
      true,
    );
    ws.close();
  });

  // Spawned CLI processes: Node's start-up dominates, and on a busy machine it takes seconds.
  it('refuses a malformed spec or a model it does not have, naming the spec and the form', {
    timeout: 90_000,
  }, async () => {
    const run = (args: string[]) =>
      promisify(execFile)(BIN, ['sim', ...args, '--port', '0'], { timeout: 60_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
    // Three CLI processes at once: each spends most of its time starting Node.
    const [bad, unknown, missing] = await Promise.all([
      run(['comfyui', '--fault', 'oom:zero']),
      run(['ollama', '--fault', 'explode']),
      run(['comfyui', '--fault', 'missing-model:nope.safetensors']),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      '"oom:zero": argument 1 ("zero") of oom: expected a whole number ≥ 1 — written oom[:N]',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown fault "explode"');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing-model:nope.safetensors: no such model is installed');
  });
});

describe('showcase sim ollama --fault', { timeout: 90_000 }, () => {
  it('HTTP 503 once, then prose instead of the requested JSON', async () => {
    const { url, banner } = await startSim([
      'ollama',
      '--fault',
      'http-error:503',
      '--fault',
      'invalid-json',
    ]);
    expect(banner).toContain('Faults armed:');
    const chat = () =>
      fetch(`${url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'llama3.2',
          messages: [{ role: 'user', content: 'Write a headline for a brass lantern as JSON.' }],
          format: 'json',
          stream: false,
        }),
      });
    const first = await chat();
    expect(first.status).toBe(503);
    expect(await first.json()).toHaveProperty('error');
    const second = await chat();
    expect(second.status).toBe(200);
    const content = ((await second.json()) as { message: { content: string } }).message.content;
    expect(content.length).toBeGreaterThan(0);
    expect(() => JSON.parse(content)).toThrow();
    const third = ((await (await chat()).json()) as { message: { content: string } }).message.content;
    expect(() => JSON.parse(third)).not.toThrow();
  });
});
