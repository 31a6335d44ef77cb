// `showcase serve`: the engine behind the local HTTP/WS API (and, with --ui, the studio UI).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type SettingsPatch, ShowcaseError } from '../../../shared/index.ts';
import { SimGpu } from '../../../sim/gpu.ts';
import { startComfySim, startOllamaSim } from '../../../sim/index.ts';
import { Engine } from '../../engine/engine.ts';
import { type ApiEngine, startApiServer } from '../../server/index.ts';
import { loadOrCreateSecrets } from '../api-secrets.ts';
import { backendOverrides } from '../overrides.ts';

export { loadOrCreateSecrets };

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

export function engineApi(engine: Engine): ApiEngine {
  return {
    handlers: engine.handlers,
    subscribe: (listener) => engine.subscribe(listener),
    outputRoot: () => engine.outputRoot,
    galleryDocument: (id) => engine.galleryDocument(id),
    // The contract's `showcase.submit`; the webhook stays with the HTTP server.
    submitShowcases: ({ callbackUrl: _callback, ...request }) => engine.handlers['showcase.submit'](request),
  };
}

export async function serveCommand(opts: ServeOptions): Promise<void> {
  // A bad SHOWCASE_API_TOKEN (or a damaged secrets file) is refused before anything is started.
  const { secrets, created, path, fromEnvironment } = await loadOrCreateSecrets(
    opts.db ?? join(opts.out, 'studio.db'),
  );
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
  Object.assign(overrides, backendOverrides(opts));

  const engine = await Engine.open({
    dbPath: opts.db ?? join(opts.out, 'studio.db'),
    outputRoot: opts.out,
    overrides,
    ...(opts.demo
      ? {
          overrideReason:
            'This studio was started with --demo: it renders on the built-in ComfyUI and Ollama simulators for this session. URLs saved here are kept and used when it starts without --demo.',
        }
      : opts.comfy?.length || opts.ollama
        ? {
            overrideReason:
              'Set by the --comfy / --ollama flags this studio was started with; saved URLs apply without them.',
          }
        : {}),
    log: (line) => console.log(`· ${line}`),
  });
  closers.unshift(() => engine.close());
  const resumed = await engine.resume().catch((err: unknown) => {
    console.error(`resume skipped: ${(err as Error).message}`);
    return 0;
  });
  if (resumed > 0) console.log(`resumed ${resumed} unfinished job(s) from the journal`);

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
  if (fromEnvironment) console.log('API token: from SHOWCASE_API_TOKEN');
  else if (created) console.log(`API token (shown once, stored in ${path}): ${secrets.token}`);
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
