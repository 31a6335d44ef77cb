// A team worker (`showcase worker`): renders the team's image jobs on a GPU workstation (and, with an
// Ollama, writes copy). It registers its GPUs (/system_stats, /object_info, the seconds per image it
// measured before), beats every few seconds with what it renders, and per GPU asks placement which
// family to claim: only families whose model files that GPU has, nothing at a catalog's tail when a
// faster GPU finishes sooner. A claim is a lease it touches while it works; the image goes to the team
// bucket under its content hash. A worker that dies stops touching: the job runs elsewhere.
import { hostname } from 'node:os';
import {
  ShowcaseError,
  type TeamJobInFlight,
  type TemplateFamily,
  toShowcaseError,
} from '../../../shared/index.ts';
import { isConnectionError } from '../comfy/index.ts';
import type { OllamaClientOptions } from '../ollama/index.ts';
import { pngSize } from '../pipeline/index.ts';
import type { S3Settings } from '../publish/index.ts';
import type { TemplateLibrary } from '../templates/index.ts';
import { TeamBucket } from './bucket.ts';
import { TeamConnection, type TeamTarget } from './connection.ts';
import { type TeamInput, TeamRenderResultSchema } from './payload.ts';
import { familyModels, familyToClaim, gpuKey } from './placement-view.ts';
import type { ClaimedCopy, ClaimedJob, TeamQueue } from './queue.ts';
import { type TeamWorker, WORKER_BEAT_SECONDS, type WorkerRegistry } from './registry.ts';
import { WorkerCopy } from './worker-copy.ts';
import { type GpuClientOptions, WorkerGpu } from './worker-gpu.ts';

export interface TeamWorkerOptions {
  /** Unique in the team; also the worker's id (a restarted worker takes its place again). */
  name?: string;
  comfyUrls: readonly string[];
  team: TeamTarget;
  s3: S3Settings;
  templates: TemplateLibrary;
  comfy?: GpuClientOptions;
  /** This workstation's Ollama: also write copy for senders without one (shares the first GPU). */
  ollamaUrl?: string;
  ollama?: Omit<OllamaClientOptions, 'baseUrl'>;
  /** How long an idle GPU waits before asking the queue again (default 1000 ms). */
  pollMs?: number;
  /** Registry heartbeat interval (default WORKER_BEAT_SECONDS). */
  beatSeconds?: number;
  log?: (line: string) => void;
}

export class TeamWorkerRunner {
  readonly id: string;
  readonly name: string;
  readonly gpus: WorkerGpu[];
  private readonly options: TeamWorkerOptions;
  private readonly connection: TeamConnection;
  private readonly bucket: TeamBucket;
  private readonly log: (line: string) => void;
  private readonly inFlight = new Map<string, TeamJobInFlight>();
  private readonly running = new Set<AbortController>();
  private readonly online = new WeakSet<WorkerGpu>();
  private readonly stop$ = new AbortController();
  private loops: Promise<void>[] = [];
  private beat: NodeJS.Timeout | null = null;
  private finishedSinceBeat = 0;
  private fleetCache: { at: number; workers: Promise<TeamWorker[]> } | null = null;
  private queue!: TeamQueue;
  /** The workstation's Ollama, when the worker also writes copy. */
  private readonly copy: WorkerCopy | null;
  /** Each family's model file and starting estimates (the templates do not change while it runs). */
  private readonly models: ReturnType<typeof familyModels>;
  private registry!: WorkerRegistry;
  /** Jobs completed / failed by this process (for logs, tests and the bench). */
  done = 0;
  failed = 0;

  private constructor(options: TeamWorkerOptions) {
    this.options = options;
    this.name = options.name ?? hostname();
    this.id = this.name;
    this.log = options.log ?? (() => undefined);
    this.connection = new TeamConnection(options.team);
    this.bucket = new TeamBucket(options.s3);
    this.gpus = options.comfyUrls.map((url) => new WorkerGpu(url, options.templates, options.comfy));
    this.copy = options.ollamaUrl ? new WorkerCopy(options.ollamaUrl, options.ollama) : null;
    this.models = familyModels(options.templates);
  }

  static async start(options: TeamWorkerOptions): Promise<TeamWorkerRunner> {
    if (options.comfyUrls.length === 0) {
      throw new ShowcaseError('invalid_input', 'A worker needs at least one ComfyUI server', {
        hint: 'Pass --comfy http://127.0.0.1:8188 (once per GPU)',
        details: { field: 'comfy' },
      });
    }
    const worker = new TeamWorkerRunner(options);
    try {
      await worker.open();
    } catch (err) {
      await worker.close();
      throw err;
    }
    return worker;
  }

  private async open(): Promise<void> {
    this.queue = await this.connection.queue();
    this.registry = await this.connection.registry();
    const before = (await this.registry.list()).find((w) => w.id === this.id);
    for (const gpu of this.gpus) {
      const measured = before?.backends.find((b) => b.url === gpu.url)?.msPerImage;
      if (measured) gpu.info = { ...gpu.info, msPerImage: measured };
      await this.probe(gpu);
    }
    await this.registry.register(this.id, this.name, this.backends());
    const beatMs = (this.options.beatSeconds ?? WORKER_BEAT_SECONDS) * 1000;
    this.beat = setInterval(() => void this.heartbeat(), beatMs);
    this.loops = this.gpus.map((gpu) => this.loop(gpu));
  }

  /** The GPUs that answer, as the registry shows them (a server that is down takes no work). */
  private backends() {
    return this.gpus
      .filter((g) => this.online.has(g))
      .map((g) => (this.copy && g === this.gpus[0] ? { ...g.info, writesCopy: true } : g.info));
  }

  private async probe(gpu: WorkerGpu): Promise<boolean> {
    try {
      const info = await gpu.probe();
      this.online.add(gpu);
      const gb = (info.vramBytes / 1e9).toFixed(0);
      this.log(
        `${this.name}: ${info.gpu} (${gb} GB) at ${gpu.url} takes ${info.families.length > 0 ? info.families.join(', ') : 'no family (no model files found)'}`,
      );
      return true;
    } catch (err) {
      this.online.delete(gpu);
      this.log(
        `${this.name}: ComfyUI at ${gpu.url} did not answer (${toShowcaseError(err).message}); trying again`,
      );
      return false;
    }
  }

  private async heartbeat(): Promise<void> {
    const finished = this.finishedSinceBeat;
    this.finishedSinceBeat = 0;
    try {
      await this.registry.heartbeat(this.id, {
        inFlight: [...this.inFlight.values()],
        backends: this.backends(),
        finished,
      });
    } catch (err) {
      this.finishedSinceBeat += finished;
      this.log(`${this.name}: heartbeat failed (${toShowcaseError(err).message})`);
    }
  }

  /** The fleet as the registry sees it, read at most once a second for all of this worker's GPUs. */
  private fleet(): Promise<TeamWorker[]> {
    const now = Date.now();
    if (!this.fleetCache || now - this.fleetCache.at > 1000) {
      const workers = this.registry.list();
      workers.catch(() => undefined);
      this.fleetCache = { at: now, workers };
    }
    return this.fleetCache.workers;
  }

  /** The family this GPU should claim now (placement over the fleet), or null to wait. */
  private async choose(gpu: WorkerGpu): Promise<TemplateFamily | null> {
    const families = gpu.info.families;
    if (families.length === 0) return null;
    const [listed, counts] = await Promise.all([this.fleet(), this.queue.liveCounts()]);
    if (!families.some((f) => (counts.get(f)?.ready ?? 0) > 0)) return null;
    // This worker as it is now (the registry's row may be a beat behind).
    const self: TeamWorker = {
      id: this.id,
      name: this.name,
      backends: this.backends(),
      jobsDone: this.done,
      inFlight: [...this.inFlight.values()],
      startedAt: new Date(),
      heartbeatAt: new Date(),
      silentSeconds: 0,
      lost: false,
    };
    const { familyModel, defaults } = this.models;
    return familyToClaim({
      self: gpuKey(this.id, gpu.info),
      workers: [...listed.filter((w) => w.id !== this.id), self],
      counts,
      familyModel,
      defaults,
      now: Date.now(),
    });
  }

  private async loop(gpu: WorkerGpu): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    let downFor = 1000;
    while (!this.stop$.signal.aborted) {
      if (!this.online.has(gpu)) {
        if (await this.probe(gpu)) {
          downFor = 1000;
          await this.heartbeat();
        } else {
          await this.sleep(downFor);
          downFor = Math.min(downFor * 2, 30_000);
        }
        continue;
      }
      let claim: ClaimedJob | null = null;
      try {
        // Copy first (it unblocks the images of its product), on the GPU the Ollama shares.
        const copy = this.copy && gpu === this.gpus[0] ? await this.queue.claimCopy() : null;
        if (this.copy && copy) {
          await this.copy.switchPhase(gpu, 'copy');
          await this.writeCopy(this.copy, copy);
          continue;
        }
        const family = await this.choose(gpu);
        claim = family ? await this.queue.claim([family]) : null;
      } catch (err) {
        this.log(`${this.name}: the team database did not answer (${toShowcaseError(err).message})`);
        await this.sleep(pollMs * 2);
        continue;
      }
      if (!claim) {
        await this.sleep(pollMs);
        continue;
      }
      if (this.copy && gpu === this.gpus[0]) await this.copy.switchPhase(gpu, 'image');
      await this.render(gpu, claim);
    }
  }

  private async render(gpu: WorkerGpu, claim: ClaimedJob): Promise<void> {
    const { job } = claim;
    const what = `the ${job.kind}${job.kind === 'variation' ? ` ${job.idx}` : ''} of ${job.productId}`;
    await this.hold(
      claim,
      { kind: job.kind, backend: gpu.url },
      {
        work: async (signal, entry) => {
          const rendered = await gpu.render(
            job,
            this.bucket,
            signal,
            (value, max) => {
              entry.value = value;
              entry.max = max;
            },
            (input) => this.resolveInput(input),
          );
          const { key, sha256 } = await this.bucket.put(rendered.bytes, signal);
          const { width, height } = pngSize(rendered.bytes);
          gpu.measured(job.model, rendered.runMs);
          await this.queue.complete(claim, {
            worker: this.id,
            workerName: this.name,
            gpu: gpu.info.gpu,
            backend: gpu.url,
            key,
            sha256,
            width,
            height,
            ms: rendered.runMs,
          });
          return `rendered ${what} on ${gpu.url} in ${(rendered.runMs / 1000).toFixed(1)} s`;
        },
        failure: (err, stopped) =>
          stopped
            ? `worker ${this.name} stopped while rendering ${what}`
            : `worker ${this.name} (${gpu.info.gpu}, ComfyUI at ${gpu.url}) could not render ${what}: ${err.message}`,
        lost: (raw, err) => {
          if (isConnectionError(raw) || err.code === 'backend_unreachable') this.online.delete(gpu);
        },
      },
    );
  }

  private async writeCopy(copy: WorkerCopy, claim: ClaimedCopy): Promise<void> {
    const { job } = claim;
    await this.hold(
      claim,
      { kind: 'copy', backend: copy.url },
      {
        work: async (signal) => {
          await this.queue.completeCopy(claim, await copy.write(job, this, signal));
          return `wrote the copy of ${job.productId} with ${job.model} at ${copy.url}`;
        },
        failure: (err, stopped) =>
          stopped
            ? `worker ${this.name} stopped while writing the copy of ${job.productId}`
            : `worker ${this.name} (Ollama at ${copy.url}) could not write the copy of ${job.productId}: ${err.message}`,
      },
    );
  }

  /**
   * Holds a claimed job while `work` runs: listed in flight (the registry's heartbeat shows it), its
   * lease touched well inside pg-boss's heartbeat interval, abandoned when the worker stops. A failure
   * fails the attempt with a message naming the worker, its backend, the product and the cause;
   * pg-boss retries it (on any worker) until its retry limit.
   */
  private async hold(
    claim: ClaimedJob | ClaimedCopy,
    slot: { kind: string; backend: string },
    how: {
      work: (signal: AbortSignal, entry: TeamJobInFlight) => Promise<string>;
      failure: (err: ShowcaseError, stopped: boolean) => string;
      lost?: (raw: unknown, err: ShowcaseError) => void;
    },
  ): Promise<void> {
    const entry: TeamJobInFlight = {
      jobId: claim.id,
      galleryId: claim.job.galleryId,
      productId: claim.job.productId,
      ...slot,
      value: 0,
      max: 0,
    };
    this.inFlight.set(claim.id, entry);
    const controller = new AbortController();
    this.running.add(controller);
    const touchMs = Math.max(1000, ((this.queue.settings.heartbeatSeconds ?? 30) * 1000) / 3);
    const touch = setInterval(() => void this.queue.heartbeat(claim).catch(() => undefined), touchMs);
    try {
      const line = await how.work(controller.signal, entry);
      this.done += 1;
      this.finishedSinceBeat += 1;
      this.log(`${this.name}: ${line}`);
    } catch (raw) {
      const err = toShowcaseError(raw);
      const stopped = controller.signal.aborted;
      const message = how.failure(err, stopped);
      this.failed += 1;
      this.log(`${this.name}: ${message}`);
      await this.queue.fail(claim, message).catch(() => undefined);
      if (!stopped) how.lost?.(raw, err);
    } finally {
      clearInterval(touch);
      this.running.delete(controller);
      this.inFlight.delete(claim.id);
    }
  }

  /** An input image: in the bucket already, or the output of the team job that made it (the hero). */
  private async resolveInput(input: TeamInput): Promise<{ key: string; sha256: string }> {
    if ('key' in input) return input;
    const row = (await this.queue.states([input.fromJob])).get(input.fromJob);
    const parsed = TeamRenderResultSchema.safeParse(row?.output);
    if (row?.state !== 'completed' || !parsed.success) {
      throw new ShowcaseError(
        'conflict',
        `the image this one starts from (team job ${input.fromJob}) is not rendered yet`,
        {
          retryable: true,
        },
      );
    }
    return { key: parsed.data.key, sha256: parsed.data.sha256 };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stop$.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      const stop = this.stop$.signal;
      function done() {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      }
      stop.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Stops: no new claims; renders in progress are abandoned and their jobs failed at once so another
   * worker takes them (a retry, not a loss); the worker leaves the registry.
   */
  async stop(): Promise<void> {
    if (this.stop$.signal.aborted) return;
    this.stop$.abort();
    for (const controller of this.running)
      controller.abort(new ShowcaseError('interrupted', 'worker stopping'));
    await Promise.all(this.loops);
    await this.registry?.unregister(this.id).catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.beat) clearInterval(this.beat);
    this.beat = null;
    await Promise.all(this.gpus.map((g) => g.close()));
    this.bucket.close();
    await this.connection.close();
  }
}
