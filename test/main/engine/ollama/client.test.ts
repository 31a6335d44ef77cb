// OllamaClient against the Ollama simulator over real sockets.
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OllamaClient, type OllamaMessage } from '../../../../src/main/engine/ollama/index.ts';
import { CopyDraftSchema, ShowcaseError } from '../../../../src/shared/index.ts';
import { SimGpu } from '../../../../src/sim/gpu.ts';
import { type OllamaSim, startOllamaSim } from '../../../../src/sim/ollama/index.ts';

const productName = 'Café Crème Stoneware Mug 🌿';
const messages: OllamaMessage[] = [
  { role: 'system', content: 'You write concise e-commerce copy. Answer with JSON only.' },
  {
    role: 'user',
    content: [
      'Write copy for this product.',
      `Name: ${productName}`,
      'Brand: Nordhaus',
      'Materials: stoneware, matte glaze',
      'Colors: sand, sage',
    ].join('\n'),
  },
];

let gpu: SimGpu;
let sim: OllamaSim;
let client: OllamaClient;

beforeEach(async () => {
  // 0.005: a cold llama3.2 load (2000 profile ms) takes 10 ms, long enough to measure in ms.
  gpu = new SimGpu({ timeScale: 0.005 });
  sim = await startOllamaSim({ gpu });
  client = new OllamaClient({ baseUrl: sim.url, pollIntervalMs: 5 });
});

afterEach(async () => {
  await client.close();
  await sim.close();
});

async function failure(promise: Promise<unknown>): Promise<ShowcaseError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ShowcaseError);
    return err as ShowcaseError;
  }
  throw new Error('expected the call to fail');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('chatJson', () => {
  it('returns schema-valid copy mentioning the product, with token counts and durations in ms', async () => {
    const tokens: string[] = [];
    const result = await client.chatJson(CopyDraftSchema, {
      model: 'llama3.2',
      messages,
      options: { temperature: 0, seed: 42, num_ctx: 4096 },
      onToken: (t) => tokens.push(t),
    });
    expect(result.parsed.title).toContain(productName);
    expect(result.parsed.description).toContain(productName);
    expect(result.parsed.prompts.hero).toContain('stoneware');
    expect(result.content).toBe(tokens.join(''));
    expect(result.doneReason).toBe('stop');
    expect(result.chunks).toBe(tokens.length + 1);
    expect(result.stats.evalTokens).toBe(tokens.length);
    expect(result.stats.promptTokens).toBeGreaterThan(10);
    // Cold load: 2000 profile ms × 0.005 = 10 ms (ns → ms conversion: not 1e7, not 0.01).
    expect(result.stats.loadMs).toBeGreaterThanOrEqual(10);
    expect(result.stats.loadMs).toBeLessThan(1_000);
    expect(result.stats.totalMs).toBeGreaterThanOrEqual(
      result.stats.loadMs + result.stats.promptEvalMs + result.stats.evalMs - 0.001,
    );
    expect(result.stats.evalMs).toBeGreaterThan(0);
    expect(result.stats.tokensPerSecond).toBeGreaterThan(0);

    const request = sim.stats.requests.at(-1)?.body as Record<string, unknown>;
    expect(request.stream).toBe(true);
    expect(request.format).toEqual(z.toJSONSchema(CopyDraftSchema, { unrepresentable: 'any' }));
    expect(request.think).toBeUndefined();

    const warm = await client.chatJson(CopyDraftSchema, {
      model: 'llama3.2',
      messages,
      options: { num_ctx: 4096 },
    });
    expect(warm.parsed.title).toContain(productName);
    expect(gpu.loadCounts.get('llama3.2:latest')).toBe(1);
  });

  it('works with stream:false and with a plain JSON Schema or JSON mode in chat()', async () => {
    const whole = await client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages, stream: false });
    expect(whole.chunks).toBe(1);
    expect(whole.parsed.title).toContain(productName);

    const viaSchema = await client.chat<{ title: string }>({
      model: 'llama3.2',
      messages,
      format: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] },
    });
    expect(viaSchema.parsed).toEqual({ title: expect.stringContaining(productName) });
    const jsonMode = await client.chat({ model: 'llama3.2', messages, format: 'json' });
    expect(jsonMode.parsed).toMatchObject({ title: expect.stringContaining(productName) });
  });

  it('throws retryable llm_invalid_output for prose instead of JSON', async () => {
    sim.faults.invalidJsonNext();
    const err = await failure(client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages }));
    expect(err.code).toBe('llm_invalid_output');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/not valid JSON/);
    expect(String(err.details?.raw)).toContain(productName);
    expect(err.details?.issues).toHaveLength(1);

    // chat() itself does not judge the content: parsed is simply absent.
    sim.faults.invalidJsonNext();
    const lenient = await client.chat({ model: 'llama3.2', messages, format: CopyDraftSchema });
    expect(lenient.parsed).toBeUndefined();
    expect(lenient.content).toContain(productName);
  });

  it('throws llm_invalid_output for truncated JSON (done_reason "length")', async () => {
    sim.faults.truncatedJsonNext();
    const err = await failure(client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages }));
    expect(err.code).toBe('llm_invalid_output');
    expect(err.retryable).toBe(true);
    expect(err.details?.doneReason).toBe('length');
    expect(err.message).toMatch(/token limit/);

    const limited = await failure(
      client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages, options: { num_predict: 5 } }),
    );
    expect(limited.details?.doneReason).toBe('length');
  });

  it('throws llm_invalid_output naming the fields when the JSON does not match', async () => {
    sim.faults.schemaMismatchNext();
    const err = await failure(client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages }));
    expect(err.code).toBe('llm_invalid_output');
    const issues = err.details?.issues as Array<{ path: string }>;
    expect(issues.map((i) => i.path)).toContain('title');
    expect(err.message).toMatch(/title/);
  });

  it('truncates the raw text kept in the error details', async () => {
    sim.faults.schemaMismatchNext();
    const long = [{ role: 'user' as const, content: `Name: ${'Very Long Product Name '.repeat(200)}` }];
    const err = await failure(client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages: long }));
    expect(String(err.details?.raw).length).toBeLessThan(2_100);
    expect(Number(err.details?.rawLength)).toBeGreaterThan(2_000);
  });
});

describe('generate', () => {
  it('streams text and returns context and stats', async () => {
    let pieces = 0;
    const result = await client.generate({
      model: 'llama3.2',
      prompt: messages[1]?.content ?? '',
      onToken: () => {
        pieces += 1;
      },
    });
    expect(result.content).toContain(productName);
    expect(pieces).toBe(result.stats.evalTokens);
    expect(result.context?.length).toBeGreaterThan(0);
    const json = await client.generateJson(CopyDraftSchema, {
      model: 'llama3.2',
      prompt: messages[1]?.content ?? '',
    });
    expect(json.parsed.title).toContain(productName);
  });

  it('sends defaultOptions and defaultKeepAlive on every completion', async () => {
    const configured = new OllamaClient({
      baseUrl: sim.url,
      defaultOptions: { num_ctx: 4096, temperature: 0 },
      defaultKeepAlive: '10m',
    });
    try {
      await configured.chat({ model: 'llama3.2', messages, options: { seed: 3 } });
      expect(sim.stats.requests.at(-1)?.body).toMatchObject({
        options: { num_ctx: 4096, temperature: 0, seed: 3 },
        keep_alive: '10m',
      });
    } finally {
      await configured.close();
    }
  });
});

describe('models', () => {
  it('reports version, tags, show and ps', async () => {
    expect(await client.version()).toBe('0.33.0-sim');
    const tags = await client.tags();
    expect(tags.map((t) => t.name)).toEqual(['llama3.2:latest']);
    expect(tags[0]?.details.parameterSize).toBe('3.2B');
    const info = await client.show('llama3.2');
    expect(info.contextLength).toBe(131_072);
    expect(info.capabilities).not.toContain('thinking');
    expect(await client.ps()).toEqual([]);
    await client.load('llama3.2', { keepAlive: -1, options: { num_ctx: 4096 } });
    const [running] = await client.ps();
    expect(running).toMatchObject({ name: 'llama3.2:latest', contextLength: 4096 });
    expect(running?.sizeVram).toBe(gpu.models('ollama')[0]?.vram);
  });

  it('ensureModel passes for installed models and names the pull command otherwise', async () => {
    expect((await client.ensureModel('llama3.2')).name).toBe('llama3.2:latest');
    const err = await failure(client.ensureModel('qwen3:8b'));
    expect(err.code).toBe('model_missing');
    expect(err.hint).toBe('Run: ollama pull qwen3:8b');
  });

  it('maps a 404 on chat to model_missing with the pull hint', async () => {
    sim.faults.missingModel('llama3.2');
    const err = await failure(client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages }));
    expect(err.code).toBe('model_missing');
    expect(err.hint).toBe('Run: ollama pull llama3.2');
    expect(err.message).toContain("model 'llama3.2' not found");
    expect(err.details).toMatchObject({ status: 404, model: 'llama3.2' });
    const ensure = await failure(client.ensureModel('llama3.2'));
    expect(ensure.hint).toBe('Run: ollama pull llama3.2');
  });

  it('pulls a model with progress, then it is installed', async () => {
    const statuses: string[] = [];
    await client.pull('qwen3:8b', { onProgress: (p) => statuses.push(p.status) });
    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.at(-1)).toBe('success');
    expect((await client.ensureModel('qwen3:8b')).name).toBe('qwen3:8b');
  });

  it('unload (keep_alive 0) frees the VRAM on the SimGpu and /api/ps becomes empty', async () => {
    await client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages });
    expect(gpu.models('ollama')).toHaveLength(1);
    expect(gpu.free()).toBeLessThan(gpu.vramTotal);
    await client.unload('llama3.2');
    expect(sim.stats.requests.at(-1)?.body).toEqual({ model: 'llama3.2', keep_alive: 0 });
    await client.waitUntilUnloaded('llama3.2', 5_000);
    expect(await client.ps()).toEqual([]);
    expect(gpu.free()).toBe(gpu.vramTotal);
    // Unloading something that is not installed is not an error: it is not resident either.
    await client.unload('not-installed');
  });

  it('waitUntilUnloaded times out while the model stays resident; freeVram waits for the async unload', async () => {
    await client.load('llama3.2', { keepAlive: -1 });
    const err = await failure(client.waitUntilUnloaded('llama3.2', 50));
    expect(err.code).toBe('timeout');

    await sim.close();
    sim = await startOllamaSim({ gpu, unloadDelayMs: 20_000 }); // 100 ms at this time scale
    const slow = new OllamaClient({ baseUrl: sim.url, pollIntervalMs: 5 });
    try {
      await slow.load('llama3.2');
      const waited = await slow.freeVram('llama3.2', 5_000);
      expect(waited).toBeGreaterThanOrEqual(80);
      expect(gpu.models('ollama')).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

describe('failures', () => {
  it('reports an unreachable server as backend_unreachable with the start hint', async () => {
    const port = await freePort();
    const offline = new OllamaClient({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      for (const call of [
        () => offline.version(),
        () => offline.chat({ model: 'llama3.2', messages }),
        () => offline.ensureModel('llama3.2'),
      ]) {
        const err = await failure(call());
        expect(err.code).toBe('backend_unreachable');
        expect(err.retryable).toBe(true);
        expect(err.message).toContain(`Ollama is not reachable at http://127.0.0.1:${port}`);
        expect(err.hint).toBe('Start it with `ollama serve` or set the Ollama URL in Settings');
      }
    } finally {
      await offline.close();
    }
  });

  it('turns a connection reset mid-stream or before the headers into a retryable error', async () => {
    sim.faults.resetConnectionNext();
    const mid = await failure(client.chat({ model: 'llama3.2', messages }));
    expect(mid.code).toBe('backend_error');
    expect(mid.retryable).toBe(true);
    expect(mid.details?.reason).toBe('connection_reset');

    sim.faults.resetConnectionNext(1, 'before-headers');
    const early = await failure(client.chat({ model: 'llama3.2', messages }));
    expect(early.code).toBe('backend_error');
    expect(early.retryable).toBe(true);

    // The client recovers on the next call.
    expect((await client.chatJson(CopyDraftSchema, { model: 'llama3.2', messages })).parsed.title).toContain(
      productName,
    );
  });

  it('maps HTTP errors with the Ollama message', async () => {
    sim.faults.httpErrorNext(503);
    const busy = await failure(client.chat({ model: 'llama3.2', messages }));
    expect(busy.code).toBe('backend_error');
    expect(busy.retryable).toBe(true);
    expect(busy.message).toContain('server busy, please try again.  maximum pending requests exceeded');

    sim.faults.httpErrorNext(500, 1, 'cudaMalloc failed: out of memory');
    const oom = await failure(client.chat({ model: 'llama3.2', messages }));
    expect(oom.code).toBe('out_of_memory');

    const think = await failure(client.chat({ model: 'llama3.2', messages, think: true }));
    expect(think.code).toBe('invalid_input');
    expect(think.message).toContain('"llama3.2" does not support thinking');
  });

  it('fails on a mid-stream error line, a non-JSON line, or a stream without a final chunk', async () => {
    sim.faults.midStreamErrorNext();
    const mid = await failure(client.chat({ model: 'llama3.2', messages }));
    expect(mid.code).toBe('backend_error');
    expect(mid.details?.midStream).toBe(true);
    expect(mid.message).toContain('an error was encountered while running the model');

    sim.faults.garbageLineNext();
    const garbage = await failure(client.chat({ model: 'llama3.2', messages }));
    expect(garbage.code).toBe('backend_error');
    expect(garbage.message).toMatch(/not JSON/);
  });

  it('names the field of a malformed token chunk (token lines are checked by hand, not skipped)', async () => {
    // A server whose second token carries a number where text belongs: the line is JSON and looks
    // like a token, so it must fail the check and reach the schema, which names the field.
    const lines = [
      { model: 'llama3.2', created_at: 'now', message: { role: 'assistant', content: 'Hel' }, done: false },
      { model: 'llama3.2', created_at: 'now', message: { role: 'assistant', content: 5 }, done: false },
      { model: 'llama3.2', created_at: 'now', message: { role: 'assistant', content: '' }, done: true },
    ];
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const raw = new OllamaClient({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const err = await failure(raw.chat({ model: 'llama3.2', messages }));
      expect(err.code).toBe('backend_error');
      expect(err.message).toContain('unexpected reply on /api/chat');
      expect(err.message).toContain('message.content');
    } finally {
      await raw.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('cancels with an AbortSignal (interrupted) and the server slot is freed', async () => {
    sim.faults.slowStreamNext(2_000); // 10 ms between chunks
    const aborter = new AbortController();
    let seen = 0;
    const pending = client.chat({
      model: 'llama3.2',
      messages,
      signal: aborter.signal,
      onToken: () => {
        seen += 1;
        if (seen === 3) aborter.abort();
      },
    });
    const err = await failure(pending);
    expect(err.code).toBe('interrupted');
    await expect.poll(() => sim.stats.aborted).toBe(1);
    expect((await client.chat({ model: 'llama3.2', messages, stream: false })).doneReason).toBe('stop');

    const already = await failure(client.version({ signal: AbortSignal.abort() }));
    expect(already.code).toBe('interrupted');
  });

  it('times out waiting for headers on a slow cold load, and the server cancels the load', async () => {
    sim.faults.slowFirstLoad(100_000); // 500 ms at this time scale
    const err = await failure(client.chat({ model: 'llama3.2', messages, headersTimeoutMs: 100 }));
    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.details?.phase).toBe('headers');
    expect(err.message).toMatch(/model may still be loading/);
    await expect.poll(() => gpu.isLoaded('llama3.2:latest')).toBe(false);
    expect(sim.stats.aborted).toBe(1);
  });

  it('times out when the stream goes idle between chunks', async () => {
    sim.faults.slowStreamNext(60_000); // 300 ms between chunks
    const err = await failure(client.chat({ model: 'llama3.2', messages, idleTimeoutMs: 100 }));
    expect(err.code).toBe('timeout');
    expect(err.details?.phase).toBe('idle');
  });

  it('honours an overall deadline and a caller AbortSignal.timeout', async () => {
    sim.faults.hangNext(2);
    const total = await failure(client.chat({ model: 'llama3.2', messages, timeoutMs: 50 }));
    expect(total.code).toBe('timeout');
    expect(total.details?.phase).toBe('total');
    const caller = await failure(
      client.chat({ model: 'llama3.2', messages, signal: AbortSignal.timeout(50) }),
    );
    expect(caller.code).toBe('timeout');
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => new OllamaClient({ baseUrl: 'ftp://127.0.0.1' })).toThrow(ShowcaseError);
    expect(() => new OllamaClient({ baseUrl: 'not a url' })).toThrow(/ollamaUrl/);
  });
});
