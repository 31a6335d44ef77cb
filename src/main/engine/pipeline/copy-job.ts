// The copy job: one Ollama call per product (CopyWriter), bounded by the `timeouts` setting — the
// first call of a model gets the load time on top — and announced as a job status, so the CLI and
// the UI say what is being waited for instead of going silent. Failures name the Ollama server.
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import type { QueuedJob } from '../queue/index.ts';
import { CopyWriter, type JobPayload } from '../showcase/index.ts';
import { namingBackend } from './backend-errors.ts';
import type { RunnerContext } from './runner.ts';
import { CopyBudget } from './timeouts.ts';

type CopyPayload = Extract<JobPayload, { type: 'copy' }>;

export interface CopyUsage {
  totalMs: number;
  loadMs?: number;
  runMs?: number;
  tokensIn?: number | null;
  tokensOut?: number | null;
  ok: boolean;
  error?: string | null;
}

export class CopyJobs {
  private readonly ctx: RunnerContext;
  readonly budget = new CopyBudget();

  constructor(ctx: RunnerContext) {
    this.ctx = ctx;
  }

  async run(
    job: QueuedJob,
    payload: CopyPayload,
    signal: AbortSignal,
    logUsage: (usage: CopyUsage) => void,
  ): Promise<void> {
    const { store, pool } = this.ctx;
    const gallery = store.galleries.get(job.galleryId);
    if (!gallery) throw new ShowcaseError('not_found', `Gallery ${job.galleryId} does not exist`);
    const product = store.products.get(gallery.productId);
    if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} no longer exists`);
    const variations = store.assets.listByGallery(gallery.id).filter((a) => a.kind === 'variation').length;
    const timeouts = this.ctx.settings().timeouts;
    const budget = this.budget.budgetMs(payload.model, timeouts);
    const url = pool.ollamaUrl;
    this.ctx.emit('job.status', {
      jobId: job.id,
      galleryId: job.galleryId,
      assetId: job.assetId,
      kind: job.kind,
      state: budget.loading ? 'loading-model' : 'running',
      backend: 'ollama',
      detail: budget.loading
        ? `waiting for Ollama at ${url} to load ${payload.model} and write the copy (up to ${Math.round(budget.ms / 1000)} s)`
        : `waiting for Ollama at ${url} to write the copy (up to ${Math.round(budget.ms / 1000)} s)`,
    });
    const started = Date.now();
    let result: Awaited<ReturnType<CopyWriter['write']>>;
    try {
      // The client is read per job: a settings change may have replaced it.
      result = await new CopyWriter(pool.ollama).write(
        product,
        {
          model: payload.model,
          language: payload.language,
          variations: Math.max(1, variations),
          timeoutMs: budget.ms,
          onAnswer: () => this.budget.answered(payload.model),
        },
        signal,
      );
    } catch (err) {
      const e = toShowcaseError(namingBackend(err, 'Ollama', url));
      logUsage({ totalMs: Date.now() - started, ok: false, error: e.message });
      throw e;
    }
    for (const attempt of result.attempts) {
      logUsage({
        totalMs: attempt.ms,
        loadMs: attempt.stats?.loadMs ?? 0,
        runMs: attempt.stats ? attempt.stats.promptEvalMs + attempt.stats.evalMs : 0,
        tokensIn: attempt.stats?.promptTokens ?? null,
        tokensOut: attempt.stats?.evalTokens ?? null,
        ok: attempt.ok,
        error: attempt.error,
      });
    }
    const updated = store.galleries.update(gallery.id, { copy: result.copy, status: 'running' });
    this.ctx.emit('showcase.updated', { galleryId: updated.id, gallery: updated });
  }
}
