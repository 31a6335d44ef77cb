// The real-n8n tier: both shipped workflows imported into n8n 2.41.1, published and driven through their
// production webhooks. (a) product-showcase.json against the project's Ollama and ComfyUI simulators;
// (b) product-showcase-via-app.json against `bin/showcase serve --demo`; (c) a payload without a
// product name; (d)–(f) backend and database failures. Run with `npm run test:n8n` (= bash
// scripts/test-n8n.sh, which installs n8n on first use).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CREDENTIAL_NAMES, WEBHOOK_PATHS, WORKFLOW_FILES, WORKFLOW_IDS } from '../../resources/n8n/build.ts';
import { type ConfigValue, configureWorkflow } from '../../resources/n8n/configure.ts';
import { type ComfySim, type OllamaSim, SimGpu, startComfySim, startOllamaSim } from '../../src/sim/index.ts';
import {
  createDatabase,
  createN8n,
  freePort,
  type N8nInstance,
  type N8nWorkflowFile,
  pgQuery,
  productGalleriesSql,
  ROOT,
  type SmtpPeer,
  startSmtp,
  waitFor,
} from './harness.ts';

// The ids the shipped files carry (n8n 2.41.1 cannot import a workflow file without one).
const DIRECT_ID = WORKFLOW_IDS.direct;
const VIA_APP_ID = WORKFLOW_IDS.viaApp;
const MAIL_TO = 'showcase-team@example.test';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SERVE_COMMAND = join(ROOT, 'src', 'main', 'cli', 'commands', 'serve.ts');

interface GalleryImage {
  idx?: number;
  status?: string;
  filename: string;
  subfolder?: string;
  url: string;
  seed: number;
}
interface GalleryResponse {
  galleryId: string;
  status: string;
  product: { id: string; name: string };
  copy: { title: string; tagline: string; bullets: string[]; description: string };
  hero: GalleryImage;
  variations: GalleryImage[];
  email: { status: string; error: string | null };
  replayed: boolean;
  error?: { code: string; message: string };
}
interface GalleryRow {
  id: string;
  product_id: string;
  product_name: string;
  status: string;
  title: string;
  tagline: string;
  copy: { title: string; bullets: string[] };
  hero_url: string;
  variation_urls: string[];
  base_seed: string;
  source: string;
  request_id: string;
  email_status: string;
  email_error: string | null;
}

/** A shipped file with its Config values set by configure.ts — nothing else changed (its id included). */
function loadWorkflow(path: string, id: string, values: Record<string, ConfigValue>): N8nWorkflowFile {
  const workflow = JSON.parse(readFileSync(path, 'utf8')) as N8nWorkflowFile & {
    nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
  };
  assert.equal(workflow.id, id, `${path} ships the workflow id`);
  return configureWorkflow(workflow, values);
}

async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(90_000),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

/** `bin/showcase serve --demo` as a child process with a token of ours (SHOWCASE_API_TOKEN). */
async function startDemoServe(): Promise<{
  url: string;
  token: string;
  child: ChildProcess;
  dir: string;
  output(): string;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'showcase-serve-'));
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  const child = spawn(
    join(ROOT, 'bin', 'showcase'),
    ['serve', '--demo', '--port', String(port), '--db', join(dir, 'studio.db'), '--out', join(dir, 'out')],
    { cwd: dir, stdio: 'pipe', env: { ...process.env, SHOWCASE_API_TOKEN: token, NO_COLOR: '1' } },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'showcase serve --demo to answer /health',
      async () => {
        if (child.exitCode !== null)
          throw new Error(`showcase serve exited with ${child.exitCode}:\n${output}`);
        const healthy = await fetch(`${url}/health`)
          .then((r) => r.ok)
          .catch(() => false);
        return healthy ? true : undefined;
      },
      30_000,
    );
  } catch (err) {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { url, token, child, dir, output: () => output };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

describe(`shipped n8n workflows on a real n8n`, () => {
  let n8n: N8nInstance;
  let comfy: ComfySim;
  let ollama: OllamaSim;
  let dataDb: { name: string; drop(): Promise<void> };
  let smtp: SmtpPeer;
  let serve: Awaited<ReturnType<typeof startDemoServe>> | null = null;
  let serveProblem: string | null = null;

  before(async () => {
    const gpu = new SimGpu({ timeScale: 0.001 });
    [comfy, ollama, dataDb, smtp] = await Promise.all([
      startComfySim({ gpu }),
      startOllamaSim({ gpu }),
      createDatabase('showcase_n8n'),
      startSmtp(),
    ]);
    await pgQuery(dataDb.name, productGalleriesSql());

    if (existsSync(SERVE_COMMAND)) {
      try {
        serve = await startDemoServe();
      } catch (err) {
        serveProblem = `bin/showcase serve --demo did not start: ${(err as Error).message}`;
      }
    } else {
      serveProblem = `bin/showcase serve is not implemented yet (${SERVE_COMMAND} is missing)`;
    }

    n8n = await createN8n();
    await n8n.importCredentials([
      {
        id: 'ShowcasePgCred01',
        name: CREDENTIAL_NAMES.postgres,
        type: 'postgres',
        data: {
          host: '127.0.0.1',
          port: 5432,
          database: dataDb.name,
          user: 'postgres',
          password: '',
          ssl: 'disable',
        },
      },
      {
        id: 'ShowcaseSmtpCr01',
        name: CREDENTIAL_NAMES.smtp,
        type: 'smtp',
        data: {
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          disableStartTls: true,
          user: '',
          password: '',
        },
      },
      {
        id: 'ShowcaseApiTok01',
        name: CREDENTIAL_NAMES.httpBearerAuth,
        type: 'httpBearerAuth',
        data: { token: serve?.token ?? 'no-studio-running' },
      },
    ]);
    const direct = loadWorkflow(WORKFLOW_FILES.direct, DIRECT_ID, {
      ollamaUrl: ollama.url,
      comfyUrl: comfy.url,
      width: 512,
      height: 512,
      steps: 4,
      pollSeconds: 0.2,
      maxPolls: 300,
      mailTo: MAIL_TO,
    });
    const viaApp = loadWorkflow(WORKFLOW_FILES.viaApp, VIA_APP_ID, {
      appUrl: serve?.url ?? 'http://127.0.0.1:9',
      waitMinutes: 2,
      mailTo: MAIL_TO,
    });
    // One file per `n8n import:workflow --input=<file>`, as docs/n8n.md tells a team to do.
    await n8n.importWorkflowFile(direct);
    await n8n.importWorkflowFile(viaApp);
    await n8n.publish(DIRECT_ID);
    await n8n.publish(VIA_APP_ID);
    await n8n.start();
    // /healthz/readiness answers before the published workflows' webhooks are registered; an empty
    // body is rejected by the workflow itself (400) once they are, and by n8n (404) before.
    for (const path of [WEBHOOK_PATHS.direct, WEBHOOK_PATHS.viaApp]) {
      await waitFor(
        `the ${path} webhook`,
        async () => ((await postJson(`${n8n.url}/webhook/${path}`, {})).status === 400 ? true : undefined),
        30_000,
      );
    }
  });

  after(async () => {
    if (serve) await stopChild(serve.child);
    await Promise.allSettled([
      n8n?.dispose(),
      comfy?.close(),
      ollama?.close(),
      smtp?.close(),
      serve ? rm(serve.dir, { recursive: true, force: true }) : Promise.resolve(),
    ]);
    await dataDb?.drop();
  });

  const rows = (id?: string) =>
    id === undefined
      ? pgQuery<GalleryRow>(dataDb.name, 'SELECT * FROM product_galleries')
      : pgQuery<GalleryRow>(dataDb.name, 'SELECT * FROM product_galleries WHERE id = $1', [id]);

  test('(a) product-showcase.json: webhook → Ollama → ComfyUI hero + 4 variations → Postgres → e-mail → gallery', async (t) => {
    const chatsBefore = ollama.stats.chat;
    const promptsBefore = comfy.stats.promptIds.length;
    const mailsBefore = smtp.mails.length;
    const product = {
      name: 'Aurora Trail Mug',
      description: 'Double-walled enamel camping mug, 350 ml, keeps coffee hot for an hour.',
      brand: 'Northwind Outfitters',
      materials: ['enamel', 'stainless steel'],
      colors: ['midnight blue'],
    };
    const res = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.direct}`, {
      product_info: product,
      seed: 4242,
    });
    if (res.status !== 200) t.diagnostic(n8n.log().slice(-4000));
    assert.equal(res.status, 200, res.text);
    const gallery = res.json as GalleryResponse;

    // The response carries the gallery: copy, hero and four variations, and the e-mail's fate.
    assert.equal(gallery.status, 'complete');
    assert.deepEqual(gallery.email, { status: 'sent', error: null });
    assert.equal(gallery.replayed, false);
    assert.equal(gallery.product.name, product.name);
    assert.ok(
      gallery.copy.title.length > 0 && gallery.copy.tagline.length > 0 && gallery.copy.description.length > 0,
    );
    assert.ok(
      gallery.copy.bullets.length >= 3 && gallery.copy.bullets.length <= 5,
      JSON.stringify(gallery.copy),
    );
    const images = [gallery.hero, ...gallery.variations];
    assert.equal(gallery.variations.length, 4);
    assert.deepEqual(
      gallery.variations.map((v) => [v.idx, v.status]),
      [1, 2, 3, 4].map((i) => [i, 'done']),
    );
    assert.equal(gallery.hero.seed, 4242);
    for (const image of images) {
      assert.match(image.filename, /\.png$/);
      assert.ok(image.url.startsWith(`${comfy.url}/view?filename=`), image.url);
      const file = readFileSync(join(comfy.dirs.output, image.subfolder ?? '', image.filename));
      assert.deepEqual(file.subarray(0, 8), PNG_SIGNATURE);
      const served = await fetch(image.url);
      assert.equal(served.status, 200);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), file);
    }
    assert.equal(new Set(images.map((i) => i.filename)).size, 5, 'every image is its own file');

    // The simulators saw exactly one chat, one hero graph and four img2img variations of the hero.
    assert.equal(ollama.stats.chat - chatsBefore, 1);
    const chat = ollama.stats.requests.filter((r) => r.path === '/api/chat').at(-1);
    const chatBody = chat?.body as { stream: boolean; format: { required: string[] }; keep_alive: number };
    assert.equal(chatBody.stream, false);
    assert.deepEqual(chatBody.format.required, [
      'title',
      'tagline',
      'bullets',
      'description',
      'hero_prompt',
      'variation_prompts',
    ]);
    const promptIds = comfy.stats.promptIds.slice(promptsBefore);
    assert.equal(promptIds.length, 5, `ComfyUI accepted ${promptIds.length} prompts`);
    const graphs = await Promise.all(
      promptIds.map(async (id) => {
        const history = (await (await fetch(`${comfy.url}/history/${id}`)).json()) as Record<
          string,
          {
            prompt: [number, string, Record<string, { class_type: string; inputs: Record<string, unknown> }>];
          }
        >;
        return Object.values(history[id]?.prompt[2] ?? {});
      }),
    );
    const heroGraphs = graphs.filter((g) => g.some((n) => n.class_type === 'EmptySD3LatentImage'));
    const variationGraphs = graphs.filter((g) => g.some((n) => n.class_type === 'LoadImage'));
    assert.equal(heroGraphs.length, 1);
    assert.equal(variationGraphs.length, 4);
    for (const graph of variationGraphs) {
      const load = graph.find((n) => n.class_type === 'LoadImage');
      assert.equal(load?.inputs.image, `${gallery.hero.subfolder}/${gallery.hero.filename} [output]`);
    }

    // One row in product_galleries with the same values.
    const [row, ...more] = await rows(gallery.galleryId);
    assert.equal(more.length, 0);
    assert.ok(row, `no product_galleries row for ${gallery.galleryId}`);
    assert.equal(row.product_name, product.name);
    assert.equal(row.product_id, gallery.product.id);
    assert.equal(row.status, 'complete');
    assert.equal(row.title, gallery.copy.title);
    assert.equal(row.tagline, gallery.copy.tagline);
    assert.deepEqual(row.copy.bullets, gallery.copy.bullets);
    assert.equal(row.hero_url, gallery.hero.url);
    assert.deepEqual(
      row.variation_urls,
      gallery.variations.map((v) => v.url),
    );
    assert.equal(Number(row.base_seed), 4242);
    assert.equal(row.source, 'n8n');
    // No request_id given: the run's own gallery id stands in (every call is a new run).
    assert.equal(row.request_id, gallery.galleryId);
    assert.equal(row.email_status, 'sent');

    // The e-mail pack: title, links to every image, the hero attached inline.
    const { mail, envelopeTo } = await waitFor('the gallery e-mail', () => smtp.mails[mailsBefore], 10_000);
    assert.equal(smtp.mails.length, mailsBefore + 1);
    assert.deepEqual(envelopeTo, [MAIL_TO]);
    assert.equal(mail.subject, `Product showcase: ${gallery.copy.title}`);
    for (const image of images) {
      assert.ok(mail.text?.includes(image.url), `text part lacks ${image.url}`);
      assert.ok(
        typeof mail.html === 'string' && mail.html.includes(image.url.replace(/&/g, '&amp;')),
        `html part lacks ${image.url}`,
      );
    }
    const hero = mail.attachments.find((a) => a.cid === 'hero');
    assert.ok(hero, 'the hero is attached inline (cid:hero)');
    assert.deepEqual(
      hero.content,
      readFileSync(join(comfy.dirs.output, gallery.hero.subfolder ?? '', gallery.hero.filename)),
    );
  });

  test('(c) a payload without a product name: clear 400, no row, no e-mail, no backend call', async () => {
    const rowsBefore = (await rows()).length;
    const mailsBefore = smtp.mails.length;
    const chatsBefore = ollama.stats.chat;
    const promptsBefore = comfy.stats.promptIds.length;
    for (const path of [WEBHOOK_PATHS.direct, WEBHOOK_PATHS.viaApp]) {
      for (const body of [
        { product_info: { description: 'no name' } },
        { product_info: { name: '   ' } },
        {},
      ]) {
        const res = await postJson(`${n8n.url}/webhook/${path}`, body);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
        const error = (res.json as { error: { code: string; field: string; message: string } }).error;
        assert.equal(error.code, 'invalid_input');
        assert.match(error.field, /^product_info/);
        assert.match(error.message, /product_info/);
      }
    }
    // Give a wrongly continuing execution the time to reach Postgres or SMTP before looking.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await rows()).length, rowsBefore);
    assert.equal(smtp.mails.length, mailsBefore);
    assert.equal(ollama.stats.chat, chatsBefore);
    assert.equal(comfy.stats.promptIds.length, promptsBefore);
  });

  test('(d) the model answers prose instead of JSON: 502 naming the cause, no image, no row, no e-mail', async () => {
    const rowsBefore = (await rows()).length;
    const mailsBefore = smtp.mails.length;
    const promptsBefore = comfy.stats.promptIds.length;
    ollama.faults.invalidJsonNext(1);
    const res = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.direct}`, {
      product_info: { name: 'Kettle' },
    });
    assert.equal(res.status, 502, res.text);
    const error = (res.json as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'backend_error');
    assert.match(error.message, /Ollama returned invalid JSON/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(comfy.stats.promptIds.length, promptsBefore);
    assert.equal((await rows()).length, rowsBefore);
    assert.equal(smtp.mails.length, mailsBefore);
  });

  test('(e) Ollama drops the connection: 502 "unreachable", nothing rendered or stored', async () => {
    const promptsBefore = comfy.stats.promptIds.length;
    const rowsBefore = (await rows()).length;
    ollama.faults.resetConnectionNext(1, 'before-headers');
    const res = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.direct}`, {
      product_info: { name: 'Kettle' },
    });
    assert.equal(res.status, 502, res.text);
    assert.match((res.json as { error: { message: string } }).error.message, /^Ollama is unreachable: /);
    assert.equal(comfy.stats.promptIds.length, promptsBefore);
    assert.equal((await rows()).length, rowsBefore);
  });

  test('(f) the gallery row cannot be written: n8n answers 500 and no e-mail goes out', async () => {
    const mailsBefore = smtp.mails.length;
    await pgQuery(dataDb.name, 'ALTER TABLE product_galleries RENAME TO product_galleries_away');
    try {
      const res = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.direct}`, {
        product_info: { name: 'Kettle' },
      });
      assert.equal(res.status, 500, res.text);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(smtp.mails.length, mailsBefore);
    } finally {
      await pgQuery(dataDb.name, 'ALTER TABLE product_galleries_away RENAME TO product_galleries');
    }
  });

  test('(g) the mail server refuses: the gallery id and the e-mail status come back; a retry with the same request_id sends only the e-mail', async (t) => {
    const requestId = `order-${randomBytes(4).toString('hex')}`;
    const payload = { product_info: { name: 'Ridge Enamel Plate' }, seed: 9001, request_id: requestId };
    const chatsBefore = ollama.stats.chat;
    const promptsBefore = comfy.stats.promptIds.length;
    const mailsBefore = smtp.mails.length;
    smtp.refuse = true;
    let first: Awaited<ReturnType<typeof postJson>>;
    try {
      first = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.direct}`, payload);
    } finally {
      smtp.refuse = false;
    }
    if (first.status !== 502) t.diagnostic(n8n.log().slice(-4000));
    assert.equal(first.status, 502, first.text);
    const failed = first.json as GalleryResponse;
    assert.match(failed.galleryId, /^[0-9a-f-]{36}$/);
    assert.equal(failed.email.status, 'failed');
    assert.match(failed.email.error ?? '', /550|unavailable/);
    assert.equal(failed.error?.code, 'email_failed');
    assert.equal(failed.replayed, false);
    assert.equal(smtp.mails.length, mailsBefore);
    const rendered = comfy.stats.promptIds.length - promptsBefore;
    assert.equal(rendered, 5);
    let stored = await pgQuery<GalleryRow>(
      dataDb.name,
      'SELECT * FROM product_galleries WHERE request_id = $1',
      [requestId],
    );
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.id, failed.galleryId);
    assert.equal(stored[0]?.email_status, 'failed');

    // The retry: same gallery, nothing rendered or inserted again, the e-mail goes out now.
    const retry = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.direct}`, payload);
    if (retry.status !== 200) t.diagnostic(n8n.log().slice(-4000));
    assert.equal(retry.status, 200, retry.text);
    const replayed = retry.json as GalleryResponse;
    assert.equal(replayed.galleryId, failed.galleryId);
    assert.equal(replayed.replayed, true);
    assert.deepEqual(replayed.email, { status: 'sent', error: null });
    assert.equal(replayed.hero.seed, 9001);
    assert.equal(comfy.stats.promptIds.length - promptsBefore, rendered);
    assert.equal(ollama.stats.chat - chatsBefore, 1);
    const { mail } = await waitFor('the retried e-mail', () => smtp.mails[mailsBefore], 10_000);
    assert.ok(mail.text?.includes(replayed.hero.url));
    assert.ok(
      mail.attachments.some((a) => a.cid === 'hero'),
      'the hero is attached on the retry too',
    );
    stored = await pgQuery<GalleryRow>(dataDb.name, 'SELECT * FROM product_galleries WHERE request_id = $1', [
      requestId,
    ]);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.email_status, 'sent');

    // A third call answers from the row: no render, no insert, no second e-mail.
    const again = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.direct}`, payload);
    assert.equal(again.status, 200, again.text);
    assert.equal((again.json as GalleryResponse).galleryId, failed.galleryId);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(smtp.mails.length, mailsBefore + 1);
    assert.equal(comfy.stats.promptIds.length - promptsBefore, rendered);
    assert.equal(
      (await pgQuery(dataDb.name, 'SELECT 1 FROM product_galleries WHERE request_id = $1', [requestId]))
        .length,
      1,
    );
  });

  test('(h) wrongly typed fields: 400 naming the field on both webhooks, nothing called, stored or sent', async () => {
    const rowsBefore = (await rows()).length;
    const mailsBefore = smtp.mails.length;
    const chatsBefore = ollama.stats.chat;
    const promptsBefore = comfy.stats.promptIds.length;
    for (const path of [WEBHOOK_PATHS.direct, WEBHOOK_PATHS.viaApp]) {
      for (const [body, field] of [
        [{ product_info: { name: 'Mug', price: '12.50' } }, 'product_info.price'],
        [{ product_info: { name: 'Mug' }, seed: -5 }, 'seed'],
        [{ product_info: { name: 'Mug' }, seed: 'abc' }, 'seed'],
        [{ product_info: { name: 'Mug', materials: 'enamel' } }, 'product_info.materials'],
      ] as const) {
        const res = await postJson(`${n8n.url}/webhook/${path}`, body);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
        const error = (res.json as { error: { code: string; field: string; message: string } }).error;
        assert.equal(error.code, 'invalid_input');
        assert.equal(error.field, field);
        assert.match(error.message, new RegExp(field.split('.').at(-1) ?? field));
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await rows()).length, rowsBefore);
    assert.equal(smtp.mails.length, mailsBefore);
    assert.equal(ollama.stats.chat, chatsBefore);
    assert.equal(comfy.stats.promptIds.length, promptsBefore);
  });

  test('(b) product-showcase-via-app.json: webhook → studio API with callback → Wait resumes → Postgres → e-mail', async (t) => {
    if (serve === null) {
      t.skip(serveProblem ?? 'showcase serve --demo is not available');
      return;
    }
    const mailsBefore = smtp.mails.length;
    const product = {
      name: 'Cinder Field Lantern',
      description: 'Rechargeable LED lantern with a warm glow.',
    };
    const res = await postJson(`${n8n.url}/webhook/${WEBHOOK_PATHS.viaApp}`, {
      product_info: product,
      seed: 77,
    });
    if (res.status !== 200)
      t.diagnostic(`${n8n.log().slice(-3000)}\n--- serve ---\n${serve.output().slice(-2000)}`);
    assert.equal(res.status, 200, res.text);
    const gallery = res.json as GalleryResponse;
    assert.equal(gallery.product.name, product.name);
    assert.equal(gallery.status, 'complete');
    assert.ok(gallery.copy.title.length > 0);
    assert.ok(gallery.hero?.filename.endsWith('.png'));
    assert.equal(gallery.variations.length, 4);

    // The studio knows the same gallery.
    const doc = (await (
      await fetch(`${serve.url}/api/galleries/${encodeURIComponent(gallery.galleryId)}`, {
        headers: { authorization: `Bearer ${serve.token}` },
      })
    ).json()) as { galleryId: string; copy: { title: string } };
    assert.equal(doc.galleryId, gallery.galleryId);
    assert.equal(doc.copy.title, gallery.copy.title);

    const [row] = await rows(gallery.galleryId);
    assert.ok(row, `no product_galleries row for ${gallery.galleryId}`);
    assert.equal(row.product_name, product.name);
    assert.equal(row.title, gallery.copy.title);
    assert.equal(row.source, 'app');
    assert.equal(row.variation_urls.length, 4);

    const { mail } = await waitFor('the via-app e-mail', () => smtp.mails[mailsBefore], 10_000);
    assert.equal(mail.subject, `Product showcase: ${gallery.copy.title}`);
    assert.ok(mail.text?.includes(gallery.hero.url));
  });
});
