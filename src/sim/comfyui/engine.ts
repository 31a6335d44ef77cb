// The prompt queue, the single worker and the executor (comfyui.md §3, §4, §8.3, §9): heap order by
// (number, prompt_id), classic caching, the exact WS message sequence and routing, history entries
// written after execution_success, interrupts, /free flags and restart.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OutOfVramError, type SimGpu } from '../gpu.ts';
import type { ComfyVersion } from './catalog.ts';
import type { ApiGraph, FaultState, RunFaults } from './faults.ts';
import type { SimFiles } from './files.ts';
import { type ImageRef, type NodeRuntime, nodeImpls, type SimValue } from './nodes.ts';
import { type PreviewMethod, runPreviewMethod } from './previews.ts';
import { isPlainObject, PyError, PyFloat, pyStr } from './pyjson.ts';
import { previewFrame, previewFrameWithMetadata, type WsHub } from './ws.ts';

export interface QueueItem {
  number: number;
  /** An explicit `number` is float()-ed by the server and echoed as e.g. `5.0`. */
  numberIsFloat: boolean;
  promptId: string;
  prompt: Record<string, unknown>;
  extraData: Record<string, unknown>;
  outputs: string[];
  /** `nodeId/input` paths holding Python floats, so replies print them as `1.0`. */
  floatInputs?: string[];
}

export type StatusMessage = [string, Record<string, unknown>];

export interface HistoryEntry {
  item: QueueItem;
  outputs: Record<string, unknown>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: StatusMessage[] };
  meta: Record<string, unknown>;
}

export interface EngineOptions {
  gpu: SimGpu;
  files: SimFiles;
  hub: WsHub;
  faults: FaultState;
  version: ComfyVersion;
  /** The server's `--preview-method`. */
  previewMethod: PreviewMethod;
  /** Whether `extra_data.preview_method` overrides it per prompt (newer servers only). */
  previewOverride: boolean;
  historyCap: number;
  now: () => number;
  modelFiles: (folder: string) => string[];
  /** 2026 regression (PR #14939): cached runs without client_id get empty history outputs. */
  cachedOutputsBug: boolean;
  onExecution: () => void;
}

interface CacheEntry {
  outputs: SimValue[];
  ui: { images: ImageRef[] } | null;
}

interface ProgressEntry {
  value: number;
  max: number;
  state: 'running' | 'finished';
  node_id: string;
  prompt_id: string;
  display_node_id: string;
  parent_node_id: null;
  real_node_id: string;
}

/** Raised into a run when the server restarts: the job vanishes without further messages. */
class Killed extends Error {
  constructor() {
    super('simulator restarted');
    this.name = 'Killed';
  }
}

class Interrupted extends Error {
  constructor() {
    super('Processing interrupted');
    this.name = 'InterruptProcessingException';
  }
}

const OOM_TYPE = 'torch.OutOfMemoryError';
const OOM_TIPS =
  'This error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.';

const heavyNodes = new Set(['KSampler', 'VAEDecode', 'VAEEncode']);

function compareItems(a: QueueItem, b: QueueItem): number {
  if (a.number !== b.number) return a.number < b.number ? -1 : 1;
  if (a.promptId === b.promptId) return 0;
  return a.promptId < b.promptId ? -1 : 1;
}

/** A binary min-heap kept in a plain array, so `GET /queue` can show the raw heap order. */
function heapPush(heap: QueueItem[], item: QueueItem): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] as QueueItem;
    if (compareItems(item, p) >= 0) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = item;
}

function heapPop(heap: QueueItem[]): QueueItem | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const r = l + 1;
    const child = r < heap.length && compareItems(heap[r] as QueueItem, heap[l] as QueueItem) < 0 ? r : l;
    if (compareItems(heap[child] as QueueItem, last) >= 0) break;
    heap[i] = heap[child] as QueueItem;
    i = child;
  }
  heap[i] = last;
  return top;
}

function heapify(heap: QueueItem[]): void {
  const items = heap.splice(0, heap.length);
  for (const item of items) heapPush(heap, item);
}

export function isLink(value: unknown): value is [string, number] {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number'
  );
}

/** The 5-element queue/history tuple. */
export function wireItem(item: QueueItem): unknown[] {
  let prompt = item.prompt;
  if (item.floatInputs && item.floatInputs.length > 0) {
    prompt = { ...item.prompt };
    for (const path of item.floatInputs) {
      const slash = path.indexOf('/');
      const id = path.slice(0, slash);
      const name = path.slice(slash + 1);
      const node = prompt[id];
      if (!isPlainObject(node) || !isPlainObject(node.inputs) || typeof node.inputs[name] !== 'number')
        continue;
      prompt[id] = { ...node, inputs: { ...node.inputs, [name]: new PyFloat(node.inputs[name]) } };
    }
  }
  return [
    item.numberIsFloat ? new PyFloat(item.number) : item.number,
    item.promptId,
    prompt,
    item.extraData,
    item.outputs,
  ];
}

/**
 * Classic cache keys: class + literal inputs + the keys of linked ancestors (+ LoadImage's file hash,
 * its IS_CHANGED). Identical sub-graphs get identical keys, so a new seed re-runs only what is
 * downstream of the sampler.
 */
function computeSignatures(graph: ApiGraph, files: SimFiles): Map<string, string> {
  const sigs = new Map<string, string>();
  const visiting = new Set<string>();
  const sig = (id: string): string => {
    const known = sigs.get(id);
    if (known) return known;
    const node = graph[id];
    if (!node || !isPlainObject(node) || visiting.has(id)) return `unkeyable:${id}:${Math.random()}`;
    visiting.add(id);
    const inputs = isPlainObject(node.inputs) ? node.inputs : {};
    const parts: unknown[] = [node.class_type];
    for (const key of Object.keys(inputs).sort()) {
      const v = inputs[key];
      parts.push(isLink(v) && graph[v[0]] ? [key, 'link', sig(v[0]), v[1]] : [key, 'value', v]);
    }
    if (node.class_type === 'LoadImage') {
      try {
        parts.push(
          createHash('sha256')
            .update(readFileSync(files.imagePath(pyStr(inputs.image))))
            .digest('hex'),
        );
      } catch {
        parts.push('missing');
      }
    }
    visiting.delete(id);
    const key = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
    sigs.set(id, key);
    return key;
  };
  for (const id of Object.keys(graph)) sig(id);
  return sigs;
}

/**
 * The order nodes run in: depth-first from the outputs (skipping cached inputs), then among the
 * ready nodes prefer outputs, then nodes that unblock an output, then nodes two steps from one.
 */
class ExecutionList {
  private readonly pending = new Map<string, true>();
  private readonly blockCount = new Map<string, number>();
  private readonly blocking = new Map<string, Set<string>>();
  private readonly graph: ApiGraph;
  private readonly isCached: (id: string) => boolean;
  private readonly isOutput: (id: string) => boolean;

  constructor(graph: ApiGraph, isCached: (id: string) => boolean, isOutput: (id: string) => boolean) {
    this.graph = graph;
    this.isCached = isCached;
    this.isOutput = isOutput;
  }

  add(id: string): void {
    const stack = [id];
    const links: [string, string][] = [];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      if (this.pending.has(current)) continue;
      this.pending.set(current, true);
      this.blockCount.set(current, 0);
      this.blocking.set(current, new Set());
      const inputs = this.graph[current]?.inputs ?? {};
      for (const value of Object.values(inputs)) {
        if (!isLink(value) || !this.graph[value[0]] || this.isCached(value[0])) continue;
        stack.push(value[0]);
        links.push([value[0], current]);
      }
    }
    for (const [from, to] of links) {
      const blocked = this.blocking.get(from);
      if (!blocked || blocked.has(to)) continue;
      blocked.add(to);
      this.blockCount.set(to, (this.blockCount.get(to) ?? 0) + 1);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  ids(): string[] {
    return [...this.pending.keys()];
  }

  /** The next node to run, or null when done. Throws on a dependency cycle. */
  next(): string | null {
    if (this.pending.size === 0) return null;
    const ready = [...this.pending.keys()].filter((id) => (this.blockCount.get(id) ?? 0) === 0);
    if (ready.length === 0) throw new PyError('graph.DependencyCycleError', 'Dependency cycle detected');
    const blockedBy = (id: string) => [...(this.blocking.get(id) ?? [])];
    return (
      ready.find((id) => this.isOutput(id)) ??
      ready.find((id) => blockedBy(id).some((b) => this.isOutput(b))) ??
      ready.find((id) => blockedBy(id).some((b) => blockedBy(b).some((c) => this.isOutput(c)))) ??
      (ready[0] as string)
    );
  }

  complete(id: string): void {
    this.pending.delete(id);
    for (const blocked of this.blocking.get(id) ?? []) {
      this.blockCount.set(blocked, (this.blockCount.get(blocked) ?? 1) - 1);
    }
  }
}

export class Engine {
  readonly queue: QueueItem[] = [];
  readonly running = new Map<number, QueueItem & { startedAt: number }>();
  readonly history = new Map<string, HistoryEntry>();
  /** PromptServer.number: the counter behind `number` for prompts that do not bring one. */
  counter = 0;
  currentClientId: string | null = null;
  lastNodeId: string | null = null;

  private readonly opts: EngineOptions;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly outputNodes: (classType: string) => boolean;
  private taskCounter = 0;
  private generation = 0;
  private kill = new AbortController();
  private wakeWorker: (() => void) | null = null;
  private readonly interruptWaiters = new Set<() => void>();
  private interruptFlag = false;
  private flags: { unload_models?: boolean; free_memory?: boolean } = {};
  private closed = false;
  private worker: Promise<void> | null = null;

  constructor(opts: EngineOptions, isOutputClass: (classType: string) => boolean) {
    this.opts = opts;
    this.outputNodes = isOutputClass;
  }

  start(): void {
    const gen = this.generation;
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
    this.cache.clear();
    this.flags = {};
    this.interruptFlag = false;
    this.counter = 0;
    this.currentClientId = null;
    this.lastNodeId = null;
    this.opts.gpu.unloadAll('comfyui');
    this.kill = new AbortController();
    this.start();
  }

  private killRun(): void {
    this.generation += 1;
    this.kill.abort(new Killed());
    for (const wake of this.interruptWaiters) wake();
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
    this.interruptFlag = true;
    for (const wake of this.interruptWaiters) wake();
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
    if (freeMemory) this.cache.clear();
  }

  private async workerLoop(gen: number): Promise<void> {
    while (!this.closed && gen === this.generation) {
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
        const result = await this.execute(item, runFaults, gen);
        if (runFaults.historyDelayMs > 0) await this.realSleep(runFaults.historyDelayMs);
        this.assertLive(gen);
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

  private assertLive(gen: number): void {
    if (gen !== this.generation) throw new Killed();
  }

  private realSleep(ms: number): Promise<void> {
    const signal = this.kill.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Killed());
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Killed());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private throwIfInterrupted(): void {
    if (this.interruptFlag) {
      this.interruptFlag = false;
      throw new Interrupted();
    }
  }

  private async execute(
    item: QueueItem,
    faults: RunFaults,
    gen: number,
  ): Promise<Omit<HistoryEntry, 'item'>> {
    const { hub, gpu, files } = this.opts;
    const promptId = item.promptId;
    const graph = item.prompt as ApiGraph;
    const clientId = clientIdOf(item);
    this.currentClientId = clientId;
    this.interruptFlag = false;
    const messages: StatusMessage[] = [];
    const send = (type: string, data: unknown, sid: string | null) => {
      this.assertLive(gen);
      hub.send(type, data, sid);
    };
    const addMessage = (event: string, data: Record<string, unknown>, broadcast: boolean) => {
      const full = { ...data, timestamp: this.opts.now() };
      messages.push([event, full]);
      if (clientId !== null || broadcast) send(event, full, clientId);
    };

    addMessage('execution_start', { prompt_id: promptId }, false);
    const sigs = computeSignatures(graph, files);
    const wanted = new Set(sigs.values());
    for (const key of [...this.cache.keys()]) if (!wanted.has(key)) this.cache.delete(key);
    const cachedEntry = (id: string) => {
      const key = sigs.get(id);
      return key === undefined ? undefined : this.cache.get(key);
    };
    const cachedIds = Object.keys(graph).filter((id) => cachedEntry(id) !== undefined);
    addMessage('execution_cached', { nodes: cachedIds, prompt_id: promptId }, false);

    const progress = new Map<string, ProgressEntry>();
    const sendProgressState = () =>
      send('progress_state', { prompt_id: promptId, nodes: Object.fromEntries(progress) }, clientId);
    const progressEntry = (id: string): ProgressEntry => {
      let entry = progress.get(id);
      if (!entry) {
        entry = {
          value: 0,
          max: 1,
          state: 'running',
          node_id: id,
          prompt_id: promptId,
          display_node_id: id,
          parent_node_id: null,
          real_node_id: id,
        };
        progress.set(id, entry);
      }
      return entry;
    };
    const finishProgress = (id: string) => {
      const entry = progressEntry(id);
      entry.state = 'finished';
      entry.value = entry.max;
      sendProgressState();
    };

    const isOutput = (id: string) => this.outputNodes(String(graph[id]?.class_type));
    const list = new ExecutionList(graph, (id) => cachedEntry(id) !== undefined, isOutput);
    for (const output of item.outputs) list.add(output);
    const toRun = list.ids().filter((id) => cachedEntry(id) === undefined);
    const hasHeavy = toRun.some((id) => heavyNodes.has(String(graph[id]?.class_type)));
    const hasSampler = toRun.some((id) => graph[id]?.class_type === 'KSampler');
    let oomArmed = faults.oom;
    let hangArmed = faults.hang;

    const previewsOn =
      runPreviewMethod(this.opts.previewMethod, this.opts.previewOverride, item.extraData.preview_method) !==
      'none';

    const values = new Map<string, SimValue[]>();
    const executed: string[] = [];
    let failure: { id: string; classType: string; error: unknown; inputs: Record<string, unknown> } | null =
      null;

    for (;;) {
      let id: string | null;
      try {
        id = list.next();
      } catch (err) {
        failure = { id: '', classType: '', error: err, inputs: {} };
        break;
      }
      if (id === null) break;
      const node = graph[id] as ApiGraph[string];
      const classType = node.class_type;
      const hit = cachedEntry(id);
      if (hit) {
        if (clientId !== null) {
          send('executed', { node: id, display_node: id, output: hit.ui, prompt_id: promptId }, clientId);
        }
        finishProgress(id);
        list.complete(id);
        continue;
      }
      progressEntry(id);
      sendProgressState();
      if (clientId !== null) {
        this.lastNodeId = id;
        send('executing', { node: id, display_node: id, prompt_id: promptId }, clientId);
      }
      const nodeId = id;
      const inputs: Record<string, unknown> = {};
      try {
        this.throwIfInterrupted();
        for (const [name, value] of Object.entries(node.inputs)) {
          if (isLink(value) && graph[value[0]]) {
            const source = values.get(value[0]) ?? cachedEntry(value[0])?.outputs;
            inputs[name] = source?.[value[1]];
          } else {
            inputs[name] = value;
          }
        }
        const failureFault = this.opts.faults.takeNodeFailure(classType);
        if (failureFault) throw new PyError(failureFault.exceptionType, failureFault.message);
        if (oomArmed && !hasHeavy) {
          oomArmed = false;
          throw new PyError(OOM_TYPE, 'Allocation on device ');
        }
        const runtime: NodeRuntime = {
          files,
          now: () => new Date(this.opts.now()),
          modelFiles: this.opts.modelFiles,
          modelLoadFailure: (folder, file) =>
            this.opts.faults.modelLoadFailure(file, `${files.modelsRoot}/${folder}/${file}`),
          nodeMs: gpu.profile.nodeMs,
          stepMs: gpu.profile.stepMs,
          loadModel: async (file) => {
            let ms: number;
            try {
              ms = gpu.load(file, 'comfyui');
            } catch (err) {
              if (err instanceof OutOfVramError) throw new PyError(OOM_TYPE, 'Allocation on device ');
              throw err;
            }
            await gpu.sleep(ms, this.kill.signal);
          },
          work: (ms) => gpu.sleep(ms, this.kill.signal),
          oomPoint: () => {
            if (!oomArmed) return;
            oomArmed = false;
            throw new PyError(OOM_TYPE, 'Allocation on device ');
          },
          hangPoint: async () => {
            if (!hangArmed) return;
            hangArmed = false;
            await this.hang(gen);
            this.throwIfInterrupted();
          },
          previewsWanted: () => previewsOn && hub.recipients(clientId).length > 0,
          samplerStep: async (step, steps, stepProfileMs, preview) => {
            await gpu.sleep(stepProfileMs, this.kill.signal);
            if (faults.stallMs > 0) await this.realSleep(faults.stallMs);
            this.assertLive(gen);
            this.throwIfInterrupted();
            const jpeg = preview && previewsOn ? await preview() : null;
            this.assertLive(gen);
            const entry = progressEntry(nodeId);
            entry.value = step;
            entry.max = steps;
            sendProgressState();
            const recipients = hub.recipients(clientId);
            if (jpeg) {
              const meta = {
                node_id: nodeId,
                prompt_id: promptId,
                display_node_id: nodeId,
                parent_node_id: null,
                real_node_id: nodeId,
                image_type: 'image/jpeg',
              };
              for (const s of recipients)
                if (s.previewMetadata) hub.sendBinary(s, previewFrameWithMetadata(jpeg, meta));
            }
            send('progress', { value: step, max: steps, prompt_id: promptId, node: nodeId }, clientId);
            if (jpeg)
              for (const s of recipients) if (!s.previewMetadata) hub.sendBinary(s, previewFrame(jpeg));
          },
        };
        if (hangArmed && !hasSampler) await runtime.hangPoint();
        const impl = nodeImpls[classType];
        if (!impl) throw new PyError('KeyError', `'${classType}'`);
        const result = await impl(inputs, runtime);
        this.assertLive(gen);
        values.set(id, result.outputs);
        const key = sigs.get(id);
        if (key !== undefined) this.cache.set(key, { outputs: result.outputs, ui: result.ui ?? null });
        executed.push(id);
        if (result.ui && clientId !== null) {
          send('executed', { node: id, display_node: id, output: result.ui, prompt_id: promptId }, clientId);
        }
        finishProgress(id);
        list.complete(id);
      } catch (err) {
        if (err instanceof Killed) throw err;
        failure = { id, classType, error: err, inputs };
        break;
      }
    }

    let success = failure === null;
    if (failure) {
      success = false;
      const { id, classType, error } = failure;
      if (error instanceof Interrupted) {
        addMessage(
          'execution_interrupted',
          { prompt_id: promptId, node_id: id, node_type: classType, executed: [...executed] },
          true,
        );
      } else {
        const pyType = error instanceof PyError ? error.pyType : 'Exception';
        const text = error instanceof Error ? error.message : String(error);
        const isOom = pyType === OOM_TYPE;
        // Like the server: an OOM makes it unload every model so the next job starts clean.
        if (isOom) gpu.unloadAll('comfyui');
        addMessage(
          'execution_error',
          {
            prompt_id: promptId,
            node_id: id,
            node_type: classType,
            executed: [...executed],
            exception_message: `${text}\n${isOom ? OOM_TIPS : ''}`,
            exception_type: pyType,
            traceback: [
              `  File "sim/comfyui/engine.ts", in execute\n    (simulated ${classType} node ${id})\n`,
              `${pyType}: ${text}\n`,
            ],
            current_inputs: formatInputs(failure.inputs),
            current_outputs: Object.keys(graph),
          },
          false,
        );
      }
    }

    const outputs: Record<string, unknown> = {};
    const meta: Record<string, unknown> = {};
    const dropCached = this.opts.cachedOutputsBug && this.opts.version === '2026' && clientId === null;
    for (const id of Object.keys(graph)) {
      const entry = cachedEntry(id);
      if (!entry?.ui) continue;
      if (dropCached && cachedIds.includes(id)) continue;
      outputs[id] = entry.ui;
      meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
    }
    this.lastNodeId = null;
    if (success) addMessage('execution_success', { prompt_id: promptId }, false);
    return {
      outputs,
      status: { status_str: success ? 'success' : 'error', completed: success, messages },
      meta,
    };
  }

  /** A "lost" job: nothing happens until an interrupt (or a restart) arrives. */
  private async hang(gen: number): Promise<void> {
    while (!this.interruptFlag) {
      this.assertLive(gen);
      await new Promise<void>((resolve) => {
        this.interruptWaiters.add(resolve);
      });
      this.interruptWaiters.clear();
    }
    this.assertLive(gen);
  }
}

function clientIdOf(item: QueueItem): string | null {
  const id = item.extraData.client_id;
  if (id === undefined || id === null) return null;
  return pyStr(id);
}

/** `current_inputs`: each input as a list of formatted values (objects as their str()). */
function formatInputs(inputs: Record<string, unknown>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[name] = [value];
    else if (isPlainObject(value) && typeof value.kind === 'string') out[name] = [`<${value.kind} object>`];
    else out[name] = [pyStr(value)];
  }
  return out;
}
