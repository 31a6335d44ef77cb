// Wire-level behaviour of the Ollama simulator, over real sockets with a raw HTTP client.
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CopyDraftSchema } from '../../../src/shared/index.ts';
import { GiB, SimGpu } from '../../../src/sim/gpu.ts';
import { type OllamaSim, startOllamaSim } from '../../../src/sim/ollama/index.ts';

const copySchema = z.toJSONSchema(CopyDraftSchema);
const productPrompt = [
  'Write launch copy for this product as JSON.',
  'Name: Aurora Linen Throw',
  'Brand: Nordhaus',
  'Materials: linen, organic cotton',
  'Colors: oat, sage',
  'Audience: slow-living homes',
].join('\n');

interface Reply {
  status: number;
  contentType: string;
  text: string;
}

async function call(
  sim: OllamaSim,
  method: string,
  path: string,
  body?: unknown,
  raw?: string,
): Promise<Reply> {
  const res = await request(`${sim.url}${path}`, {
    method: method as 'GET',
    ...(raw !== undefined ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.statusCode,
    contentType: String(res.headers['content-type'] ?? ''),
    text: await res.body.text(),
  };
}

function lines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'llama3.2',
    messages: [{ role: 'user', content: productPrompt }],
    format: copySchema,
    options: { temperature: 0, seed: 7 },
    ...extra,
  };
}

function messageContent(chunk: Record<string, unknown>): string {
  const message = chunk.message as { content?: string } | undefined;
  return message?.content ?? '';
}

let sim: OllamaSim;
let gpu: SimGpu;

beforeEach(async () => {
  gpu = new SimGpu({ timeScale: 0.001 });
  sim = await startOllamaSim({ gpu });
});

afterEach(async () => {
  await sim.close();
});

describe('routes and metadata', () => {
  it('answers the root, version (GET and HEAD), unknown paths and wrong methods like Ollama', async () => {
    expect(await call(sim, 'GET', '/')).toMatchObject({ status: 200, text: 'Ollama is running' });
    const version = await call(sim, 'GET', '/api/version');
    expect(version.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(version.text)).toEqual({ version: '0.33.0-sim' });
    const head = await call(sim, 'HEAD', '/api/version');
    expect(head).toMatchObject({ status: 200, text: '' });
    expect(await call(sim, 'GET', '/api/nope')).toMatchObject({ status: 404, text: '404 page not found' });
    expect((await call(sim, 'GET', '/api/chat')).status).toBe(405);
  });

  it('lists installed models with tags and shows model details', async () => {
    const tags = JSON.parse((await call(sim, 'GET', '/api/tags')).text) as {
      models: Array<Record<string, unknown>>;
    };
    expect(tags.models).toHaveLength(1);
    expect(tags.models[0]).toMatchObject({
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      size: 2_019_393_189,
      details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
    });
    expect(tags.models[0]?.digest).toMatch(/^[0-9a-f]{64}$/);

    const show = JSON.parse((await call(sim, 'POST', '/api/show', { model: 'llama3.2' })).text);
    expect(show.capabilities).toEqual(['completion', 'tools']);
    expect(show.model_info['llama.context_length']).toBe(131_072);
    const missing = await call(sim, 'POST', '/api/show', { model: 'nosuch' });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ error: "model 'nosuch:latest' not found" });
    expect((await call(sim, 'POST', '/api/show', {})).status).toBe(400);
  });

  it('refuses foreign Host headers with an empty 403', async () => {
    const res = await request(`${sim.url}/api/version`, { headers: { host: 'evil.example.com' } });
    expect(res.statusCode).toBe(403);
    expect(await res.body.text()).toBe('');
  });
});

describe('request errors', () => {
  it('uses the exact statuses and {"error"} bodies', async () => {
    const cases: Array<[unknown, string | undefined, string, number, string]> = [
      [undefined, '', '/api/chat', 400, 'missing request body'],
      [undefined, 'xyz', '/api/chat', 400, "invalid character 'x' looking for beginning of value"],
      [{ messages: [] }, undefined, '/api/chat', 400, 'model is required'],
      [{ prompt: 'hi' }, undefined, '/api/generate', 404, "model '' not found"],
      [{ model: 'nosuch', prompt: 'hi' }, undefined, '/api/generate', 404, "model 'nosuch' not found"],
      [{ ...chatBody(), model: 'mistral:7b' }, undefined, '/api/chat', 404, "model 'mistral:7b' not found"],
      [chatBody({ think: true }), undefined, '/api/chat', 400, '"llama3.2" does not support thinking'],
      [
        chatBody({ keep_alive: '5 minutes' }),
        undefined,
        '/api/chat',
        400,
        'time: invalid duration "5 minutes"',
      ],
      [
        chatBody({ format: 'yaml' }),
        undefined,
        '/api/chat',
        500,
        'invalid format: "\\"yaml\\""; expected "json" or a valid JSON Schema object',
      ],
      [
        chatBody({ options: { num_ctx: '4096' } }),
        undefined,
        '/api/chat',
        500,
        'option "num_ctx" must be of type integer',
      ],
    ];
    for (const [body, raw, path, status, message] of cases) {
      const reply = await call(sim, 'POST', path, body, raw);
      expect({ path, status: reply.status, body: JSON.parse(reply.text) }).toEqual({
        path,
        status,
        body: { error: message },
      });
      expect(reply.contentType).toBe('application/json; charset=utf-8');
    }
  });

  it('ignores unknown fields and a `system` field on /api/chat', async () => {
    const plain = await call(sim, 'POST', '/api/chat', chatBody({ stream: false }));
    const withSystem = await call(
      sim,
      'POST',
      '/api/chat',
      chatBody({ stream: false, system: 'Name: Something Else', whatever: 1 }),
    );
    expect(messageContent(JSON.parse(withSystem.text))).toBe(messageContent(JSON.parse(plain.text)));
  });
});

describe('chat and generate', () => {
  it('streams NDJSON chunks whose concatenation is schema-valid copy about the product', async () => {
    const reply = await call(sim, 'POST', '/api/chat', chatBody());
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('application/x-ndjson');
    expect(reply.text.endsWith('\n')).toBe(true);
    const chunks = lines(reply.text);
    const final = chunks.at(-1) ?? {};
    const intermediate = chunks.slice(0, -1);
    expect(intermediate.length).toBeGreaterThan(20);
    for (const chunk of intermediate) {
      expect(Object.keys(chunk).sort()).toEqual(['created_at', 'done', 'message', 'model']);
      expect(chunk).toMatchObject({ model: 'llama3.2', done: false, message: { role: 'assistant' } });
      expect(String(chunk.created_at)).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    }
    expect(final).toMatchObject({
      done: true,
      done_reason: 'stop',
      message: { role: 'assistant', content: '' },
    });
    expect(final.context).toBeUndefined();
    const stats = [
      'total_duration',
      'load_duration',
      'prompt_eval_count',
      'prompt_eval_duration',
      'eval_count',
      'eval_duration',
    ];
    for (const key of stats) expect(Number.isInteger(final[key]), key).toBe(true);
    expect(final.eval_count).toBe(intermediate.length);
    const n = (k: string) => Number(final[k]);
    expect(n('total_duration')).toBeGreaterThanOrEqual(
      n('load_duration') + n('prompt_eval_duration') + n('eval_duration'),
    );
    // Cold load of llama3.2: 2000 profile ms at time scale 0.001 ≥ 2 ms = 2e6 ns.
    expect(n('load_duration')).toBeGreaterThanOrEqual(2e6);

    const content = intermediate.map(messageContent).join('');
    const copy = CopyDraftSchema.parse(JSON.parse(content));
    expect(Object.keys(JSON.parse(content))).toEqual([
      'title',
      'tagline',
      'bullets',
      'description',
      'prompts',
    ]);
    expect(copy.title).toContain('Aurora Linen Throw');
    expect(copy.description).toContain('Aurora Linen Throw');
    expect(copy.description).toMatch(/linen/);
    expect(copy.prompts.hero).toContain('Aurora Linen Throw');
    expect(copy.bullets.length).toBeGreaterThanOrEqual(3);
  });

  it('answers stream:false with one object equal to the streamed concatenation', async () => {
    const streamed = lines((await call(sim, 'POST', '/api/chat', chatBody())).text);
    const whole = await call(sim, 'POST', '/api/chat', chatBody({ stream: false }));
    expect(whole.contentType).toBe('application/json; charset=utf-8');
    const single = JSON.parse(whole.text);
    expect(single.done).toBe(true);
    expect(single.message.content).toBe(streamed.map(messageContent).join(''));
    expect(single.eval_count).toBe(streamed.length - 1);
    // Warm now: no second load.
    expect(gpu.loadCounts.get('llama3.2:latest')).toBe(1);
  });

  it('is deterministic for seed + temperature 0 and varies with the seed when sampling', async () => {
    const text = async (options: Record<string, unknown>) =>
      messageContent(
        JSON.parse((await call(sim, 'POST', '/api/chat', chatBody({ stream: false, options }))).text),
      );
    expect(await text({ temperature: 0 })).toBe(await text({ temperature: 0, seed: 99 }));
    expect(await text({ temperature: 0.8, seed: 1 })).toBe(await text({ temperature: 0.8, seed: 1 }));
    const variants = new Set([
      await text({ temperature: 0.8, seed: 1 }),
      await text({ temperature: 0.8, seed: 2 }),
      await text({ temperature: 0.8, seed: 3 }),
    ]);
    expect(variants.size).toBeGreaterThan(1);
  });

  it('cuts the answer at num_predict with done_reason "length"', async () => {
    const chunks = lines(
      (await call(sim, 'POST', '/api/chat', chatBody({ options: { num_predict: 10 } }))).text,
    );
    const final = chunks.at(-1) ?? {};
    expect(final).toMatchObject({ done_reason: 'length', eval_count: 10 });
    const content = chunks.map(messageContent).join('');
    expect(() => JSON.parse(content)).toThrow();
  });

  it('answers JSON mode with valid JSON and generate with response + context', async () => {
    const reply = await call(sim, 'POST', '/api/generate', {
      model: 'llama3.2',
      prompt: productPrompt,
      format: 'json',
      stream: false,
    });
    const body = JSON.parse(reply.text);
    expect(JSON.parse(body.response).title).toContain('Aurora Linen Throw');
    expect(Array.isArray(body.context)).toBe(true);
    expect(body.context.length).toBe(body.prompt_eval_count + body.eval_count);

    const prose = lines(
      (await call(sim, 'POST', '/api/generate', { model: 'llama3.2', prompt: productPrompt })).text,
    );
    expect(prose.slice(0, -1).every((c) => typeof c.response === 'string' && c.done === false)).toBe(true);
    expect(prose.map((c) => c.response).join('')).toContain('Aurora Linen Throw');
  });

  it('emits thinking before content for thinking-capable models', async () => {
    await sim.close();
    sim = await startOllamaSim({ gpu, models: ['llama3.2', 'qwen3:8b'] });
    const chunks = lines(
      (
        await call(sim, 'POST', '/api/chat', {
          model: 'qwen3:8b',
          messages: [{ role: 'user', content: productPrompt }],
        })
      ).text,
    );
    const thinking = chunks.filter((c) => (c.message as { thinking?: string }).thinking);
    expect(thinking.length).toBeGreaterThan(0);
    expect(chunks.indexOf(thinking.at(-1) ?? {})).toBeLessThan(
      chunks.findIndex((c) => messageContent(c) !== ''),
    );
    const off = await call(sim, 'POST', '/api/chat', {
      model: 'qwen3:8b',
      messages: [{ role: 'user', content: productPrompt }],
      think: false,
      stream: false,
    });
    expect(JSON.parse(off.text).message.thinking).toBeUndefined();
  });
});

describe('model residency on the shared GPU', () => {
  it('loads with an empty request, lists it in /api/ps and unloads with keep_alive 0', async () => {
    const load = await call(sim, 'POST', '/api/chat', { model: 'llama3.2', messages: [] });
    expect(load.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(load.text)).toMatchObject({
      done: true,
      done_reason: 'load',
      message: { content: '' },
    });
    expect(gpu.models('ollama').map((m) => m.name)).toEqual(['llama3.2:latest']);
    const ps = JSON.parse((await call(sim, 'GET', '/api/ps')).text);
    expect(ps.models).toHaveLength(1);
    expect(ps.models[0]).toMatchObject({
      name: 'llama3.2:latest',
      size_vram: Math.round(3.7 * GiB),
      context_length: 4096,
    });
    expect(Date.parse(ps.models[0].expires_at)).toBeGreaterThan(Date.now());

    const unload = JSON.parse(
      (await call(sim, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: 0 })).text,
    );
    expect(unload).toMatchObject({ model: 'llama3.2', response: '', done: true, done_reason: 'unload' });
    await waitFor(() => gpu.models('ollama').length === 0);
    expect(gpu.free()).toBe(gpu.vramTotal);
    expect(JSON.parse((await call(sim, 'GET', '/api/ps')).text)).toEqual({ models: [] });
  });

  it('unloads asynchronously after the configured delay', async () => {
    await sim.close();
    sim = await startOllamaSim({ gpu, unloadDelayMs: 300_000 }); // 300 ms at this time scale
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2' });
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: 0 });
    expect(JSON.parse((await call(sim, 'GET', '/api/ps')).text).models).toHaveLength(1);
    await waitFor(() => gpu.models('ollama').length === 0);
  });

  it('honours keep_alive durations: seconds, Go strings and -1', async () => {
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: -1 });
    const forever = JSON.parse((await call(sim, 'GET', '/api/ps')).text).models[0];
    expect(new Date(forever.expires_at).getUTCFullYear()).toBeGreaterThan(2200);
    // "5m" is 300 ms at time scale 0.001; a new request resets the timer.
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: '5m' });
    expect(gpu.isLoaded('llama3.2:latest')).toBe(true);
    await waitFor(() => !gpu.isLoaded('llama3.2:latest'));
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: 3 });
    await waitFor(() => !gpu.isLoaded('llama3.2:latest'));
    expect(gpu.loadCounts.get('llama3.2:latest')).toBe(2);
  });

  it('reloads when num_ctx changes and grows size_vram with the context', async () => {
    // keep_alive -1: the default 5 min is 300 ms at this time scale, and a loaded machine can spend
    // that long between two calls; an expiry would count as a reload.
    const chat = (numCtx: number) =>
      chatBody({ stream: false, keep_alive: -1, options: { num_ctx: numCtx } });
    await call(sim, 'POST', '/api/chat', chat(4096));
    const small = JSON.parse((await call(sim, 'GET', '/api/ps')).text).models[0];
    const again = JSON.parse((await call(sim, 'POST', '/api/chat', chat(4096))).text);
    expect(gpu.loadCounts.get('llama3.2:latest')).toBe(1);
    const reload = JSON.parse((await call(sim, 'POST', '/api/chat', chat(8192))).text);
    expect(gpu.loadCounts.get('llama3.2:latest')).toBe(2);
    expect(again.load_duration).toBeGreaterThan(0);
    expect(reload.load_duration).toBeGreaterThanOrEqual(2e6); // a cold load: 2000 profile ms
    const big = JSON.parse((await call(sim, 'GET', '/api/ps')).text).models[0];
    expect(big.context_length).toBe(8192);
    expect(big.size_vram - small.size_vram).toBe(4096 * 112 * 1024);
  });

  it('competes with image models: offloads to the CPU when VRAM is taken', async () => {
    gpu.load('qwen_image_fp8_e4m3fn.safetensors', 'comfyui');
    // Fill the card up to 1 GiB free: Ollama cannot evict ComfyUI's models.
    gpu.load('filler.safetensors', 'comfyui', null, gpu.free() - 1 * GiB);
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2' });
    const running = JSON.parse((await call(sim, 'GET', '/api/ps')).text).models[0];
    expect(running.size_vram).toBeLessThan(running.size);
    expect(running.size_vram).toBe(1 * GiB);
  });

  it('serialises requests per model and answers 503 beyond the queue limit', async () => {
    await sim.close();
    sim = await startOllamaSim({ gpu, maxQueue: 1 });
    sim.faults.slowFirstLoad(100_000); // the first request holds the model for 100 ms
    const body = chatBody({ stream: false });
    const replies = await Promise.all([1, 2, 3].map(() => call(sim, 'POST', '/api/chat', body)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503]);
    const busy = replies.find((r) => r.status === 503);
    expect(JSON.parse(busy?.text ?? '{}')).toEqual({
      error: 'server busy, please try again.  maximum pending requests exceeded',
    });
  });
});

describe('faults', () => {
  it('invalidJsonNext and truncatedJsonNext shape the next answers only', async () => {
    sim.faults.invalidJsonNext();
    const invalid = JSON.parse((await call(sim, 'POST', '/api/chat', chatBody({ stream: false }))).text);
    expect(() => JSON.parse(invalid.message.content)).toThrow();
    expect(invalid.message.content).toContain('Aurora Linen Throw');
    expect(invalid.done_reason).toBe('stop');

    sim.faults.truncatedJsonNext();
    const truncated = lines((await call(sim, 'POST', '/api/chat', chatBody())).text);
    expect(truncated.at(-1)?.done_reason).toBe('length');
    expect(() => JSON.parse(truncated.map(messageContent).join(''))).toThrow();

    const fine = JSON.parse((await call(sim, 'POST', '/api/chat', chatBody({ stream: false }))).text);
    expect(CopyDraftSchema.safeParse(JSON.parse(fine.message.content)).success).toBe(true);
    expect(sim.faults.log.map((f) => f.fault)).toEqual(['invalid-json', 'truncated-json']);
  });

  it('schemaMismatchNext gives valid JSON that breaks the schema', async () => {
    sim.faults.schemaMismatchNext();
    const reply = JSON.parse((await call(sim, 'POST', '/api/chat', chatBody({ stream: false }))).text);
    const value = JSON.parse(reply.message.content);
    expect(value.title).toBeUndefined();
    expect(CopyDraftSchema.safeParse(value).success).toBe(false);
  });

  it('httpErrorNext answers the status at once; missingModel makes the model 404', async () => {
    sim.faults.httpErrorNext(503, 2);
    for (let i = 0; i < 2; i++) {
      const busy = await call(sim, 'POST', '/api/chat', chatBody());
      expect(busy.status).toBe(503);
      expect(JSON.parse(busy.text).error).toMatch(/server busy/);
    }
    sim.faults.httpErrorNext(500, 1, 'CUDA error: out of memory');
    expect(JSON.parse((await call(sim, 'POST', '/api/chat', chatBody())).text)).toEqual({
      error: 'CUDA error: out of memory',
    });

    sim.faults.missingModel('llama3.2');
    const missing = await call(sim, 'POST', '/api/chat', chatBody());
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ error: "model 'llama3.2' not found" });
    expect(JSON.parse((await call(sim, 'GET', '/api/tags')).text).models).toEqual([]);
  });

  it('resetConnectionNext destroys the socket mid-stream or before the headers', async () => {
    sim.faults.resetConnectionNext();
    const res = await request(`${sim.url}/api/chat`, { method: 'POST', body: JSON.stringify(chatBody()) });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();

    sim.faults.resetConnectionNext(1, 'before-headers');
    await expect(
      request(`${sim.url}/api/chat`, { method: 'POST', body: JSON.stringify(chatBody()) }),
    ).rejects.toThrow(/other side closed|socket|ECONNRESET/i);
    expect(sim.faults.log.map((f) => f.fault)).toEqual(['reset-mid-stream', 'reset-before-headers']);
  });

  it('midStreamErrorNext ends a 200 stream with an error line', async () => {
    sim.faults.midStreamErrorNext();
    const reply = await call(sim, 'POST', '/api/chat', chatBody());
    expect(reply.status).toBe(200);
    const chunks = lines(reply.text);
    expect(chunks.at(-1)).toEqual({ error: 'an error was encountered while running the model' });
    expect(chunks.some((c) => c.done === true)).toBe(false);
  });

  it('slowFirstLoad delays cold loads; an aborted load is cancelled', async () => {
    sim.faults.slowFirstLoad(200_000); // 200 ms at this time scale
    const started = performance.now();
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    await call(sim, 'POST', '/api/generate', { model: 'llama3.2', keep_alive: 0 });
    await waitFor(() => !gpu.isLoaded('llama3.2:latest'));

    const aborter = new AbortController();
    const pending = request(`${sim.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2' }),
      signal: aborter.signal,
    });
    await waitFor(() => gpu.isLoaded('llama3.2:latest'));
    aborter.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => !gpu.isLoaded('llama3.2:latest'));
    expect(sim.stats.aborted).toBe(1);
  });

  it('hangNext never answers until the client goes away; every request is recorded', async () => {
    sim.faults.hangNext();
    await expect(
      request(`${sim.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify(chatBody()),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    await waitFor(() => sim.stats.aborted === 1);
    const ok = await call(sim, 'POST', '/api/chat', chatBody({ stream: false }));
    expect(ok.status).toBe(200);
    expect(sim.stats.chat).toBe(2);
    expect(sim.stats.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/api/chat', undefined],
      ['POST', '/api/chat', 200],
    ]);
    expect(sim.stats.requests[0]?.body).toMatchObject({ model: 'llama3.2' });
  });
});

describe('pull', () => {
  it('streams progress and installs the tag; unknown registry names fail', async () => {
    await sim.close();
    sim = await startOllamaSim({ gpu, registry: ['qwen3:8b'] });
    const reply = await call(sim, 'POST', '/api/pull', { model: 'qwen3:8b' });
    expect(reply.contentType).toBe('application/x-ndjson');
    const progress = lines(reply.text);
    expect(progress[0]).toEqual({ status: 'pulling manifest' });
    expect(progress.at(-1)).toEqual({ status: 'success' });
    const completed = progress.filter((p) => p.completed !== undefined).map((p) => Number(p.completed));
    expect(completed.slice(0, 4)).toEqual([...completed.slice(0, 4)].sort((a, b) => a - b));
    expect(
      JSON.parse((await call(sim, 'GET', '/api/tags')).text).models.map((m: { name: string }) => m.name),
    ).toContain('qwen3:8b');

    const failed = lines((await call(sim, 'POST', '/api/pull', { model: 'nosuch' })).text);
    expect(failed.at(-1)).toEqual({ error: 'pull model manifest: file does not exist' });
    const whole = await call(sim, 'POST', '/api/pull', { model: 'nosuch', stream: false });
    expect(whole.status).toBe(500);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
