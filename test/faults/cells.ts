// The cells of the fault matrix: every backend fault of issue #14 × the phase it hits. Each cell
// runs the real CLI against the simulators with the fault armed, and asserts the final status of
// every showcase, the messages (backend, product, cause), the renders the simulator did (no image
// twice) and that the run ended by itself within its time bound.
import { join } from 'node:path';
import type { ApiGraph } from '../../src/sim/comfyui/index.ts';
import { CellContext, type CliRun, expect, PRODUCTS, sheetCsv } from './harness.ts';

export type Phase = 'copy' | 'hero' | 'variation' | 'thumbnail' | 'download' | 'resume' | 'start';

export interface Cell {
  fault: string;
  phase: Phase;
  /**
   * The whole cell must end within this (past it the cell fails as a hang). Generous on purpose: the
   * cells take 5–20 s on an idle machine, and a shared CI box may be several times slower; a hang
   * never ends.
   */
  boundMs: number;
  run(): Promise<string>;
}

interface Outcome {
  exit: number;
  /** Status of every showcase of the run, by product id (default: all the same `status`). */
  status?: string;
  statuses?: Record<string, string>;
  /** Text that must appear in stdout + stderr (backend URL, product, cause). */
  mentions?: Array<string | RegExp>;
  /** Text that must not appear. */
  never?: Array<string | RegExp>;
  /** Prompts the simulator(s) must have accepted: 12 for a clean run (3 products × 4 images). */
  prompts?: number;
}

/** Waits for the run and checks what every cell checks. Returns a one-line note for the table. */
async function settle(ctx: CellContext, run: CliRun, want: Outcome): Promise<string> {
  const { code, signal, ms } = await run.exit;
  const out = `${run.stdout()}\n${run.stderr()}`;
  const tail = () => `\n--- output (last 1500 chars) ---\n${out.slice(-1500)}`;
  expect(signal === null, `killed by ${signal} (hang?)${tail()}`);
  expect(code !== 13, `exit 13: Node left with unsettled work (no summary)${tail()}`);
  expect(code === want.exit, `exit ${code}, expected ${want.exit}${tail()}`);
  expect(
    /\d+ complete( \(\d+ with fallback copy\))?, \d+ partial, \d+ failed/.test(run.stdout()),
    `no summary line${tail()}`,
  );
  const galleries = ctx.galleries();
  for (const g of galleries) {
    expect(!['running', 'queued', 'draft'].includes(g.status), `${g.product_id} left ${g.status}${tail()}`);
  }
  const latest = new Map(galleries.map((g) => [g.product_id, g]));
  for (const id of PRODUCTS) {
    const wanted = want.statuses?.[id] ?? want.status;
    if (wanted === undefined) continue;
    const got = latest.get(id)?.status;
    expect(got === wanted, `${id} ended ${got}, expected ${wanted}${tail()}`);
  }
  for (const m of want.mentions ?? []) {
    const ok = typeof m === 'string' ? out.includes(m) : m.test(out);
    expect(ok, `output does not mention ${String(m)}${tail()}`);
  }
  for (const m of want.never ?? []) {
    const hit = typeof m === 'string' ? out.includes(m) : m.test(out);
    expect(!hit, `output mentions ${String(m)}${tail()}`);
  }
  const renders = await ctx.renders();
  const twice = [...renders].filter(([, n]) => n > 1).map(([slot, n]) => `${slot}×${n}`);
  expect(twice.length === 0, `rendered twice: ${twice.join(', ')}`);
  const prompts = ctx.sims.comfies.reduce((n, c) => n + c.stats.promptsAccepted, 0);
  expect(
    want.prompts === undefined || prompts === want.prompts,
    `${prompts} prompts, expected ${want.prompts}`,
  );
  return `exit ${code}, ${prompts} prompts, ${[...renders.values()].reduce((a, b) => a + b, 0)} renders, ${(ms / 1000).toFixed(1)} s`;
}

async function cell(
  options: Parameters<typeof CellContext.start>[0],
  body: (ctx: CellContext) => Promise<string>,
): Promise<string> {
  const ctx = await CellContext.start(options);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}

const hasNode = (graph: ApiGraph, classType: string) =>
  Object.values(graph).some((n) => n.class_type === classType);
const isVariation = (graph: ApiGraph) => hasNode(graph, 'LoadImage') && hasNode(graph, 'KSampler');
const isThumbnail = (graph: ApiGraph) => hasNode(graph, 'LoadImage') && !hasNode(graph, 'KSampler');
const ANY_FAILED_RETRYING = /failed, retrying/;

/** A backend outage costs no attempts: every job ends with attempts = 1. */
function noAttemptSpent(ctx: CellContext): void {
  const spent = ctx.jobs().filter((j) => j.attempts > 1);
  expect(
    spent.length === 0,
    `attempts spent on the outage: ${spent.map((j) => `${j.kind}×${j.attempts}`).join(', ')}`,
  );
}

export const cells: Cell[] = [
  // -- copy (Ollama) ------------------------------------------------------------------------------
  {
    fault: 'HTTP 500 once',
    phase: 'copy',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.ollama.faults.httpErrorNext(500, 1);
        return settle(ctx, ctx.generate(), {
          prompts: 12,
          exit: 0,
          status: 'complete',
          mentions: [`Ollama at ${ctx.sims.ollama.url}`, 'HTTP 500', ANY_FAILED_RETRYING],
        });
      }),
  },
  {
    fault: 'connection reset once',
    phase: 'copy',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.ollama.faults.resetConnectionNext(1, 'before-headers');
        return settle(ctx, ctx.generate(), {
          prompts: 12,
          exit: 0,
          status: 'complete',
          mentions: [ANY_FAILED_RETRYING],
        });
      }),
  },
  {
    fault: 'hung request',
    phase: 'copy',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.ollama.faults.hangNext(1);
        return settle(ctx, ctx.generate(), {
          prompts: 12,
          exit: 0,
          status: 'complete',
          mentions: [
            /waiting for Ollama at http:\/\/127\.0\.0\.1:\d+/,
            /took longer than|did not start answering/,
          ],
        });
      }),
  },
  {
    fault: 'invalid JSON always',
    phase: 'copy',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.ollama.faults.invalidJsonNext(9);
        return settle(ctx, ctx.generate(), {
          prompts: 12,
          exit: 3,
          status: 'complete',
          mentions: ['complete, fallback copy', '3 complete (3 with fallback copy)'],
        });
      }),
  },
  {
    fault: 'model not installed',
    phase: 'copy',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.ollama.faults.missingModel('llama3.2');
        return settle(ctx, ctx.generate(), {
          prompts: 0,
          exit: 1,
          status: 'failed',
          mentions: ['llama3.2', 'ollama pull', 'deterministic'],
        });
      }),
  },
  {
    fault: 'Ollama gone for good',
    phase: 'copy',
    boundMs: 120_000,
    run: () =>
      cell({}, async (ctx) => {
        const url = ctx.sims.ollama.url;
        await ctx.sims.ollama.close();
        return settle(ctx, ctx.generate(), {
          prompts: 0,
          exit: 1,
          status: 'failed',
          mentions: [`Ollama at ${url}`, 'gave up waiting after 6 s', /unreachable/],
        });
      }),
  },
  // -- hero (ComfyUI) -----------------------------------------------------------------------------
  {
    fault: 'OOM once',
    phase: 'hero',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.oomOnPrompt(1);
        return settle(ctx, ctx.generate(), {
          prompts: 13,
          exit: 0,
          status: 'complete',
          mentions: [/out of memory/i],
        });
      }),
  },
  {
    fault: 'HTTP 500 on POST /prompt ×2',
    phase: 'hero',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        const run = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 1, 60_000, 'the first prompt');
        ctx.sims.comfy.faults.httpError('/prompt', 2, 500);
        return settle(ctx, run, {
          prompts: 12,
          exit: 0,
          status: 'complete',
          mentions: ['HTTP 500'],
          never: [/unreachable/],
        });
      }),
  },
  {
    fault: 'HTTP 500 on every POST /prompt',
    phase: 'hero',
    boundMs: 120_000,
    run: () =>
      cell({}, async (ctx) => {
        const run = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 1, 60_000, 'the first prompt');
        ctx.sims.comfy.faults.httpError('/prompt', 100_000, 500);
        const note = await settle(ctx, run, {
          exit: 1,
          mentions: ['answered POST /prompt with HTTP 500', 'still failing after 3 attempts'],
          never: [/is unreachable/],
        });
        const states = ctx.galleries().map((g) => g.status);
        expect(
          states.every((s) => s === 'failed' || s === 'partial'),
          `statuses ${states.join(',')}`,
        );
        return note;
      }),
  },
  {
    fault: 'hung prompt',
    phase: 'hero',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.hangNext();
        return settle(ctx, ctx.generate(), {
          prompts: 13,
          exit: 0,
          status: 'complete',
          mentions: [
            'made no progress',
            'interrupted it',
            /waiting for ComfyUI at http:\S+: no progress for \d+ s/,
          ],
        });
      }),
  },
  {
    fault: 'broken model file (loader error)',
    phase: 'hero',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.failNode(
          'UNETLoader',
          'safetensors_rust.SafetensorError',
          'Error while deserializing header: HeaderTooLarge',
          1,
        );
        const note = await settle(ctx, ctx.generate(), {
          prompts: 10,
          exit: 1,
          mentions: ['SafetensorError', 'deterministic'],
        });
        const heroes = ctx.jobs().filter((j) => j.kind === 'hero' && j.status === 'failed');
        expect(heroes.length === 1, `${heroes.length} failed heroes`);
        expect(heroes[0]?.attempts === 1, `the broken-model hero ran ${heroes[0]?.attempts} times`);
        return note;
      }),
  },
  {
    fault: 'WebSocket dropped mid-render',
    phase: 'hero',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.dropWsAfterFrames(3, 'reset');
        return settle(ctx, ctx.generate(), { prompts: 12, exit: 0, status: 'complete' });
      }),
  },
  {
    fault: 'ComfyUI restarted (down 3 s)',
    phase: 'hero',
    boundMs: 120_000,
    run: () =>
      cell({}, async (ctx) => {
        const run = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 2, 60_000, 'two prompts');
        await ctx.sims.comfy.down();
        setTimeout(() => void ctx.sims.comfy.up(), 3_000);
        // The prompts it was running wait out the outage, find ComfyUI forgot them and go again.
        const note = await settle(ctx, run, {
          exit: 0,
          status: 'complete',
          mentions: [/lost prompt|is unreachable/],
        });
        noAttemptSpent(ctx);
        return note;
      }),
  },
  {
    fault: 'ComfyUI restarted (down longer than a prompt waits)',
    phase: 'variation',
    boundMs: 120_000,
    run: () =>
      cell({ timeouts: { backendDownSec: 30 } }, async (ctx) => {
        const run = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 7, 60_000, 'seven prompts');
        await ctx.sims.comfy.down();
        // Longer than a running prompt polls a dead server (backendDownSec / 4): it goes back to
        // the queue and waits for the backend with the others, without spending an attempt.
        setTimeout(() => void ctx.sims.comfy.up(), 10_000);
        const note = await settle(ctx, run, {
          exit: 0,
          status: 'complete',
          mentions: ['is unreachable', 'is back'],
        });
        noAttemptSpent(ctx);
        return note;
      }),
  },
  {
    fault: 'ComfyUI gone for good',
    phase: 'hero',
    boundMs: 120_000,
    run: () =>
      cell({}, async (ctx) => {
        const run = ctx.generate();
        const url = ctx.sims.comfy.url;
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 1, 60_000, 'the first prompt');
        await ctx.sims.comfy.down();
        const note = await settle(ctx, run, {
          exit: 1,
          mentions: [`ComfyUI at ${url}`, 'gave up waiting after 6 s', 'last error'],
        });
        const states = ctx.galleries().map((g) => g.status);
        expect(
          states.every((s) => s === 'failed' || s === 'partial'),
          `statuses ${states.join(',')}`,
        );
        return note;
      }),
  },
  // -- variation ----------------------------------------------------------------------------------
  {
    fault: 'OOM on a variation',
    phase: 'variation',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.oomWhen(isVariation, 1);
        return settle(ctx, ctx.generate(), {
          prompts: 13,
          exit: 0,
          status: 'complete',
          mentions: [/out of memory/i],
        });
      }),
  },
  {
    fault: 'sampler RuntimeError once (transient)',
    phase: 'variation',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        const run = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 6, 60_000, 'heroes and lifestyles');
        ctx.sims.comfy.faults.failNode(
          'KSampler',
          'RuntimeError',
          'CUDA error: unspecified launch failure',
          1,
        );
        return settle(ctx, run, {
          prompts: 13,
          exit: 0,
          status: 'complete',
          mentions: ['CUDA error', ANY_FAILED_RETRYING],
        });
      }),
  },
  // -- thumbnail (rendered by ComfyUI) ------------------------------------------------------------
  {
    fault: 'OOM on a thumbnail',
    phase: 'thumbnail',
    boundMs: 60_000,
    run: () =>
      cell({ settings: { thumbnailMode: 'comfy' } }, async (ctx) => {
        ctx.sims.comfy.faults.oomWhen(isThumbnail, 1);
        return settle(ctx, ctx.generate(), {
          prompts: 16,
          exit: 0,
          status: 'complete',
          mentions: [/out of memory/i],
        });
      }),
  },
  {
    fault: 'HTTP 500 on the hero upload',
    phase: 'thumbnail',
    boundMs: 60_000,
    run: () =>
      cell({ settings: { thumbnailMode: 'comfy' } }, async (ctx) => {
        ctx.sims.comfy.faults.httpError('/upload/image', 1, 500);
        return settle(ctx, ctx.generate(), {
          prompts: 15,
          exit: 0,
          status: 'complete',
          mentions: ['HTTP 500'],
        });
      }),
  },
  // -- download (/view) ---------------------------------------------------------------------------
  {
    fault: 'HTTP 500 on /view once',
    phase: 'download',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.httpError('/view', 1, 500);
        // settle() checks that no slot was rendered twice: the image is downloaded again, not re-rendered.
        return settle(ctx, ctx.generate(), { prompts: 12, exit: 0, status: 'complete' });
      }),
  },
  {
    fault: 'connection reset on /view',
    phase: 'download',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.httpError('/view', 2, 'reset');
        return settle(ctx, ctx.generate(), { prompts: 12, exit: 0, status: 'complete' });
      }),
  },
  // -- resume -------------------------------------------------------------------------------------
  {
    fault: 'kill -9, then the same command (forgotten --resume)',
    phase: 'resume',
    boundMs: 120_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.stallSteps(30, 40);
        const first = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 3, 60_000, 'three prompts');
        first.child.kill('SIGKILL');
        await first.exit;
        ctx.sims.comfy.faults.clear();
        const again = ctx.generate();
        const refused = await again.exit;
        const said = `${again.stdout()}${again.stderr()}`;
        expect(refused.code === 2, `the forgotten --resume exited ${refused.code}: ${said.slice(-800)}`);
        expect(/--resume/.test(said) && /--restart/.test(said), `no choice offered: ${said.slice(-800)}`);
        expect(
          ctx.galleries().every((g) => g.status === 'running'),
          'the guard changed the journal',
        );
        const resumed = ctx.generate(['--resume']);
        return settle(ctx, resumed, { prompts: 12, exit: 0, status: 'complete' });
      }),
  },
  {
    fault: 'kill -9, then --restart',
    phase: 'resume',
    boundMs: 120_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.stallSteps(30, 40);
        const first = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 3, 60_000, 'three prompts');
        first.child.kill('SIGKILL');
        await first.exit;
        ctx.sims.comfy.faults.clear();
        const restarted = ctx.generate(['--restart']);
        const { code } = await restarted.exit;
        const out = `${restarted.stdout()}${restarted.stderr()}`;
        expect(code === 0, `--restart exited ${code}: ${out.slice(-800)}`);
        expect(/cancelled \d+ unfinished/.test(out), `no word about the old run: ${out.slice(-800)}`);
        const statuses = ctx
          .galleries()
          .map((g) => g.status)
          .sort();
        expect(
          statuses.filter((s) => s === 'complete').length === 3 &&
            statuses.every((s) => s === 'complete' || s === 'cancelled'),
          `statuses ${statuses.join(',')}`,
        );
        return `exit ${code}, ${ctx.sims.comfy.stats.promptsAccepted} prompts`;
      }),
  },
  {
    fault: 'ComfyUI down, then re-run of the failed assets',
    phase: 'resume',
    boundMs: 120_000,
    run: () =>
      cell({ timeouts: { backendDownSec: 3 } }, async (ctx) => {
        const first = ctx.generate();
        await ctx.when(() => ctx.sims.comfy.stats.promptsAccepted >= 4, 60_000, 'four prompts');
        await ctx.sims.comfy.down();
        const { code } = await first.exit;
        expect(code === 1, `the first run exited ${code}`);
        await ctx.sims.comfy.up();
        const rerun = ctx.spawn([
          'rerun',
          '--out',
          ctx.out,
          '--comfy',
          ctx.sims.comfy.url,
          '--ollama',
          ctx.sims.ollama.url,
        ]);
        const note = await settle(ctx, rerun, { exit: 0 });
        const latest = new Map(ctx.galleries().map((g) => [g.product_id, g.status]));
        expect(
          [...latest.values()].every((s) => s === 'complete'),
          `after rerun: ${[...latest.values()].join(',')}`,
        );
        return note;
      }),
  },
  // -- start --------------------------------------------------------------------------------------
  {
    fault: 'second server lacks the model',
    phase: 'start',
    boundMs: 60_000,
    run: () =>
      cell({ extraComfy: 1 }, async (ctx) => {
        const lacking = ctx.sims.comfies[1];
        lacking?.setModels('diffusion_models', []);
        const note = await settle(ctx, ctx.generate(), {
          exit: 0,
          status: 'complete',
          mentions: [`ComfyUI at ${lacking?.url} lacks model files`, 'qwen_image_fp8_e4m3fn.safetensors'],
        });
        expect(
          lacking?.stats.promptsAccepted === 0,
          `${lacking?.stats.promptsAccepted} prompts on the lacking server`,
        );
        return note;
      }),
  },
  {
    fault: 'ComfyUI answers 500 at start',
    phase: 'start',
    boundMs: 60_000,
    run: () =>
      cell({}, async (ctx) => {
        ctx.sims.comfy.faults.httpError('/system_stats', 100, 500);
        const run = ctx.generate();
        const { code } = await run.exit;
        const out = `${run.stdout()}${run.stderr()}`;
        expect(code === 1, `exit ${code}`);
        expect(out.includes('HTTP 500') && !/is unreachable/.test(out), `wrong cause: ${out.slice(-600)}`);
        expect(out.includes(ctx.sims.comfy.url), 'the URL is not named');
        return `exit ${code}`;
      }),
  },
  {
    fault: 'duplicate product ids in the sheet',
    phase: 'start',
    boundMs: 60_000,
    run: () =>
      cell({ sheet: `${sheetCsv()}alpha-kettle,Another kettle,Same id again\n` }, async (ctx) => {
        const run = ctx.generate();
        const note = await settle(ctx, run, { exit: 0, mentions: ['alpha-kettle-2'] });
        const said = run.stdout() + run.stderr();
        expect(
          /line 5, id: .*already taken; imported as "alpha-kettle-2"/.test(said),
          'the rename is not reported',
        );
        return note;
      }),
  },
];

/** Two runs on one server at once, each with its own database and seed: each keeps its own hero. */
export const concurrentCell: Cell = {
  fault: 'two concurrent runs on one server',
  phase: 'variation',
  boundMs: 120_000,
  run: () =>
    cell({}, async (ctx) => {
      const outB = join(ctx.sims.dir, 'out-b');
      await ctx.writeSettings(
        { timeouts: {}, templateParams: { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } } },
        join(outB, 'studio.db'),
        outB,
      );
      const a = ctx.generate(['--seed', '1']);
      const b = ctx.generate(['--seed', '2'], { out: outB });
      const [ra, rb] = await Promise.all([a.exit, b.exit]);
      expect(ra.code === 0 && rb.code === 0, `exits ${ra.code} / ${rb.code}: ${b.stderr().slice(-500)}`);
      // Every variation's LoadImage must name an upload carrying its own run's hero hash.
      const history = (await (
        await fetch(`${ctx.sims.comfy.url}/history?max_items=100000`)
      ).json()) as Record<string, { prompt: [number, string, ApiGraph] }>;
      // Which run sent a prompt: its SaveImage prefix ends with the job id (…_<job8>-<attempt>).
      const runOfJob = new Map<string, { run: string; heroSha: Map<string, string> }>();
      for (const [db, run] of [
        [ctx.dbPath, 'A'],
        [join(outB, 'studio.db'), 'B'],
      ] as const) {
        const products = new Map(ctx.galleries(db).map((g) => [g.id, g.product_id]));
        const heroSha = new Map<string, string>();
        for (const asset of ctx.assets(db))
          if (asset.kind === 'hero' && asset.sha256)
            heroSha.set(products.get(asset.gallery_id) ?? '', asset.sha256);
        for (const job of ctx.jobs(db)) runOfJob.set(job.id.slice(0, 8), { run, heroSha });
      }
      let variations = 0;
      for (const { prompt } of Object.values(history)) {
        const graph = prompt[2];
        if (!isVariation(graph)) continue;
        const image = String(
          Object.values(graph).find((n) => n.class_type === 'LoadImage')?.inputs.image ?? '',
        );
        const prefix = String(
          Object.values(graph).find((n) => n.class_type === 'SaveImage')?.inputs.filename_prefix ?? '',
        );
        const match = /^showcase\/(.+)_variation_\d+_([0-9a-f]{8})-\d+$/.exec(prefix);
        expect(match, `variation prefix ${prefix} does not name its job`);
        const owner = runOfJob.get(match[2] ?? '');
        expect(owner, `no run has job ${match[2]}`);
        const sha = owner.heroSha.get(match[1] ?? '') ?? '';
        expect(
          sha !== '' && image.includes(sha.slice(0, 12)),
          `run ${owner.run}'s variation ${prefix} loads ${image}, not its own hero ${sha.slice(0, 12)}`,
        );
        variations += 1;
      }
      expect(variations === 12, `${variations} variations checked`);
      return `exits 0/0, ${variations} variations on their own heroes`;
    }),
};
