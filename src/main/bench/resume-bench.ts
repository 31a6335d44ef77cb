// `resume:` — seconds from the start of a fresh `showcase generate --resume` process to the first
// prompt a ComfyUI simulator receives, with a journal of 10,000 jobs left by a killed session.
// The journal is planned by the real planner through the engine (scheduler paused), most copies are
// then journalled done and a few images left `running` with a prompt id, as a kill -9 leaves them.
// The clock starts before the child is spawned (Node's own start-up and module loading count, as
// they do for the operator) and stops at the simulator's transcript entry of the first POST /prompt.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimGpu } from '../../sim/gpu.ts';
import { type ComfySim, startComfySim, startOllamaSim } from '../../sim/index.ts';
import { Engine } from '../engine/engine.ts';
import type { QueuedJob } from '../engine/jobs/index.ts';
import { ENGINE_NODE_FLAGS } from '../engine/node-flags.ts';
import { schedulable } from '../engine/pipeline/lanes.ts';
import { fallbackCopy, JobPayloadSchema } from '../engine/showcase/index.ts';
import { ratioLine } from './lines.ts';
import { LLM_MODEL, products } from './makespan.ts';

export const RESUME_LINE = 'resume: seconds from start to first prompt with 10,000 journaled jobs';

export interface ResumeMeasure {
  /** Spawn of the fresh process → the simulator receiving the first POST /prompt (median of the runs). */
  seconds: number;
  /** Each run's seconds, in run order. */
  runs: number[];
  /**
   * CPU seconds the process had used by then (median; read from /proc, null where there is none,
   * and a little after the prompt, so a slight overestimate).
   */
  cpuSeconds: number | null;
  /** Jobs in the journal, and how many of them the resumed session had to take up. */
  jobs: number;
  open: number;
  /** Image jobs left `running` with a prompt id (adopted on resume). */
  running: number;
}

interface JournalShape {
  jobs: number;
  open: number;
  running: number;
}

/**
 * Plans `jobs` jobs (8 per product) through the engine with its scheduler paused, then journals
 * what a session killed early into a long run leaves: every copy but the last 2 % done, the first
 * few heroes submitted (`running` with a prompt id), everything else queued.
 */
async function buildJournal(
  dir: string,
  urls: { comfy: string; ollama: string },
  jobs: number,
): Promise<JournalShape> {
  const engine = await Engine.open({
    dbPath: join(dir, 'studio.db'),
    outputRoot: join(dir, 'out'),
    overrides: { comfyUrls: [urls.comfy], ollamaUrl: urls.ollama },
  });
  try {
    engine.scheduler.pause();
    const { imported } = engine.addProducts(products(Math.ceil(jobs / 8), 'resume'));
    const galleryIds = await engine.start(imported.map((p) => p.id));
    const { store, lifecycle, templates } = engine;
    const family = engine.settings().family;
    const queued = (galleryId: string, kind: string): QueuedJob | null => {
      const job = store.jobs.listByGallery(galleryId).find((j) => j.kind === kind);
      const payload = job ? store.jobs.getEntry(job.id)?.payload : undefined;
      if (!job || !payload) return null;
      const planned = { ...job, payload: JobPayloadSchema.parse(payload) };
      return {
        ...schedulable(templates, planned, family),
        seq: 0,
        remainingDeps: 0,
        dependents: [],
        notBefore: 0,
      };
    };
    const copied = Math.floor(galleryIds.length * 0.98);
    const variations = engine.settings().variations;
    let running = 0;
    store.transaction(() => {
      galleryIds.slice(0, copied).forEach((galleryId, i) => {
        const copyJob = queued(galleryId, 'copy');
        const product = store.products.get(store.galleries.get(galleryId)?.productId ?? '');
        if (!copyJob || !product) return;
        lifecycle.started(copyJob, 'ollama');
        const draft = fallbackCopy(product, variations, 'en');
        const copy = { ...draft, language: 'en', source: 'llm' as const, model: LLM_MODEL };
        lifecycle.succeeded(copyJob, { type: 'copy', copy, usage: [] });
        if (i >= 4) return;
        // The prompts in flight when the session was killed: journalled before their POST.
        const hero = queued(galleryId, 'hero');
        if (!hero) return;
        lifecycle.started(hero, 'comfy');
        lifecycle.submitting(hero, { promptId: randomUUID(), backend: 'comfy', render: null });
        running += 1;
      });
    });
    const open = store.jobs.listByStatus(['queued', 'running'], { limit: 1_000_000 }).length;
    const all = galleryIds.reduce((n, id) => n + store.jobs.listByGallery(id).length, 0);
    return { jobs: all, open, running };
  } finally {
    await engine.close();
  }
}

/** The transcript's time of the first POST /prompt, once the simulator has received one. */
function firstPromptAt(comfy: ComfySim): number | null {
  const entry = comfy.transcript.find(
    (e) => e.kind === 'request' && e.method === 'POST' && /^\/(api\/)?prompt(\?|$)/.test(e.path ?? ''),
  );
  return entry ? entry.at : null;
}

/** Resolves with the first prompt's time; rejects when the child exits first (with its stderr). */
async function waitForFirstPrompt(
  comfy: ComfySim,
  child: ChildProcess,
  stderr: () => string,
): Promise<number> {
  for (;;) {
    const at = firstPromptAt(comfy);
    if (at !== null) return at;
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.exitCode ?? child.signalCode;
      throw new Error(`generate --resume ended (${how}) before its first prompt: ${stderr().slice(-2000)}`);
    }
    // The simulator stamps the request when it arrives; polling only decides when we read the stamp.
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Spawns `showcase generate --resume` on the journal in `dir`; seconds from spawn to the first prompt. */
/**
 * CPU seconds (user + system) a running child has used so far, from /proc (Linux); null elsewhere.
 * On a loaded machine wall-clock time stretches with the other work; CPU time much less.
 */
async function cpuSecondsOf(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence from the last ')'): utime, stime
    // are the 12th and 13th, in clock ticks of 1/100 s on Linux.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function timeResume(
  dir: string,
  urls: { comfy: ComfySim; ollama: string },
): Promise<{ seconds: number; cpuSeconds: number | null }> {
  const cli = new URL('../cli/index.ts', import.meta.url).pathname;
  const args = [
    ...ENGINE_NODE_FLAGS,
    '--disable-warning=ExperimentalWarning',
    cli,
    'generate',
    '(resume)',
    '--resume',
    '--db',
    join(dir, 'studio.db'),
    '--out',
    join(dir, 'out'),
    '--comfy',
    urls.comfy.url,
    '--ollama',
    urls.ollama,
    '--json',
  ];
  let stderr = '';
  const startedAt = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    const at = await waitForFirstPrompt(urls.comfy, child, () => stderr);
    return { seconds: (at - startedAt) / 1000, cpuSeconds: await cpuSecondsOf(child.pid) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exit = once(child, 'exit');
      child.kill('SIGKILL');
      await exit;
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Builds the journal once, then times `runs` fresh `showcase generate --resume` processes, each on
 * its own copy of that journal against fresh zero-latency simulators (so the time is the engine's
 * own, not the simulated GPU's); the median is the line's figure.
 */
export async function measureResume(jobs = 10_000, runs = 3): Promise<ResumeMeasure> {
  const root = await mkdtemp(join(tmpdir(), 'showcase-resume-'));
  const sims = async () => {
    const gpu = new SimGpu({ timeScale: 0 });
    return { comfy: await startComfySim({ gpu }), ollama: await startOllamaSim({ gpu }) };
  };
  try {
    const built = await sims();
    const journal = join(root, 'journal');
    const shape = await buildJournal(
      journal,
      { comfy: built.comfy.url, ollama: built.ollama.url },
      jobs,
    ).finally(() => Promise.allSettled([built.comfy.close(), built.ollama.close()]));
    const seconds: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const dir = join(root, `run-${i}`);
      await cp(journal, dir, { recursive: true });
      const { comfy, ollama } = await sims();
      try {
        const run = await timeResume(dir, { comfy, ollama: ollama.url });
        seconds.push(run.seconds);
        if (run.cpuSeconds !== null) cpu.push(run.cpuSeconds);
      } finally {
        await Promise.allSettled([comfy.close(), ollama.close()]);
      }
    }
    return {
      seconds: median(seconds),
      runs: seconds,
      cpuSeconds: cpu.length === seconds.length ? median(cpu) : null,
      ...shape,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** (g) Resume after a kill -9: the time from a fresh `generate --resume` to its first prompt. */
export async function resumeSection(options: { runs: number; jobs?: number }): Promise<void> {
  console.log(
    '(g) resume: a killed run of 10,000 journalled jobs taken up by a fresh `showcase generate --resume`',
  );
  const m = await measureResume(options.jobs ?? 10_000, options.runs);
  ratioLine(RESUME_LINE, m.seconds, '≤ 2');
  console.log(
    `  from the spawn of the process to the simulator receiving POST /prompt (median of ${m.runs.length} fresh processes: ${m.runs.map((s) => s.toFixed(2)).join(', ')} s); zero-latency simulators, so the time is the engine's own`,
  );
  if (m.cpuSeconds !== null)
    ratioLine('  CPU seconds the resumed process used up to its first prompt (median)', m.cpuSeconds);
  console.log(
    `  journal: ${m.jobs} jobs, ${m.open} open (copy done for 98 % of products, the rest queued), ${m.running} left running with a prompt id`,
  );
}
