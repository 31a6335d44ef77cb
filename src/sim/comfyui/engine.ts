// The prompt queue and its single worker (comfyui.md §3, §4): heap order by (number, prompt_id),
// history entries written after execution_success, /free flags, interrupts and restart. Executing
// one prompt is the Executor's (executor.ts).

import { clientIdOf, type EngineOptions, Executor } from './executor.ts';
import type { ApiGraph } from './faults.ts';
import { type HistoryEntry, heapify, heapPop, heapPush, type QueueItem } from './queue.ts';
import { Killed } from './run-errors.ts';

export type { EngineOptions } from './executor.ts';
export type { HistoryEntry, QueueItem, StatusMessage } from './queue.ts';
export { wireItem } from './queue.ts';

export class Engine {
  readonly queue: QueueItem[] = [];
  readonly running = new Map<number, QueueItem & { startedAt: number }>();
  readonly history = new Map<string, HistoryEntry>();
  /** PromptServer.number: the counter behind `number` for prompts that do not bring one. */
  counter = 0;

  private readonly opts: EngineOptions;
  private readonly executor: Executor;
  private taskCounter = 0;
  private wakeWorker: (() => void) | null = null;
  private flags: { unload_models?: boolean; free_memory?: boolean } = {};
  private closed = false;
  private worker: Promise<void> | null = null;

  constructor(opts: EngineOptions, isOutputClass: (classType: string) => boolean) {
    this.opts = opts;
    this.executor = new Executor(opts, isOutputClass);
  }

  /** The client of the prompt running now. */
  get currentClientId(): string | null {
    return this.executor.currentClientId;
  }

  /** The node that client was last told is executing (null between prompts). */
  get lastNodeId(): string | null {
    return this.executor.lastNodeId;
  }

  start(): void {
    const gen = this.executor.generation;
    this.worker = this.workerLoop(gen);
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.killRun();
    await this.worker;
  }

  /** Server restart: queue, history, caches and in-flight work vanish; the worker starts afresh. */
  async restart(): Promise<void> {
    this.killRun();
    await this.worker;
    this.queue.splice(0, this.queue.length);
    this.running.clear();
    this.history.clear();
    this.flags = {};
    this.counter = 0;
    this.executor.reset();
    this.opts.gpu.unloadAll('comfyui');
    this.start();
  }

  private killRun(): void {
    this.executor.killRun();
    this.wakeWorker?.();
  }

  queueRemaining(): number {
    return this.queue.length + this.running.size;
  }

  queueInfo(): { exec_info: { queue_remaining: number } } {
    return { exec_info: { queue_remaining: this.queueRemaining() } };
  }

  broadcastStatus(): void {
    this.opts.hub.send('status', { status: this.queueInfo() }, null);
  }

  put(item: QueueItem): void {
    heapPush(this.queue, item);
    this.broadcastStatus();
    this.wakeWorker?.();
  }

  wipeQueue(): void {
    this.queue.splice(0, this.queue.length);
    this.broadcastStatus();
  }

  deleteQueued(promptId: string): boolean {
    const index = this.queue.findIndex((item) => item.promptId === promptId);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    heapify(this.queue);
    this.broadcastStatus();
    return true;
  }

  runningItem(): (QueueItem & { startedAt: number }) | undefined {
    return [...this.running.values()][0];
  }

  /** POST /interrupt: global, or only when `promptId` is the running job. */
  interrupt(promptId?: string): boolean {
    if (promptId !== undefined) {
      const current = this.runningItem();
      if (!current || current.promptId !== promptId) return false;
    }
    this.executor.interrupt();
    return true;
  }

  setFreeFlags(unloadModels: boolean, freeMemory: boolean): void {
    if (unloadModels) this.flags.unload_models = true;
    if (freeMemory) this.flags.free_memory = true;
    this.wakeWorker?.();
  }

  deleteHistory(promptId: string): void {
    this.history.delete(promptId);
  }

  private processFlags(): void {
    const { unload_models: unload, free_memory: freeMemory = false } = this.flags;
    this.flags = {};
    if (unload ?? freeMemory) this.opts.gpu.unloadAll('comfyui');
    if (freeMemory) this.executor.clearCache();
  }

  private async workerLoop(gen: number): Promise<void> {
    while (!this.closed && gen === this.executor.generation) {
      this.processFlags();
      const item = heapPop(this.queue);
      if (!item) {
        await new Promise<void>((resolve) => {
          this.wakeWorker = resolve;
        });
        this.wakeWorker = null;
        continue;
      }
      const taskId = this.taskCounter++;
      this.running.set(taskId, { ...item, startedAt: this.opts.now() });
      this.opts.onExecution();
      const runFaults = this.opts.faults.takeRunFaults(item.promptId, item.prompt as ApiGraph);
      const clientId = clientIdOf(item);
      if (runFaults.dropWs) this.opts.hub.armDrop(runFaults.dropWs.k, runFaults.dropWs.mode, clientId);
      this.broadcastStatus();
      try {
        const result = await this.executor.execute(item, runFaults, gen);
        if (runFaults.historyDelayMs > 0) await this.executor.realSleep(runFaults.historyDelayMs);
        this.executor.assertLive(gen);
        if (this.history.size > this.opts.historyCap) {
          const oldest = this.history.keys().next();
          if (!oldest.done) this.history.delete(oldest.value);
        }
        this.history.set(item.promptId, { item, ...result });
        this.running.delete(taskId);
        this.broadcastStatus();
        if (clientId !== null)
          this.opts.hub.send('executing', { node: null, prompt_id: item.promptId }, clientId);
      } catch (err) {
        if (err instanceof Killed) return;
        // A simulator bug must not stop the queue: record the job as failed and carry on.
        const data = {
          prompt_id: item.promptId,
          node_id: null,
          node_type: null,
          executed: [],
          exception_message: `${err instanceof Error ? err.message : String(err)}\n`,
          exception_type: 'Exception',
          traceback: [],
          current_inputs: {},
          current_outputs: [],
          timestamp: this.opts.now(),
        };
        this.history.set(item.promptId, {
          item,
          outputs: {},
          status: { status_str: 'error', completed: false, messages: [['execution_error', data]] },
          meta: {},
        });
        this.running.delete(taskId);
        this.broadcastStatus();
        if (clientId !== null)
          this.opts.hub.send('executing', { node: null, prompt_id: item.promptId }, clientId);
      } finally {
        this.opts.hub.disarmDrop();
      }
    }
  }
}
