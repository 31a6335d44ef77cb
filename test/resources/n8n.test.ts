// Structural checks of the shipped n8n workflows (resources/n8n/*.json): the fast tier. The real-n8n
// tier (npm run test:n8n) runs them; this one proves, in seconds, that the files are importable and
// safe to ship, and that what their Code nodes send matches the simulators' routes and the studio's
// API schema (the Code nodes' JavaScript is executed here with a stand-in for n8n's `$`).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDirectWorkflow,
  buildViaAppWorkflow,
  CREDENTIAL_NAMES,
  isUpToDate,
  type N8nWorkflow,
  renderWorkflow,
  WEBHOOK_PATHS,
  WORKFLOW_FILES,
  WORKFLOW_IDS,
} from '../../resources/n8n/build.ts';
import { configureWorkflow, readConfig } from '../../resources/n8n/configure.ts';
import { SubmitShowcasesSchema } from '../../src/main/server/index.ts';
import { type ComfySim, type OllamaSim, SimGpu, startComfySim, startOllamaSim } from '../../src/sim/index.ts';

/** Node types and typeVersions from ../shared/protocols/n8n.md §2, "ship" column. */
const ALLOWED_NODES: Record<string, number> = {
  'n8n-nodes-base.webhook': 2,
  'n8n-nodes-base.httpRequest': 4.2,
  'n8n-nodes-base.splitInBatches': 3,
  'n8n-nodes-base.wait': 1.1,
  'n8n-nodes-base.merge': 3,
  'n8n-nodes-base.code': 2,
  'n8n-nodes-base.postgres': 2.5,
  'n8n-nodes-base.emailSend': 2.1,
  'n8n-nodes-base.respondToWebhook': 1.1,
  'n8n-nodes-base.if': 2.2,
};

/** Outputs per node type: If 0 true / 1 false, Loop Over Items 0 done / 1 loop. */
const OUTPUTS: Record<string, number> = { 'n8n-nodes-base.if': 2, 'n8n-nodes-base.splitInBatches': 2 };

interface Node {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  webhookId?: string;
}
interface Workflow {
  name: string;
  nodes: Node[];
  connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;
  [key: string]: unknown;
}

const files = {
  'product-showcase.json': WORKFLOW_FILES.direct,
  'product-showcase-via-app.json': WORKFLOW_FILES.viaApp,
} as const;
const load = (path: string): Workflow => JSON.parse(readFileSync(path, 'utf8')) as Workflow;
const node = (w: Workflow, name: string): Node => {
  const found = w.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`no node "${name}"`);
  return found;
};
const targets = (w: Workflow, name: string, output?: number): string[] =>
  (w.connections[name]?.main ?? [])
    .flatMap((list, i) => (output === undefined || i === output ? list : []))
    .map((c) => c.node);

/** Every node reachable from `start` (following all outputs). */
function reachable(w: Workflow, start: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...targets(w, name));
  }
  return seen;
}

/** Every string in a parameter tree, with its path. */
function strings(value: unknown, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) strings(v, `${path}[${i}]`, out);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
  return out;
}

describe.each(Object.entries(files))('%s', (_file, path) => {
  const w = load(path);

  it('is what resources/n8n/build.ts builds (node resources/n8n/build.ts regenerates it)', () => {
    const built = path === WORKFLOW_FILES.direct ? buildDirectWorkflow() : buildViaAppWorkflow();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(JSON.parse(renderWorkflow(built)));
    expect(isUpToDate(path, built)).toBe(true);
  });

  it('imports as an inactive workflow with its own id, without pinned data or instance ids', () => {
    expect(Array.isArray(w.nodes)).toBe(true);
    expect(typeof w.connections).toBe('object');
    // n8n 2.41.1's import:workflow fails on a file without an id (`null value in column "id"`).
    expect(w.id).toBe(path === WORKFLOW_FILES.direct ? WORKFLOW_IDS.direct : WORKFLOW_IDS.viaApp);
    expect(w.id).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(w).not.toHaveProperty('versionId');
    expect(w.meta).not.toHaveProperty('instanceId');
    expect(w.active).toBe(false);
    expect(w.pinData === undefined || Object.keys(w.pinData as object).length === 0).toBe(true);
    expect(w.settings).toMatchObject({ executionOrder: 'v1' });
  });

  it('has unique node names and ids, and only allow-listed node types at their shipped typeVersion', () => {
    const names = w.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(w.nodes.map((n) => n.id)).size).toBe(names.length);
    for (const n of w.nodes) {
      expect(ALLOWED_NODES[n.type], `${n.name}: ${n.type}`).toBeDefined();
      expect(n.typeVersion, `${n.name}: ${n.type}`).toBe(ALLOWED_NODES[n.type]);
      expect(n.position).toHaveLength(2);
    }
  });

  it('connects only existing nodes, on outputs and inputs they have', () => {
    const byName = new Map(w.nodes.map((n) => [n.name, n]));
    for (const [source, types] of Object.entries(w.connections)) {
      const from = byName.get(source);
      expect(from, `connection from unknown node "${source}"`).toBeDefined();
      expect(Object.keys(types)).toEqual(['main']);
      const outputs = types.main ?? [];
      expect(outputs.length, `${source} outputs`).toBeLessThanOrEqual(OUTPUTS[from?.type ?? ''] ?? 1);
      for (const list of outputs) {
        for (const c of list) {
          const to = byName.get(c.node);
          expect(to, `connection ${source} → unknown node "${c.node}"`).toBeDefined();
          expect(c.type).toBe('main');
          const inputs = to?.type === 'n8n-nodes-base.merge' ? 2 : 1;
          expect(c.index, `${source} → ${c.node} input`).toBeLessThan(inputs);
        }
      }
    }
    // Every node but the trigger is fed by something; every dead end answers the webhook.
    const fed = new Set(
      Object.values(w.connections).flatMap((t) => (t.main ?? []).flat().map((c) => c.node)),
    );
    for (const n of w.nodes) {
      if (n.type !== 'n8n-nodes-base.webhook')
        expect(fed.has(n.name), `${n.name} is never reached`).toBe(true);
      if (targets(w, n.name).length === 0)
        expect(n.type, `${n.name} is a dead end`).toBe('n8n-nodes-base.respondToWebhook');
    }
  });

  it('writes every expression with the leading "=" and never {{ }} in a plain value', () => {
    for (const n of w.nodes) {
      for (const [where, value] of strings(n.parameters, n.name)) {
        if (where.endsWith('.jsCode')) continue;
        if (value.includes('{{')) expect(value.startsWith('='), `${where}: ${value}`).toBe(true);
        if (value.startsWith('=')) expect(value, where).toMatch(/\{\{[\s\S]+\}\}/);
      }
    }
  });

  it('references credentials by name only, and holds no secrets', () => {
    const allowed = new Set<string>(Object.values(CREDENTIAL_NAMES));
    for (const n of w.nodes) {
      for (const [type, ref] of Object.entries(n.credentials ?? {})) {
        expect(type in CREDENTIAL_NAMES, `${n.name}: credential type ${type}`).toBe(true);
        expect(ref).toEqual({ id: null, name: CREDENTIAL_NAMES[type as keyof typeof CREDENTIAL_NAMES] });
        expect(allowed.has((ref as { name: string }).name)).toBe(true);
      }
    }
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/"(password|token|apiKey|secret|accessToken)"\s*:/i);
    expect(text).not.toMatch(/Bearer [A-Za-z0-9_-]{8,}/);
    expect(text).not.toMatch(/"data"\s*:/);
  });

  it('answers through Respond to Webhook, rejecting a payload without a product name before any backend', () => {
    const webhook = node(w, 'Webhook');
    expect(webhook.parameters).toMatchObject({ httpMethod: 'POST', responseMode: 'responseNode' });
    expect(webhook.webhookId).toMatch(/^[0-9a-f-]{36}$/);
    expect(targets(w, 'Product valid?', 1)).toEqual(['Reject invalid payload']);
    expect(node(w, 'Reject invalid payload').parameters).toMatchObject({ options: { responseCode: 400 } });
    const afterReject = reachable(w, ['Reject invalid payload']);
    expect([...afterReject]).toEqual(['Reject invalid payload']);
    // Postgres and e-mail sit only behind the valid branch.
    const validBranch = reachable(w, targets(w, 'Product valid?', 0));
    for (const n of w.nodes.filter((x) => /postgres|emailSend|httpRequest/.test(x.type))) {
      expect(validBranch.has(n.name), n.name).toBe(true);
    }
  });

  it('writes Postgres through parameterised queries (nothing the editor\'s "Refresh columns" can rewrite)', () => {
    const postgres = w.nodes.filter((n) => n.type === 'n8n-nodes-base.postgres');
    expect(postgres.map((n) => n.name).sort()).toEqual([
      'Find earlier run',
      'Insert gallery row',
      'Update e-mail status',
    ]);
    for (const n of postgres) {
      expect(n.parameters.operation, n.name).toBe('executeQuery');
      expect(n.parameters).not.toHaveProperty('columns');
      expect(String(n.parameters.query), n.name).toMatch(/\$1/);
      expect(String((n.parameters.options as Json).queryReplacement), n.name).toMatch(/^=\{\{ \[.*\] \}\}$/s);
    }
    expect(String(node(w, 'Insert gallery row').parameters.query)).toContain(
      'ON CONFLICT (request_id) DO NOTHING',
    );
  });

  it('is idempotent by request id: an earlier run is answered again, its e-mail re-sent only if it failed', () => {
    expect(targets(w, 'Product valid?', 0)).toEqual(['Find earlier run']);
    expect(targets(w, 'Earlier run?', 0)).toEqual(['Earlier e-mail sent?']);
    expect(targets(w, 'Earlier e-mail sent?', 0)).toEqual(['Respond with earlier gallery']);
    expect(targets(w, 'Earlier e-mail sent?', 1)).toEqual(['Mail to send']);
    // Nothing renders or inserts on the replay branch.
    const replay = reachable(w, targets(w, 'Earlier run?', 0));
    expect([...replay].filter((n) => /Ollama|ComfyUI|hero job|showcase in app|Insert/.test(n))).toEqual([]);
    // A refused e-mail does not stop the run: its status is stored and answered.
    expect((node(w, 'Send gallery e-mail') as Node & { onError?: string }).onError).toBe(
      'continueRegularOutput',
    );
    expect(reachable(w, ['Send gallery e-mail']).has('Update e-mail status')).toBe(true);
    expect(node(w, 'Respond with gallery').parameters).toMatchObject({
      options: { responseCode: "={{ $('Record e-mail status').first().json.statusCode }}" },
    });
  });

  it('takes every backend address from the Config node (no address or port in a URL)', () => {
    const config = readConfig(w);
    for (const n of w.nodes.filter((x) => x.type === 'n8n-nodes-base.httpRequest')) {
      const url = String(n.parameters.url);
      expect(url, n.name).toMatch(/^=\{\{ \$\('Config'\)\.first\(\)\.json\.(\w+) \}\}\//);
      const key = /json\.(\w+)/.exec(url)?.[1] ?? '';
      expect(config[key], `${n.name}: Config.${key}`).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    const changed = readConfig(configureWorkflow(w, { mailTo: 'a@b.test' }));
    expect(changed.mailTo).toBe('a@b.test');
    expect(() => configureWorkflow(w, { nope: 'x' })).toThrow(/no key "nope"/);
  });
});

// ---------------------------------------------------------------------------------------------------
// The Code nodes executed with a stand-in for n8n's `$`, against the simulators and the API schema.

type Json = Record<string, unknown>;
type Items = Array<{ json: Json }>;

/** Runs a Code node's jsCode with `outputs[name]` as what `$('name')` returns and `input` as `$input`. */
function runCode(
  w: Workflow | N8nWorkflow,
  name: string,
  outputs: Record<string, Json[]>,
  input: Json[] = [],
): Items {
  const code = String(node(w as Workflow, name).parameters.jsCode);
  const ref = (nodeName: string) => {
    const items = outputs[nodeName];
    if (!items) throw new Error(`${name} reads $('${nodeName}') which the test did not provide`);
    return { first: () => ({ json: items[0] }), all: () => items.map((json) => ({ json })) };
  };
  const $input = { first: () => ({ json: input[0] }), all: () => input.map((json) => ({ json })) };
  const fn = new Function('$', '$input', code) as (...args: unknown[]) => Items;
  return fn(ref, $input);
}

/** Evaluates an HTTP node's `={{ … }}` jsonBody with the given `$json` / `$execution` / `$`. */
function evaluateExpression(
  expression: string,
  scope: { $json: Json; $execution: Json; $: unknown },
): unknown {
  const inner = /^=\{\{([\s\S]*)\}\}$/.exec(expression)?.[1];
  if (inner === undefined) throw new Error(`not a whole-value expression: ${expression}`);
  return new Function('$json', '$execution', '$', `return (${inner});`)(
    scope.$json,
    scope.$execution,
    scope.$,
  );
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function waitForHistory(comfy: ComfySim, promptId: string): Promise<Json> {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${comfy.url}/history/${promptId}`);
    const body = (await res.json()) as Json;
    if (body[promptId]) return { statusCode: res.status, body };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`prompt ${promptId} did not finish`);
}

describe('product-showcase.json Code nodes against the simulators', () => {
  let comfy: ComfySim;
  let ollama: OllamaSim;
  let w: Workflow;

  beforeAll(async () => {
    const gpu = new SimGpu({ timeScale: 0.0005 });
    [comfy, ollama] = await Promise.all([startComfySim({ gpu }), startOllamaSim({ gpu })]);
    w = configureWorkflow(load(WORKFLOW_FILES.direct), {
      ollamaUrl: `${ollama.url}/`,
      comfyUrl: comfy.url,
      width: 256,
      height: 256,
      steps: 2,
    });
  });
  afterAll(async () => {
    await Promise.all([comfy?.close(), ollama?.close()]);
  });

  const webhook = (body: unknown): Record<string, Json[]> => ({ Webhook: [{ body } as Json] });

  it('rejects payloads without a product name with a 400 naming the field', () => {
    for (const [body, field] of [
      [{}, 'product_info'],
      [{ product_info: 'Mug' }, 'product_info'],
      [{ product_info: { description: 'x' } }, 'product_info.name'],
      [{ product_info: { name: '  ' } }, 'product_info.name'],
      [[1], 'body'],
    ] as const) {
      const [out] = runCode(w, 'Validate product', webhook(body));
      expect(out?.json).toMatchObject({ ok: false, status: 400, error: { code: 'invalid_input', field } });
    }
  });

  it('rejects wrongly typed fields with a 400 naming the field, and honours a given seed and request id', () => {
    for (const [body, field] of [
      [{ product_info: { name: 'Mug', price: '12.50' } }, 'product_info.price'],
      [
        { product_info: { name: 'Mug', price: { amount: '12.50', currency: 'EUR' } } },
        'product_info.price.amount',
      ],
      [
        { product_info: { name: 'Mug', price: { amount: 12.5, currency: 'euro' } } },
        'product_info.price.currency',
      ],
      [{ product_info: { name: 'Mug' }, seed: -5 }, 'seed'],
      [{ product_info: { name: 'Mug' }, seed: 'abc' }, 'seed'],
      [{ product_info: { name: 'Mug' }, seed: 1.5 }, 'seed'],
      [{ product_info: { name: 'Mug' }, seed: 2 ** 53 }, 'seed'],
      [{ product_info: { name: 42 } }, 'product_info.name'],
      [{ product_info: { name: 'Mug', description: 42 } }, 'product_info.description'],
      [{ product_info: { name: 'Mug', colors: 'red' } }, 'product_info.colors'],
      [{ product_info: { name: 'Mug' }, request_id: 'no spaces allowed' }, 'request_id'],
    ] as const) {
      const [out] = runCode(w, 'Validate product', webhook(body));
      expect(out?.json, JSON.stringify(body)).toMatchObject({
        ok: false,
        status: 400,
        error: { code: 'invalid_input', field },
      });
      expect(String(((out?.json.error ?? {}) as Json).message)).toContain(field.split('.').at(-1) ?? field);
    }
    const [ok] = runCode(
      w,
      'Validate product',
      webhook({ product_info: { name: 'Mug' }, seed: 4242, request_id: 'order-77' }),
    );
    expect(ok?.json).toMatchObject({ ok: true, seed: 4242, requestId: 'order-77' });
    const [zero] = runCode(w, 'Validate product', webhook({ product_info: { name: 'Mug' }, seed: 0 }));
    expect(zero?.json.seed).toBe(0);
    // The Idempotency-Key header works too; without either, the run's own gallery id stands in.
    const [header] = runCode(w, 'Validate product', {
      Webhook: [{ body: { product_info: { name: 'Mug' } }, headers: { 'idempotency-key': 'k-1' } } as Json],
    });
    expect(header?.json.requestId).toBe('k-1');
    const [none] = runCode(w, 'Validate product', webhook({ product_info: { name: 'Mug' } }));
    expect(none?.json.requestId).toBe(none?.json.galleryId);
  });

  it('replays an earlier run, re-sending only a failed e-mail, and answers the e-mail status', () => {
    expect(runCode(w, 'Check earlier run', {}, [{}])[0]?.json).toEqual({ replay: false });
    const gallery = {
      galleryId: 'g-1',
      status: 'complete',
      product: { id: 'mug', name: 'Mug' },
      copy: { title: 'Mug', tagline: 't', bullets: ['a', 'b', 'c'], description: 'd' },
      hero: { filename: 'h.png', subfolder: 's', url: 'http://x/h.png', seed: 1 },
      variations: [],
    };
    const sent = runCode(w, 'Check earlier run', {}, [{ id: 'g-1', gallery, email_status: 'sent' }])[0]?.json;
    expect(sent).toMatchObject({
      replay: true,
      emailSent: true,
      response: { galleryId: 'g-1', replayed: true, email: { status: 'sent' } },
    });
    const failed = runCode(w, 'Check earlier run', {}, [
      { id: 'g-1', gallery, email_status: 'failed', email_error: 'boom' },
    ])[0]?.json as Json;
    expect(failed).toMatchObject({ replay: true, emailSent: false });
    const mail = runCode(w, 'Mail to send', { 'Check earlier run': [failed] })[0]?.json as Json;
    expect(mail).toMatchObject({ gallery: { galleryId: 'g-1' }, replayed: true });
    expect((mail.email as Json).subject).toBe('Product showcase: Mug');

    const refused = runCode(w, 'Record e-mail status', { 'Mail to send': [mail] }, [
      { error: '550 mailbox unavailable' },
    ])[0]?.json;
    expect(refused).toMatchObject({
      galleryId: 'g-1',
      emailStatus: 'failed',
      emailError: '550 mailbox unavailable',
      statusCode: 502,
      response: { galleryId: 'g-1', email: { status: 'failed' }, error: { code: 'email_failed' } },
    });
    const delivered = runCode(w, 'Record e-mail status', { 'Mail to send': [mail] }, [
      { accepted: ['a@b.test'] },
    ])[0]?.json;
    expect(delivered).toMatchObject({
      emailStatus: 'sent',
      emailError: null,
      statusCode: 200,
      response: { email: { status: 'sent' } },
    });
  });

  it('drives the simulators: one chat, a hero graph ComfyUI accepts, four img2img variations of it', async () => {
    const config = runCode(w, 'Config', {})[0]?.json as Json;
    expect(config.ollamaUrl).toBe(ollama.url);
    const outputs: Record<string, Json[]> = {
      ...webhook({ product_info: { name: 'Ridge Flask "XL", {{seed}}', materials: ['steel'] }, seed: 7 }),
      Config: [config],
    };
    outputs['Validate product'] = runCode(w, 'Validate product', outputs).map((i) => i.json);
    expect(outputs['Validate product'][0]).toMatchObject({
      ok: true,
      seed: 7,
      product: { id: 'Ridge-Flask-XL-seed' },
    });
    const copyRequest = runCode(w, 'Build copy request', outputs, outputs['Validate product'])[0]
      ?.json as Json;

    // The HTTP node posts JSON.stringify($json.request) to <ollamaUrl>/api/chat.
    const chatNode = node(w, 'Ollama chat');
    expect(chatNode.parameters.url).toBe("={{ $('Config').first().json.ollamaUrl }}/api/chat");
    const chatBody = JSON.parse(
      String(
        evaluateExpression(String(chatNode.parameters.jsonBody), {
          $json: copyRequest,
          $execution: {},
          $: null,
        }),
      ),
    );
    expect(chatBody).toMatchObject({ model: 'llama3.2', stream: false, keep_alive: 0 });
    const chat = await postJson(`${config.ollamaUrl}/api/chat`, chatBody);
    expect(chat.status).toBe(200);
    outputs['Parse copy'] = runCode(w, 'Parse copy', outputs, [{ statusCode: 200, body: chat.body }]).map(
      (i) => i.json,
    );
    const parsed = outputs['Parse copy'][0] as {
      ok: boolean;
      copy: { bullets: string[] };
      prompts: { variations: string[] };
    };
    expect(parsed.ok).toBe(true);
    expect(parsed.copy.bullets.length).toBeGreaterThanOrEqual(3);
    expect(parsed.prompts.variations).toHaveLength(4);
    expect(ollama.stats.chat).toBe(1);

    // Hero: POST <comfyUrl>/prompt, then /history/{prompt_id}.
    expect(node(w, 'Queue hero').parameters.url).toBe("={{ $('Config').first().json.comfyUrl }}/prompt");
    expect(node(w, 'Hero history').parameters.url).toBe(
      "={{ $('Config').first().json.comfyUrl }}/history/{{ $('Build hero job').first().json.promptId }}",
    );
    outputs['Build hero job'] = runCode(w, 'Build hero job', outputs).map((i) => i.json);
    const heroJob = outputs['Build hero job'][0] as { promptId: string; request: Json };
    const queued = await postJson(`${comfy.url}/prompt`, heroJob.request);
    expect(queued).toMatchObject({ status: 200, body: { prompt_id: heroJob.promptId, node_errors: {} } });
    outputs['Queue hero'] = [{ statusCode: queued.status, body: queued.body }];
    outputs['Wait for hero'] = [{}];
    const pending = runCode(w, 'Read hero history', outputs, [{ statusCode: 200, body: {} }])[0]?.json;
    expect(pending).toMatchObject({ state: 'pending', polls: 1 });
    const heroHistory = await waitForHistory(comfy, heroJob.promptId);
    const hero = runCode(w, 'Read hero history', outputs, [heroHistory])[0]?.json as Json;
    expect(hero).toMatchObject({ kind: 'hero', state: 'done', subfolder: 'showcase-n8n' });
    expect(hero.url).toBe(
      `${comfy.url}/view?filename=${encodeURIComponent(String(hero.filename))}&subfolder=showcase-n8n&type=output`,
    );
    expect((await fetch(String(hero.url))).headers.get('content-type')).toBe('image/png');

    // Variations: img2img from the hero's output file, each accepted and rendered.
    const plans = runCode(w, 'Plan variations', outputs, [hero]).map(
      (i) => i.json as { promptId: string; request: Json; idx: number },
    );
    expect(plans.map((p) => p.idx)).toEqual([1, 2, 3, 4]);
    const results: Json[] = [];
    for (const plan of plans) {
      const res = await postJson(`${comfy.url}/prompt`, plan.request);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const history = await waitForHistory(comfy, plan.promptId);
      const v = runCode(
        w,
        'Read variation history',
        {
          ...outputs,
          'Loop over variations': [plan],
          'Queue variation': [{ statusCode: 200, body: res.body }],
          'Wait for variation': [{}],
        },
        [history],
      )[0]?.json as Json;
      expect(v).toMatchObject({ kind: 'variation', idx: plan.idx, state: 'done' });
      results.push(v);
    }
    expect(comfy.stats.promptIds).toEqual([heroJob.promptId, ...plans.map((p) => p.promptId)]);

    const assembled = runCode(w, 'Assemble gallery', outputs, [hero, ...results])[0]?.json as {
      gallery: { status: string; variations: Json[]; product: { name: string } };
      email: { subject: string; html: string };
    };
    expect(assembled.gallery.status).toBe('complete');
    expect(assembled.gallery.variations).toHaveLength(4);
    // Product text is escaped in the HTML part.
    expect(assembled.email.html).toContain('Ridge Flask &quot;XL&quot;');
    expect(assembled.email.html).not.toContain('"XL"');
  });

  it('turns an Ollama failure or unusable JSON into a 502 item naming the cause', () => {
    const outputs = { 'Validate product': [{ product: { name: 'Mug' } }] };
    const cases: Array<[Json, RegExp]> = [
      [{ error: { message: 'connect ECONNREFUSED 127.0.0.1:11434' } }, /unreachable: connect ECONNREFUSED/],
      [{ statusCode: 404, body: { error: "model 'llama3.2' not found" } }, /HTTP 404/],
      [
        { statusCode: 200, body: { done_reason: 'length', message: { content: '{"title":' } } },
        /done_reason "length"/,
      ],
      [
        { statusCode: 200, body: { done_reason: 'stop', message: { content: 'Sure! Here is' } } },
        /invalid JSON/,
      ],
      [
        { statusCode: 200, body: { done_reason: 'stop', message: { content: '{"title":"T"}' } } },
        /lacks tagline, description, bullets/,
      ],
    ];
    for (const [response, message] of cases) {
      const out = runCode(w, 'Parse copy', outputs, [response])[0]?.json;
      expect(out).toMatchObject({ ok: false, status: 502, error: { code: 'backend_error' } });
      expect((out as { error: { message: string } }).error.message).toMatch(message);
    }
  });
});

describe('product-showcase-via-app.json against the studio API', () => {
  const w = load(WORKFLOW_FILES.viaApp);

  it('posts a body the studio accepts to /api/showcases with the Wait resume URL as callback', () => {
    const start = node(w, 'Start showcase in app');
    expect(start.parameters).toMatchObject({
      method: 'POST',
      url: "={{ $('Config').first().json.appUrl }}/api/showcases",
      authentication: 'genericCredentialType',
      genericAuthType: 'httpBearerAuth',
    });
    const config = runCode(w, 'Config', {})[0]?.json as Json;
    const valid = runCode(w, 'Validate product', {
      Webhook: [{ body: { product_info: { name: 'Lantern', price: { amount: 20, currency: 'EUR' } } } }],
    })[0]?.json as Json;
    const resumeUrl = 'http://127.0.0.1:5678/webhook-waiting/42?signature=abc';
    const body = JSON.parse(
      String(
        evaluateExpression(String(start.parameters.jsonBody), {
          $json: { replay: false },
          $execution: { resumeUrl },
          $: (name: string) => ({ first: () => ({ json: name === 'Validate product' ? valid : config }) }),
        }),
      ),
    );
    const parsed = SubmitShowcasesSchema.parse(body);
    expect(parsed.callbackUrl).toBe(resumeUrl);
    expect(parsed.product).toMatchObject({ name: 'Lantern', price: { amount: 20, currency: 'EUR' } });
    expect(parsed.options.variations).toBe(4);
  });

  it('waits for the callback on its resume webhook, then reads the gallery back over the API', () => {
    expect(targets(w, 'App accepted?', 0)).toEqual(['Wait for app callback']);
    expect(node(w, 'Wait for app callback').parameters).toMatchObject({
      resume: 'webhook',
      httpMethod: 'POST',
    });
    const get = node(w, 'Get gallery document');
    expect(get.parameters).toMatchObject({ method: 'GET', genericAuthType: 'httpBearerAuth' });
    expect(String(get.parameters.url)).toMatch(/\/api\/galleries\/\{\{ encodeURIComponent\(/);
    expect(WEBHOOK_PATHS.viaApp).toBe(node(w, 'Webhook').parameters.path);
  });
});
