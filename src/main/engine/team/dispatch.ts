// The sending station's side of the team queue: it sends an image job and waits for a worker to
// finish it. One poll (every `pollMs`) asks the database about every job this station is waiting for
// and reads the registry for who is rendering which, so a catalog of thousands costs one query per
// poll, not one per image.
import { ShowcaseError, type TeamJobInFlight } from '../../../shared/index.ts';
import type { TeamConnection } from './connection.ts';
import {
  type TeamCopyJob,
  type TeamCopyResult,
  TeamCopyResultSchema,
  type TeamRenderJob,
  type TeamRenderResult,
  TeamRenderResultSchema,
} from './payload.ts';
import type { TeamPlanEntry } from './queue.ts';

/** What a waiting job is doing now, for the sender's progress ("rendering on studio-b · RTX 4090"). */
export type TeamJobProgress =
  | { state: 'queued' }
  | {
      state: 'active';
      worker: string | null;
      gpu: string | null;
      backend: string | null;
      value: number;
      max: number;
    }
  | { state: 'retrying'; error: string | null };

/** What a waited-for job is, for messages ("the hero of lamp-1"), and how to read its output. */
interface Waited<R> {
  jobId: string;
  kind: string;
  productId: string;
  /** Sends it again when the queue no longer has it (deleted by retention or by hand). */
  resend: () => Promise<void>;
  parse: (
    output: unknown,
  ) => { success: true; data: R } | { success: false; error: { issues: Array<{ path: PropertyKey[] }> } };
}

interface Waiter {
  what: Waited<unknown>;
  onProgress: (p: TeamJobProgress) => void;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  last: string;
}

export class TeamDispatch {
  private readonly connection: TeamConnection;
  private readonly pollMs: number;
  private readonly waiters = new Map<string, Waiter>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(connection: TeamConnection, options: { pollMs?: number } = {}) {
    this.connection = connection;
    this.pollMs = options.pollMs ?? 500;
  }

  /** Jobs this station has out with the team. */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Sends the job (sending it again after a crash creates nothing: its id is the journal's) and
   * resolves with the worker's result. Rejects when the team gave up on it (retries spent), when it
   * was cancelled elsewhere, or when `signal` aborts (the job is then withdrawn from the queue).
   */
  async render(
    job: TeamRenderJob,
    signal: AbortSignal,
    onProgress: (p: TeamJobProgress) => void,
    /** The product's other image jobs to send with it, as one flow (default: this job alone). */
    plan?: readonly TeamPlanEntry[],
  ): Promise<TeamRenderResult> {
    const queue = await this.connection.queue();
    await queue.send(plan && plan.length > 0 ? plan : [{ job }]);
    return this.wait(
      {
        jobId: job.jobId,
        kind: job.kind,
        productId: job.productId,
        resend: () => queue.send([{ job }]).then(() => undefined),
        parse: (output) => TeamRenderResultSchema.safeParse(output),
      },
      signal,
      onProgress,
    );
  }

  /** Whether the queue has this job already (sent with its product's flow, or before a restart). */
  async sent(jobId: string): Promise<boolean> {
    return (await (await this.connection.queue()).states([jobId])).has(jobId);
  }

  /** Sends a product's copy job to the workers with an Ollama and resolves with what they wrote. */
  async writeCopy(
    job: TeamCopyJob,
    signal: AbortSignal,
    onProgress: (p: TeamJobProgress) => void,
  ): Promise<TeamCopyResult> {
    const queue = await this.connection.queue();
    await queue.sendCopy(job);
    return this.wait(
      {
        jobId: job.jobId,
        kind: 'copy',
        productId: job.productId,
        resend: () => queue.sendCopy(job),
        parse: (output) => TeamCopyResultSchema.safeParse(output),
      },
      signal,
      onProgress,
    );
  }

  private wait<R>(
    what: Waited<R>,
    signal: AbortSignal,
    onProgress: (p: TeamJobProgress) => void,
  ): Promise<R> {
    signal.throwIfAborted();
    return new Promise<R>((resolve, reject) => {
      // Stops waiting only: whether the job leaves the queue (an operator's cancel) or goes on while
      // this station is closed is the engine's call (services/job-hooks.ts).
      const abort = () => {
        this.waiters.delete(what.jobId);
        reject(
          signal.reason instanceof Error ? signal.reason : new ShowcaseError('interrupted', 'cancelled'),
        );
      };
      signal.addEventListener('abort', abort, { once: true });
      const done =
        <T>(fn: (v: T) => void) =>
        (v: T) => {
          signal.removeEventListener('abort', abort);
          this.waiters.delete(what.jobId);
          fn(v);
        };
      this.waiters.set(what.jobId, {
        what: what as Waited<unknown>,
        onProgress,
        resolve: done((v: unknown) => resolve(v as R)),
        reject: done(reject),
        last: '',
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.waiters.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll().finally(() => this.schedule());
    }, this.pollMs);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const ids = [...this.waiters.keys()];
      const queue = await this.connection.queue();
      const states = await queue.states(ids);
      let holders: Map<string, { worker: string; gpu: string | null; job: TeamJobInFlight }> | null = null;
      for (const id of ids) {
        const waiter = this.waiters.get(id);
        const row = states.get(id);
        if (!waiter) continue;
        if (!row) {
          // Deleted by the queue's retention or by hand: send it again (same id, same work).
          await waiter.what.resend();
          continue;
        }
        switch (row.state) {
          case 'completed': {
            const parsed = waiter.what.parse(row.output);
            if (parsed.success) waiter.resolve(parsed.data);
            else
              waiter.reject(
                new ShowcaseError(
                  'backend_error',
                  `A team worker finished the ${waiter.what.kind} of ${waiter.what.productId} with an unreadable result (${parsed.error.issues[0]?.path.join('.') ?? 'output'})`,
                ),
              );
            break;
          }
          case 'failed':
            waiter.reject(teamFailure(waiter.what, row.output));
            break;
          case 'cancelled':
            waiter.reject(
              new ShowcaseError(
                'interrupted',
                `The team job for ${waiter.what.productId}'s ${waiter.what.kind} was cancelled`,
              ),
            );
            break;
          case 'active': {
            holders ??= await this.holders();
            const h = holders.get(id);
            report(waiter, {
              state: 'active',
              worker: h?.worker ?? null,
              gpu: h?.gpu ?? null,
              backend: h?.job.backend ?? null,
              value: h?.job.value ?? 0,
              max: h?.job.max ?? 0,
            });
            break;
          }
          case 'retry':
            report(waiter, { state: 'retrying', error: errorText(row.output) });
            break;
          default:
            report(waiter, { state: 'queued' });
        }
      }
    } catch {
      // The team database did not answer this time: the next poll asks again. (A job's own lease
      // and retries live in the database, so nothing is lost while it is away.)
    } finally {
      this.polling = false;
    }
  }

  private async holders(): Promise<
    Map<string, { worker: string; gpu: string | null; job: TeamJobInFlight }>
  > {
    const out = new Map<string, { worker: string; gpu: string | null; job: TeamJobInFlight }>();
    const registry = await this.connection.registry();
    for (const w of await registry.list()) {
      if (w.lost) continue;
      for (const job of w.inFlight) {
        const gpu = w.backends.find((b) => b.url === job.backend)?.gpu ?? null;
        out.set(job.jobId, { worker: w.name, gpu, job });
      }
    }
    return out;
  }

  /** Stops polling; waiting renders are rejected (the engine is closing, their jobs stay queued). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const waiter of [...this.waiters.values()])
      waiter.reject(
        new ShowcaseError('interrupted', 'The app closed while the team was rendering', { retryable: true }),
      );
  }
}

function report(waiter: Waiter, p: TeamJobProgress): void {
  const key = JSON.stringify(p);
  if (key === waiter.last) return;
  waiter.last = key;
  waiter.onProgress(p);
}

function errorText(output: unknown): string | null {
  if (output && typeof output === 'object' && 'error' in output) {
    const e = (output as { error: unknown }).error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && 'message' in e && typeof e.message === 'string') return e.message;
  }
  return null;
}

/** The team spent every retry: one message naming the product, the image and the last cause. */
function teamFailure(job: Pick<Waited<unknown>, 'kind' | 'productId'>, output: unknown): ShowcaseError {
  const cause = errorText(output) ?? 'no reason given';
  return new ShowcaseError(
    'backend_error',
    `The team could not render the ${job.kind} of product ${job.productId}: ${cause}`,
    {
      hint: 'See the Team view for the workers; re-run the failed images to send them again.',
      retryable: false,
      details: { backend: 'team queue', productId: job.productId },
    },
  );
}
