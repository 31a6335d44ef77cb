// `showcase serve`: the engine behind the local HTTP/WS API (and, with --ui, the studio UI).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { type SettingsPatch, ShowcaseError } from '../../../shared/index.ts';
import { SimGpu } from '../../../sim/gpu.ts';
import { startComfySim, startOllamaSim } from '../../../sim/index.ts';
import { Engine } from '../../engine/engine.ts';
import { type ApiEngine, startApiServer } from '../../http/index.ts';

export interface ServeOptions {
  port: number;
  db?: string;
  out: string;
  ui?: boolean;
  demo?: boolean;
  comfy?: string[];
  ollama?: string;
  timeScale?: number;
}

const SecretsSchema = z.object({ token: z.string().min(32), webhookSecret: z.string().min(32) });
type Secrets = z.infer<typeof SecretsSchema>;

/**
 * The API token and the callback signing secret live next to the database (mode 0600). They are
 * generated on first run and printed once; SHOWCASE_API_TOKEN overrides the token for automation.
 */
export async function loadOrCreateSecrets(
  dbPath: string,
): Promise<{ secrets: Secrets; created: boolean; path: string }> {
  const path = join(dirname(resolve(dbPath)), 'api-secrets.json');
  if (existsSync(path)) {
    const parsed = SecretsSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success)
      throw new ShowcaseError('invalid_input', `${path} is damaged; delete it to generate a new token`);
    const token = process.env.SHOWCASE_API_TOKEN || parsed.data.token;
    return { secrets: { ...parsed.data, token }, created: false, path };
  }
  const secrets = {
    token: process.env.SHOWCASE_API_TOKEN || randomBytes(24).toString('base64url'),
    webhookSecret: randomBytes(32).toString('base64url'),
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return { secrets, created: true, path };
}

export function engineApi(engine: Engine): ApiEngine {
  return {
    handlers: engine.handlers,
    subscribe: (listener) => engine.subscribe(listener),
    outputRoot: () => engine.outputRoot,
    galleryDocument: (id) => engine.galleryDocument(id),
    submitShowcases: async (request) => {
      const imported = [];
      const errors: unknown[] = [];
      if (request.sheet) {
        const r = engine.importSheet(request.sheet.content, request.sheet.filename, request.sheet.format);
        imported.push(...r.imported);
        errors.push(...r.errors);
      }
      const inputs = [...(request.product ? [request.product] : []), ...(request.products ?? [])];
      if (inputs.length > 0) {
        const r = engine.addProducts(inputs);
        imported.push(...r.imported);
        errors.push(...r.errors);
      }
      if (imported.length === 0) {
        throw new ShowcaseError('invalid_input', 'No valid product in the request', { details: { errors } });
      }
      const galleryIds = await engine.start(
        imported.map((p) => p.id),
        Object.fromEntries(Object.entries(request.options).filter(([, v]) => v !== undefined)),
      );
      return { galleryIds, errors };
    },
  };
}

export async function serveCommand(opts: ServeOptions): Promise<void> {
  const closers: Array<() => Promise<void>> = [];
  const overrides: SettingsPatch = {};
  if (opts.demo) {
    const gpu = new SimGpu({ timeScale: opts.timeScale ?? 0.002 });
    const comfy = await startComfySim({ gpu });
    const ollama = await startOllamaSim({ gpu });
    closers.push(
      () => comfy.close(),
      () => ollama.close(),
    );
    overrides.comfyUrls = [comfy.url];
    overrides.ollamaUrl = ollama.url;
    console.log(`demo backends: ComfyUI simulator ${comfy.url}, Ollama simulator ${ollama.url}`);
  }
  if (opts.comfy?.length) overrides.comfyUrls = opts.comfy;
  if (opts.ollama) overrides.ollamaUrl = opts.ollama;

  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides,
    log: (line) => console.log(`· ${line}`),
  });
  closers.unshift(() => engine.close());
  const resumed = await engine.resume().catch((err: unknown) => {
    console.error(`resume skipped: ${(err as Error).message}`);
    return 0;
  });
  if (resumed > 0) console.log(`resumed ${resumed} unfinished job(s) from the journal`);

  const { secrets, created, path } = await loadOrCreateSecrets(opts.db ?? join(opts.out, 'studio.db'));
  let uiDir: string | undefined;
  if (opts.ui) {
    uiDir = resolve(import.meta.dirname, '../../../../out/renderer');
    if (!existsSync(join(uiDir, 'index.html'))) {
      throw new ShowcaseError('invalid_input', 'The studio UI is not built', { hint: 'Run: npm run build' });
    }
  }
  const server = await startApiServer({
    engine: engineApi(engine),
    token: secrets.token,
    webhookSecret: secrets.webhookSecret,
    port: opts.port,
    ...(uiDir ? { uiDir } : {}),
    log: (line) => console.log(`· ${line}`),
  });
  closers.unshift(() => server.close());
  console.log(`Product Showcase Studio API on ${server.url} (127.0.0.1 only)`);
  if (created) console.log(`API token (shown once, stored in ${path}): ${secrets.token}`);
  else console.log(`API token: stored in ${path}`);
  if (uiDir) console.log(`Studio UI: ${server.url}/#token=${secrets.token}`);
  console.log('Ctrl-C stops the server.');

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  for (const close of closers) await close().catch(() => undefined);
}
