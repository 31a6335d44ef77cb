// Fixtures for the UI suite: one real `showcase serve --ui --demo` per worker (temp output folder and
// database, a known token, a free port), a page that opens the studio with that token, and a guard
// that fails the test on any console error or warning, uncaught page error or CSP violation.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { MethodInput, MethodName, MethodOutput } from '../../src/shared/index.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SAMPLES = join(ROOT, 'resources/samples');
export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

/**
 * Simulator time scale. Slow enough that a render spans many animation frames (so the progress bar
 * and step counter are really drawn), fast enough that a showcase finishes in a few seconds.
 */
const TIME_SCALE = '0.004';

export interface Studio {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  outDir: string;
  /** A contract method through the real HTTP API, as n8n or a script would call it. */
  api<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** The server's output so far (for failure messages). */
  log(): string;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when it is missing or older than its sources (the server serves out/renderer). */
function ensureUiBuilt(): void {
  const index = join(ROOT, 'out/renderer/index.html');
  const stale =
    !existsSync(index) ||
    statSync(index).mtimeMs <
      Math.max(newestMtime(join(ROOT, 'src/renderer')), newestMtime(join(ROOT, 'src/shared')));
  if (!stale) return;
  execFileSync('npx', ['electron-vite', 'build'], {
    cwd: ROOT,
    stdio: 'pipe',
    timeout: 120_000,
    // The pinned Node (the one running this suite) first, as scripts/env.sh does.
    env: {
      ...process.env,
      PATH: `${dirname(process.execPath)}:${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
    },
  });
}

/** `showcase sim <kind> …` on a free port (for a studio on other backends than the demo's). */
async function startSim(
  kind: 'comfyui' | 'ollama',
  args: string[],
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    join(ROOT, 'bin/showcase'),
    ['sim', kind, '--port', '0', '--time-scale', TIME_SCALE, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`showcase sim ${kind} exited with ${code}:\n${output}`)));
  });
  return { url, child };
}

async function startStudio(
  name: string,
  comfyVersion: '2026' | '0.3.64',
  comfyFaults: readonly string[] = [],
): Promise<{ studio: Studio; stop(): Promise<void> }> {
  ensureUiBuilt();
  // The demo's own simulators are 2026 ComfyUI servers; another flavour runs as separate simulators,
  // and so does a ComfyUI with faults armed (`sim comfyui --fault …`, as an operator reproduces one).
  const faultArgs = comfyFaults.flatMap((f) => ['--fault', f]);
  const sims =
    comfyVersion === '2026' && comfyFaults.length === 0
      ? []
      : [await startSim('comfyui', ['--version', comfyVersion, ...faultArgs]), await startSim('ollama', [])];
  const backends =
    sims.length === 0 ? ['--demo'] : ['--comfy', sims[0]?.url ?? '', '--ollama', sims[1]?.url ?? ''];
  const dir = await mkdtemp(join(tmpdir(), `showcase-e2e-${name}-`));
  const outDir = join(dir, 'out');
  await mkdir(join(dir, 'db'), { recursive: true });
  const token = `e2e-${Date.now().toString(36)}-0123456789abcdefghijklmnopqrstuvwxyz`;
  const child: ChildProcess = spawn(
    join(ROOT, 'bin/showcase'),
    [
      'serve',
      '--ui',
      ...backends,
      '--port',
      '0',
      '--out',
      outDir,
      '--db',
      join(dir, 'db/studio.db'),
      '--time-scale',
      TIME_SCALE,
    ],
    { cwd: dir, env: { ...process.env, SHOWCASE_API_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  // A runner that stops without tearing down (Ctrl-C, a crash) must not leave the server behind.
  const killOnExit = () => {
    child.kill('SIGKILL');
    for (const sim of sims) sim.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`showcase serve did not start in 30 s:\n${output}`)),
      30_000,
    );
    const onData = () => {
      const match = /Studio UI: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      if (match[2] !== token) reject(new Error(`the server ignored SHOWCASE_API_TOKEN:\n${output}`));
      else resolveUrl(match[1]);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`showcase serve exited with ${code}:\n${output}`));
    });
  }).catch((err: unknown) => {
    killOnExit();
    throw err;
  });

  const studio: Studio = {
    url,
    token,
    outDir,
    async api(method, input) {
      const res = await fetch(`${url}/api/rpc/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const reply = (await res.json()) as { result?: unknown; error?: { message: string } };
      if (!res.ok || reply.error) throw new Error(`${method} → HTTP ${res.status}: ${JSON.stringify(reply)}`);
      return reply.result as MethodOutput<typeof method>;
    },
    log: () => output,
  };

  return {
    studio,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      for (const sim of sims) if (sim.child.exitCode === null) sim.child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the studio at a route (`/queue`, `/showcase/<id>` …) with the token in the fragment. */
export async function openStudio(page: Page, studio: Studio, route = ''): Promise<void> {
  const fragment = route ? `${route}&token=${encodeURIComponent(studio.token)}` : `token=${studio.token}`;
  await page.goto(`${studio.url}/#${fragment}`);
  // The token leaves the address bar, and the live event stream is open before the test acts.
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
  expect(page.url()).not.toContain('token=');
}

interface Problems {
  console: string[];
  pageErrors: string[];
  csp: string[];
}

export const test = base.extend<
  { problems: Problems },
  { studio: Studio; studioName: string; comfyVersion: '2026' | '0.3.64'; comfyFaults: string[] }
>({
  /**
   * Specs that change studio-wide state (S3 settings, published galleries) set their own name with
   * `test.use({ studioName })`: a different worker option means a separate worker, hence their own server.
   */
  studioName: ['shared', { scope: 'worker', option: true }],
  /** The ComfyUI the studio renders on: the demo's (2026) or a 0.3.64 simulator (with its own worker). */
  comfyVersion: ['2026', { scope: 'worker', option: true }],
  /** `sim comfyui --fault` specs for the studio's ComfyUI (a worker of its own, like comfyVersion). */
  comfyFaults: [[], { scope: 'worker', option: true }],

  studio: [
    async ({ studioName, comfyVersion, comfyFaults }, use) => {
      const { studio, stop } = await startStudio(studioName, comfyVersion, comfyFaults);
      try {
        await use(studio);
      } finally {
        await stop();
      }
    },
    { scope: 'worker', timeout: 150_000 },
  ],

  // Every test: no console errors or warnings (the bridge warns about events that break the contract), no
  // uncaught errors, no CSP violations, no error toast left showing.
  problems: [
    async ({ page, context, studio }, use, testInfo) => {
      const problems: Problems = { console: [], pageErrors: [], csp: [] };
      await context.exposeBinding('__reportCspViolation', (_source, text: string) => {
        problems.csp.push(text);
      });
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const report = (window as unknown as { __reportCspViolation(t: string): void })
            .__reportCspViolation;
          report(
            `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`,
          );
        });
      });
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.console.push(`${message.type()}: ${message.text()} @ ${message.location().url}`);
      });
      page.on('pageerror', (error) => problems.pageErrors.push(`${error.name}: ${error.message}`));
      const logFrom = studio.log().length;
      await use(problems);
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('server.log', { body: studio.log().slice(logFrom), contentType: 'text/plain' });
      }
      if (testInfo.status === testInfo.expectedStatus && !page.isClosed()) {
        await expect(page.getByTestId('toast-error'), 'no error toast is left showing').toHaveCount(0);
      }
      expect(problems, 'console errors, page errors and CSP violations').toEqual({
        console: [],
        pageErrors: [],
        csp: [],
      });
    },
    { auto: true },
  ],
});

export { expect };
