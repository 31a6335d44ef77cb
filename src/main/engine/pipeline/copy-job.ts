// The copy job: one Ollama call per product (CopyWriter), bounded by the `timeouts` setting — the
// first call of a model gets the load time on top — and announced as a job status, so the CLI and
// the UI say what is being waited for instead of going silent. Failures name the Ollama server.
// It returns the copy and the usage of every attempt; the lifecycle journals them.
import { type Gallery, type Product, ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import { type ExecutionCallbacks, type JobResult, type QueuedJob, usageRecord } from '../jobs/index.ts';
import { CopyWriter, type JobPayload } from '../showcase/index.ts';
import type { Store } from '../store/index.ts';
import { namingBackend } from './backend-errors.ts';
import type { ExecutorContext } from './executor.ts';
import { CopyBudget } from './timeouts.ts';

type CopyPayload = Extract<JobPayload, { type: 'copy' }>;

/** What a copy job writes about: the showcase's gallery and product, and how many variations it has. */
export function copySubject(
  store: Store,
  galleryId: string,
): { gallery: Gallery; product: Product; variations: number } {
  const gallery = store.galleries.get(galleryId);
  if (!gallery) throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`);
  const product = store.products.get(gallery.productId);
  if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} no longer exists`);
  const variations = store.assets.listByGallery(gallery.id).filter((a) => a.kind === 'variation').length;
  return { gallery, product, variations };
}

export class CopyJobs {
  private readonly ctx: ExecutorContext;
  readonly budget = new CopyBudget();

  constructor(ctx: ExecutorContext) {
    this.ctx = ctx;
  }

  async run(
    job: QueuedJob,
    payload: CopyPayload,
    signal: AbortSignal,
    callbacks: Pick<ExecutionCallbacks, 'failedAttempt'>,
  ): Promise<JobResult> {
    const { pool } = this.ctx;
    const { product, variations } = copySubject(this.ctx.store, job.galleryId);
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
      callbacks.failedAttempt(
        usageRecord('ollama', payload.model, 'copy', {
          totalMs: Date.now() - started,
          ok: false,
          error: e.message,
        }),
      );
      throw e;
    }
    const usage = result.attempts.map((attempt) =>
      usageRecord('ollama', payload.model, 'copy', {
        totalMs: attempt.ms,
        loadMs: attempt.stats?.loadMs ?? 0,
        runMs: attempt.stats ? attempt.stats.promptEvalMs + attempt.stats.evalMs : 0,
        tokensIn: attempt.stats?.promptTokens ?? null,
        tokensOut: attempt.stats?.evalTokens ?? null,
        ok: attempt.ok,
        error: attempt.error,
      }),
    );
    return { type: 'copy', copy: result.copy, usage };
  }
}
