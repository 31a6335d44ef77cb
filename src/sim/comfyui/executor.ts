// Runs one prompt (§4, §8.3, §9): cached nodes are skipped, the rest execute in the execution list's
// order with the exact WS message sequence (executing, progress, progress_state, previews, executed),
// and interrupts, injected faults and OOM end it the way the server does. Engine (engine.ts) owns the
// queue and the worker that hands prompts to it.
import { OutOfVramError, type SimGpu } from '../gpu.ts';
import type { ComfyVersion } from './catalog.ts';
import { computeSignatures, ExecutionList, isLink } from './execution-list.ts';
import type { ApiGraph, FaultState, RunFaults } from './faults.ts';
import type { SimFiles } from './files.ts';
import { type ImageRef, type NodeRuntime, nodeImpls, type SimValue } from './nodes.ts';
import { type PreviewMethod, runPreviewMethod } from './previews.ts';
import { PyError, pyStr } from './pyjson.ts';
import type { HistoryEntry, QueueItem, StatusMessage } from './queue.ts';
import { failureMessage, Interrupted, Killed, type NodeFailure, OOM_TYPE } from './run-errors.ts';
import { previewFrame, previewFrameWithMetadata, type WsHub } from './ws.ts';

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

const heavyNodes = new Set(['KSampler', 'VAEDecode', 'VAEEncode']);

export class Executor {
  /** The client of the prompt running now (a reconnecting client is told its node, §8.1). */
  currentClientId: string | null = null;
  lastNodeId: string | null = null;
  private readonly opts: EngineOptions;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly outputNodes: (classType: string) => boolean;
  private currentGeneration = 0;
  private kill = new AbortController();
  private readonly interruptWaiters = new Set<() => void>();
  private interruptFlag = false;

  constructor(opts: EngineOptions, isOutputClass: (classType: string) => boolean) {
    this.opts = opts;
    this.outputNodes = isOutputClass;
  }

  /** Bumped by every kill: a run of an older generation is dead and must not write anything. */
  get generation(): number {
    return this.currentGeneration;
  }

  /** Ends the running prompt at once (restart, stop): it vanishes without further messages. */
  killRun(): void {
    this.currentGeneration += 1;
    this.kill.abort(new Killed());
    for (const wake of this.interruptWaiters) wake();
  }

  /** After a restart: caches and the state of the killed run are gone. */
  reset(): void {
    this.cache.clear();
    this.interruptFlag = false;
    this.currentClientId = null;
    this.lastNodeId = null;
    this.kill = new AbortController();
  }

  /** POST /interrupt reached the running prompt. */
  interrupt(): void {
    this.interruptFlag = true;
    for (const wake of this.interruptWaiters) wake();
  }

  /** /free with free_memory. */
  clearCache(): void {
    this.cache.clear();
  }

  assertLive(gen: number): void {
    if (gen !== this.generation) throw new Killed();
  }

  realSleep(ms: number): Promise<void> {
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

  async execute(item: QueueItem, faults: RunFaults, gen: number): Promise<Omit<HistoryEntry, 'item'>> {
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
    let failure: NodeFailure | null = null;

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

    const success = failure === null;
    if (failure) {
      const [event, data, broadcast] = failureMessage(failure, promptId, executed, Object.keys(graph));
      // Like the server: an OOM makes it unload every model so the next job starts clean.
      if (data.exception_type === OOM_TYPE) gpu.unloadAll('comfyui');
      addMessage(event, data, broadcast);
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

export function clientIdOf(item: QueueItem): string | null {
  const id = item.extraData.client_id;
  if (id === undefined || id === null) return null;
  return pyStr(id);
}
