// A protocol-faithful fake of the Ollama HTTP API on node:http, with model residency on the shared
// SimGpu (so the LLM competes with image models for VRAM) and scripted faults. Written from the
// protocol notes in ../shared/protocols/ollama.md (§12 is the checklist this implements).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { OutOfVramError, SimGpu } from '../gpu.ts';
import { type CatalogEntry, catalogEntry, normalizeTag } from './catalog.ts';
import { type AnswerFaults, type EarlyFault, OllamaFaults } from './faults.ts';
import {
  ChatRequestSchema,
  type FormatSpec,
  GenerateRequestSchema,
  goSyntaxError,
  invalidFormatMessage,
  KEEP_FOREVER,
  ModelRequestSchema,
  parseBody,
  parseFormat,
  parseKeepAlive,
  parseOptions,
  parseThink,
  SimHttpError,
} from './wire.ts';
import {
  breakSchema,
  countPromptTokens,
  rngFor,
  tokenize,
  type WriteRequest,
  writeAnswer,
  writeChatter,
  writeThinking,
} from './writer.ts';

export interface OllamaSimOptions {
  /** Default 127.0.0.1 (Ollama binds IPv4 loopback). */
  host?: string;
  /** Default 0 (an ephemeral port, see `url`); pass 11434 to stand in for a real server. */
  port?: number;
  /** The GPU shared with the ComfyUI simulator; a private one is created when omitted. */
  gpu?: SimGpu;
  /** Time scale of the private GPU (ignored when `gpu` is given: the GPU's own scale applies). */
  timeScale?: number;
  /** Installed tags, default ['llama3.2:latest']; untagged names get `:latest`. */
  models?: string[];
  /** Reported by /api/version, default '0.33.0-sim'. */
  version?: string;
  /** Server default keep_alive (OLLAMA_KEEP_ALIVE), default '5m'. Scaled by the GPU time scale. */
  defaultKeepAlive?: string | number;
  /** Profile ms between the last request on a model finishing and its unload (keep_alive 0). Default 500. */
  unloadDelayMs?: number;
  /** num_ctx when a request does not send one (the profile's VRAM footprint is at this context). Default 4096. */
  defaultNumCtx?: number;
  /** KV-cache bytes per context token; size_vram grows by this per num_ctx token above the default. */
  kvBytesPerToken?: number;
  /** Requests that may wait for a busy model before the server answers 503 (OLLAMA_MAX_QUEUE). Default 512. */
  maxQueue?: number;
  /** Tags /api/pull can fetch; default: any name succeeds. */
  registry?: string[];
  /** Profile ms a whole /api/pull takes. Default 20000. */
  pullMs?: number;
  /** Receives the fake server's log lines (aborted loads, unloads). */
  log?: (line: string) => void;
}

export interface OllamaSimRequestRecord {
  method: string;
  path: string;
  /** The parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** Set when the response finished normally (absent for reset or abandoned connections). */
  status?: number;
  startedAt: number;
  durationMs?: number;
}

export interface OllamaSimStats {
  /** POST /api/chat requests (including load/unload forms). */
  chat: number;
  /** POST /api/generate requests (including load/unload forms). */
  generate: number;
  /** Connections that closed before their answer was complete (client aborts, cancelled loads, resets). */
  aborted: number;
  requests: OllamaSimRequestRecord[];
}

export interface OllamaSim {
  url: string;
  port: number;
  gpu: SimGpu;
  faults: OllamaFaults;
  stats: OllamaSimStats;
  /** Installed tags (normalised `name:tag`). */
  installedModels(): string[];
  /** Installs a tag as if it had been pulled. */
  installModel(tag: string): void;
  /** Uninstalls a tag and evicts it from the GPU. */
  removeModel(tag: string): void;
  /** Stops the server, drops open connections and frees this server's VRAM on the GPU. */
  close(): Promise<void>;
}

interface Resident {
  numCtx: number;
  /** Full footprint in bytes (weights + KV cache); the GPU holds `size_vram` of it. */
  size: number;
  keepAliveMs: number;
  inFlight: number;
  unloading: Promise<void> | undefined;
}

/** One request at a time per model (OLLAMA_NUM_PARALLEL = 1); the rest wait in FIFO order. */
class ModelSlot {
  private busy = false;
  private readonly waiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  get waiting(): number {
    return this.waiters.length;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  acquire(signal: AbortSignal): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal.reason);
      };
      this.waiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next();
      return;
    }
    this.busy = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Go's "forever" is ~292 years out; JS dates cannot hold MaxInt64 ns, this is close enough. */
const FOREVER_MS = 292 * 365.25 * 24 * 3_600_000;

type Route = { methods: readonly string[] };
const routes: Record<string, Route> = {
  '/': { methods: ['GET', 'HEAD'] },
  '/api/version': { methods: ['GET', 'HEAD'] },
  '/api/tags': { methods: ['GET', 'HEAD'] },
  '/api/ps': { methods: ['GET'] },
  '/api/show': { methods: ['POST'] },
  '/api/generate': { methods: ['POST'] },
  '/api/chat': { methods: ['POST'] },
  '/api/pull': { methods: ['POST'] },
  '/api/delete': { methods: ['DELETE'] },
};

const defaultErrorTexts: Record<number, string> = {
  400: 'invalid request',
  429: 'too many requests',
  500: 'llama runner process has terminated: exit status 2',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

/** Loopback/private hosts pass the DNS-rebinding guard; anything else gets 403 with an empty body. */
function hostAllowed(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined || hostHeader === '') return true;
  const host = (
    hostHeader.startsWith('[') ? hostHeader.slice(1, hostHeader.indexOf(']')) : hostHeader.split(':')[0]
  )
    ?.toLowerCase()
    .trim();
  if (host === undefined || host === '') return true;
  if (host === 'localhost' || host === hostname().toLowerCase()) return true;
  if (/\.(localhost|local|internal)$/.test(host)) return true;
  if (host === '::1' || host === '0.0.0.0') return true;
  if (/^(127|10)\.\d+\.\d+\.\d+$/.test(host) || /^192\.168\.\d+\.\d+$/.test(host)) return true;
  if (/^172\.(1[6-9]|2\d|3[01])\.\d+\.\d+$/.test(host)) return true;
  return /^f[cd][0-9a-f]{2}:/.test(host) || /^fe80:/.test(host);
}

function validModelName(name: string): boolean {
  return name.length <= 350 && /^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/.test(name) && !name.endsWith(':');
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

/** Metric fields are omitempty in Go: zero values are left out. */
function withoutZeros(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== 0));
}

function nowNs(): bigint {
  return process.hrtime.bigint();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimHttpError(413, 'http: request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (err === signal.reason || (err instanceof Error && err.name === 'AbortError'));
}

export async function startOllamaSim(options: OllamaSimOptions = {}): Promise<OllamaSim> {
  const gpu =
    options.gpu ?? new SimGpu(options.timeScale === undefined ? {} : { timeScale: options.timeScale });
  const version = options.version ?? '0.33.0-sim';
  const unloadDelayMs = options.unloadDelayMs ?? 500;
  const defaultNumCtx = options.defaultNumCtx ?? 4096;
  const kvBytesPerToken = options.kvBytesPerToken ?? 112 * 1024;
  const maxQueue = options.maxQueue ?? 512;
  const pullMs = options.pullMs ?? 20_000;
  const registry = options.registry?.map(normalizeTag);
  const log = options.log ?? (() => {});
  const defaultKeepAliveMs = parseKeepAlive(options.defaultKeepAlive ?? '5m', 300_000);

  const installed = new Map<string, CatalogEntry>();
  for (const tag of options.models ?? ['llama3.2:latest'])
    installed.set(normalizeTag(tag), catalogEntry(tag));
  const residents = new Map<string, Resident>();
  const slots = new Map<string, ModelSlot>();
  const closing = new AbortController();
  const stats: OllamaSimStats = { chat: 0, generate: 0, aborted: 0, requests: [] };

  const removeModel = (tag: string): void => {
    const name = normalizeTag(tag);
    installed.delete(name);
    gpu.unload(name);
    residents.delete(name);
  };
  const faults = new OllamaFaults(removeModel);

  const slotFor = (tag: string): ModelSlot => {
    let slot = slots.get(tag);
    if (!slot) {
      slot = new ModelSlot();
      slots.set(tag, slot);
    }
    return slot;
  };

  /** Wall-clock expiry for a keep_alive; durations are in profile time like everything else. */
  const expiryFor = (keepAliveMs: number): number | null => {
    if (keepAliveMs === KEEP_FOREVER) return null;
    return Date.now() + (gpu.timeScale > 0 ? gpu.scaled(keepAliveMs) : keepAliveMs);
  };

  /** keep_alive 0: the reply is immediate, the unload happens once the model is idle, after a delay. */
  const scheduleUnload = (tag: string): void => {
    const resident = residents.get(tag);
    if (!resident) {
      gpu.unload(tag);
      return;
    }
    if (resident.unloading) return;
    resident.unloading = (async () => {
      await slotFor(tag).whenIdle();
      try {
        await gpu.sleep(unloadDelayMs, closing.signal);
      } catch {
        // closing: close() frees everything anyway
      }
      gpu.unload(tag);
      if (residents.get(tag) === resident) residents.delete(tag);
      log(`unloaded ${tag}`);
    })();
  };

  /**
   * Makes the model resident with the requested context; returns after the (scaled) load time.
   * A client that disconnects mid-load cancels it, as the real scheduler does (status 499).
   */
  const ensureLoaded = async (tag: string, numCtx: number, signal: AbortSignal): Promise<Resident> => {
    const current = residents.get(tag);
    // A resident with an unload pending is still usable: the unload waits until this request is done.
    if (current && gpu.isLoaded(tag) && current.numCtx === numCtx) return current;
    // A changed num_ctx (a load-time option) reloads the runner.
    if (gpu.isLoaded(tag)) gpu.unload(tag);
    const spec = gpu.spec(tag);
    const size = Math.max(
      Math.round(spec.vram / 2),
      Math.round(spec.vram + (numCtx - defaultNumCtx) * kvBytesPerToken),
    );
    try {
      gpu.load(tag, 'ollama', null, size);
    } catch (err) {
      if (!(err instanceof OutOfVramError)) throw err;
      // Ollama does not fail here: layers that do not fit run on the CPU (size_vram < size).
      gpu.load(tag, 'ollama', null, gpu.free());
      log(`${tag}: offloading ${size - gpu.free()} bytes to the CPU`);
    }
    const resident: Resident = {
      numCtx,
      size,
      keepAliveMs: defaultKeepAliveMs,
      inFlight: 0,
      unloading: undefined,
    };
    residents.set(tag, resident);
    const extra = faults.slowLoadMs;
    if (extra > 0) faults.record('slow-load', '', tag, `${extra} ms`);
    try {
      await gpu.sleep(spec.loadMs + extra, signal);
    } catch (err) {
      gpu.unload(tag);
      if (residents.get(tag) === resident) residents.delete(tag);
      log(`${tag}: client connection closed before server finished loading, aborting load`);
      throw err;
    }
    return resident;
  };

  const residentVramShare = (tag: string, resident: Resident): number => {
    const onGpu = gpu.models('ollama').find((m) => m.name === tag)?.vram ?? 0;
    return resident.size > 0 ? Math.min(1, onGpu / resident.size) : 1;
  };

  const handleEarlyFault = async (
    fault: EarlyFault,
    path: string,
    model: string,
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> => {
    if (fault.kind === 'http-error') {
      faults.record('http-error', path, model, String(fault.status));
      const text =
        fault.message ??
        (fault.status === 404
          ? `model "${model}" not found, try pulling it first`
          : (defaultErrorTexts[fault.status] ?? 'internal error'));
      sendError(res, fault.status, text);
      return;
    }
    if (fault.kind === 'reset-before-headers') {
      faults.record('reset-before-headers', path, model);
      req.socket.destroy();
      return;
    }
    faults.record('hang', path, model);
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  };

  const handleGeneration = async (
    kind: 'chat' | 'generate',
    body: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
    startNs: bigint,
  ): Promise<void> => {
    const path = `/api/${kind}`;
    const request =
      kind === 'chat'
        ? { kind, ...parseBody(ChatRequestSchema, 'ChatRequest', body) }
        : { kind, ...parseBody(GenerateRequestSchema, 'GenerateRequest', body) };
    const modelAsSent = request.model ?? '';
    if (modelAsSent === '') {
      if (kind === 'chat') throw new SimHttpError(400, 'model is required');
      throw new SimHttpError(404, "model '' not found");
    }
    if (!validModelName(modelAsSent)) throw new SimHttpError(400, 'invalid model name');
    const tag = normalizeTag(modelAsSent);
    const entry = installed.get(tag);
    if (!entry) throw new SimHttpError(404, `model '${modelAsSent}' not found`);

    const think = parseThink(request.think);
    const canThink = entry.capabilities.includes('thinking');
    if (think !== undefined && think !== false && !canThink) {
      throw new SimHttpError(400, `${JSON.stringify(modelAsSent)} does not support thinking`);
    }
    if (
      request.kind === 'generate' &&
      request.raw === true &&
      (Boolean(request.template) || Boolean(request.system) || (request.context?.length ?? 0) > 0)
    ) {
      throw new SimHttpError(400, 'raw mode does not support template, system, or context');
    }
    const keepAliveMs = parseKeepAlive(request.keep_alive, defaultKeepAliveMs);
    const empty =
      request.kind === 'chat'
        ? (request.messages ?? []).length === 0
        : (request.prompt ?? '') === '' && (request.images ?? []).length === 0;
    const base = (): Record<string, unknown> => ({
      model: modelAsSent,
      created_at: new Date().toISOString(),
    });
    const emptyText = (): Record<string, unknown> =>
      kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' };

    if (empty && keepAliveMs === 0) {
      scheduleUnload(tag);
      sendJson(res, 200, { ...base(), ...emptyText(), done_reason: 'unload', done: true });
      return;
    }

    const early = faults.drawEarly();
    if (early) {
      await handleEarlyFault(early, path, modelAsSent, req, res, signal);
      return;
    }

    const sampling = parseOptions(request.options);
    const numCtx = sampling.numCtx ?? defaultNumCtx;
    const waiting = [...slots.values()].reduce((n, s) => n + s.waiting, 0);
    const slot = slotFor(tag);
    if (slot.isBusy && waiting >= maxQueue)
      throw new SimHttpError(503, defaultErrorTexts[503] ?? 'server busy');

    const pendingUnload = residents.get(tag)?.unloading;
    if (pendingUnload) await pendingUnload;
    await slot.acquire(signal);
    let resident: Resident | undefined;
    try {
      resident = await ensureLoaded(tag, numCtx, signal);
      resident.inFlight += 1;
      gpu.setExpiry(tag, null);
      const loadedNs = nowNs();

      if (empty) {
        sendJson(res, 200, { ...base(), ...emptyText(), done_reason: 'load', done: true });
        return;
      }
      const format = parseFormat(request.format);
      if (format === null) throw new SimHttpError(500, invalidFormatMessage(request.format));

      const texts =
        request.kind === 'chat'
          ? (request.messages ?? []).map((m) => m.content ?? '')
          : [request.system ?? '', request.prompt ?? ''].filter((t) => t !== '');
      const greedy = sampling.temperature === 0;
      const write: WriteRequest = {
        texts,
        format,
        rngKey: [
          tag,
          JSON.stringify(texts),
          JSON.stringify(format),
          greedy ? 'greedy' : `seed:${sampling.seed}`,
        ].join('\n'),
      };
      const answerFaults = faults.drawAnswer();
      const answer = composeAnswer(write, format, answerFaults.content, path, modelAsSent);
      const rng = rngFor(`${write.rngKey}:tokens`);
      const thinkingTokens = canThink && think !== false ? tokenize(writeThinking(write), rng) : [];
      const contentTokens = tokenize(answer, rng);
      let doneReason = 'stop';
      let limit = thinkingTokens.length + contentTokens.length;
      if (answerFaults.content === 'truncated-json') {
        limit = thinkingTokens.length + Math.max(1, Math.floor(contentTokens.length * 0.6));
        doneReason = 'length';
      }
      if (sampling.numPredict > 0 && sampling.numPredict < limit) {
        limit = sampling.numPredict;
        doneReason = 'length';
      }
      const tokens = [
        ...thinkingTokens.map((text) => ({ thinking: true, text })),
        ...contentTokens.map((text) => ({ thinking: false, text })),
      ].slice(0, limit);

      await gpu.sleep(gpu.profile.promptEvalMs, signal);
      const promptDoneNs = nowNs();
      const tokenMs = gpu.profile.tokenMs * (1 + 4 * (1 - residentVramShare(tag, resident)));
      const streaming = request.stream !== false;
      const finalFields = (): Record<string, unknown> => {
        const end = nowNs();
        const out: Record<string, unknown> = {
          done_reason: doneReason,
          ...withoutZeros({
            total_duration: Number(end - startNs),
            load_duration: Number(loadedNs - startNs),
            prompt_eval_count: countPromptTokens(texts),
            prompt_eval_duration: Number(promptDoneNs - loadedNs),
            eval_count: tokens.length,
            eval_duration: Number(end - promptDoneNs),
          }),
        };
        if (kind === 'generate' && request.kind === 'generate' && request.raw !== true) {
          const contextRng = rngFor(`${write.rngKey}:context`);
          out.context = Array.from({ length: countPromptTokens(texts) + tokens.length }, () =>
            Math.floor(contextRng() * 128_000),
          );
        }
        return out;
      };
      if (streaming) {
        await streamTokens(
          res,
          tokens,
          tokenMs,
          answerFaults,
          base,
          kind,
          signal,
          finalFields,
          path,
          modelAsSent,
        );
      } else {
        await sendWhole(
          res,
          tokens,
          tokenMs,
          answerFaults,
          base,
          kind,
          signal,
          finalFields,
          path,
          modelAsSent,
          req,
        );
      }
    } finally {
      slot.release();
      if (resident) {
        resident.inFlight = Math.max(0, resident.inFlight - 1);
        resident.keepAliveMs = keepAliveMs;
        if (resident.inFlight === 0) {
          if (keepAliveMs === 0) scheduleUnload(tag);
          else if (residents.get(tag) === resident && !resident.unloading)
            gpu.setExpiry(tag, expiryFor(keepAliveMs));
        }
      }
    }
  };

  const composeAnswer = (
    write: WriteRequest,
    format: FormatSpec,
    fault: AnswerFaults['content'],
    path: string,
    model: string,
  ): string => {
    if (fault === 'invalid-json') {
      faults.record('invalid-json', path, model);
      return writeChatter(write);
    }
    const answer = writeAnswer(write);
    if (fault === 'schema-mismatch') {
      faults.record('schema-mismatch', path, model);
      return breakSchema(answer, format);
    }
    if (fault === 'truncated-json') faults.record('truncated-json', path, model);
    return answer;
  };

  /** Paces token output on the GPU clock without a sub-millisecond timer per token. */
  const pacer = (signal: AbortSignal) => {
    let owedProfileMs = 0;
    return async (profileMs: number, flush = false): Promise<void> => {
      owedProfileMs += profileMs;
      if (owedProfileMs > 0 && (flush || gpu.scaled(owedProfileMs) >= 2)) {
        const ms = owedProfileMs;
        owedProfileMs = 0;
        await gpu.sleep(ms, signal);
      }
    };
  };

  const streamTokens = async (
    res: ServerResponse,
    tokens: Array<{ thinking: boolean; text: string }>,
    tokenMs: number,
    answerFaults: AnswerFaults,
    base: () => Record<string, unknown>,
    kind: 'chat' | 'generate',
    signal: AbortSignal,
    finalFields: () => Record<string, unknown>,
    path: string,
    model: string,
  ): Promise<void> => {
    const pace = pacer(signal);
    const faultAt = Math.min(3, Math.floor(tokens.length / 2));
    let splitOnce = false;
    const writeLine = async (value: unknown): Promise<void> => {
      const bytes = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
      // Split inside a multi-byte character across two TCP writes (once per answer, with a real
      // pause) so clients must decode UTF-8 across chunk boundaries.
      const cut = splitOnce ? -1 : bytes.findIndex((b) => (b & 0xc0) === 0x80);
      if (cut > 0) {
        splitOnce = true;
        res.write(bytes.subarray(0, cut));
        await new Promise((resolve) => setTimeout(resolve, 2));
        res.write(bytes.subarray(cut));
        return;
      }
      res.write(bytes);
    };
    const chunk = (token: { thinking: boolean; text: string }): Record<string, unknown> => {
      if (kind === 'chat') {
        const message: Record<string, unknown> = {
          role: 'assistant',
          content: token.thinking ? '' : token.text,
        };
        if (token.thinking) message.thinking = token.text;
        return { ...base(), message, done: false };
      }
      return {
        ...base(),
        response: token.thinking ? '' : token.text,
        ...(token.thinking ? { thinking: token.text } : {}),
        done: false,
      };
    };

    for (const [index, token] of tokens.entries()) {
      if (answerFaults.slowStreamGapMs !== undefined && index > 0) {
        if (index === 1) faults.record('slow-stream', path, model, `${answerFaults.slowStreamGapMs} ms`);
        await gpu.sleep(answerFaults.slowStreamGapMs, signal);
      }
      await pace(tokenMs, index === 0);
      if (index === 0) res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
      if (index === faultAt && answerFaults.stream) {
        const fault = answerFaults.stream;
        if (fault.kind === 'reset-mid-stream') {
          faults.record('reset-mid-stream', path, model);
          // Let the chunks already written reach the client first: the cut must come mid-body.
          await new Promise((resolve) => setTimeout(resolve, 10));
          res.socket?.destroy();
          return;
        }
        if (fault.kind === 'mid-stream-error') {
          faults.record('mid-stream-error', path, model, fault.message);
          await writeLine({ error: fault.message });
          res.end();
          return;
        }
        faults.record('garbage-line', path, model);
        res.write('<!-- this line is not JSON -->\n');
      }
      await writeLine(chunk(token));
    }
    await pace(0, true);
    if (tokens.length === 0) res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
    const final = kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' };
    await writeLine({ ...base(), ...final, done: true, ...finalFields() });
    res.end();
  };

  const sendWhole = async (
    res: ServerResponse,
    tokens: Array<{ thinking: boolean; text: string }>,
    tokenMs: number,
    answerFaults: AnswerFaults,
    base: () => Record<string, unknown>,
    kind: 'chat' | 'generate',
    signal: AbortSignal,
    finalFields: () => Record<string, unknown>,
    path: string,
    model: string,
    req: IncomingMessage,
  ): Promise<void> => {
    const gap = answerFaults.slowStreamGapMs ?? 0;
    await gpu.sleep(tokenMs * tokens.length + gap * Math.max(0, tokens.length - 1), signal);
    const fault = answerFaults.stream;
    if (fault?.kind === 'reset-mid-stream') {
      // Headers of a non-streamed answer only go out at the end, so the reset comes before them.
      faults.record('reset-mid-stream', path, model);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'mid-stream-error') {
      faults.record('mid-stream-error', path, model, fault.message);
      sendError(res, 500, fault.message);
      return;
    }
    if (fault?.kind === 'garbage-line') {
      faults.record('garbage-line', path, model);
      sendText(res, 200, '<!-- this body is not JSON -->');
      return;
    }
    const content = tokens
      .filter((t) => !t.thinking)
      .map((t) => t.text)
      .join('');
    const thinking = tokens
      .filter((t) => t.thinking)
      .map((t) => t.text)
      .join('');
    const text =
      kind === 'chat'
        ? { message: { role: 'assistant', content, ...(thinking ? { thinking } : {}) } }
        : { response: content, ...(thinking ? { thinking } : {}) };
    sendJson(res, 200, { ...base(), ...text, done: true, ...finalFields() });
  };

  const handleShow = (body: unknown, res: ServerResponse): void => {
    const request = parseBody(ModelRequestSchema, 'ModelRequest', body);
    const name = request.model ?? request.name ?? '';
    if (name === '') throw new SimHttpError(400, 'model is required');
    const tag = normalizeTag(name);
    const entry = installed.get(tag);
    if (!entry) throw new SimHttpError(404, `model '${tag}' not found`);
    const family = entry.details.family;
    sendJson(res, 200, {
      license: 'Simulated model: no license text.',
      modelfile: `# Modelfile generated by "ollama show"\nFROM ${tag}\nTEMPLATE """{{ .Prompt }}"""\nPARAMETER stop "<|eot_id|>"\n`,
      parameters: 'stop                           "<|eot_id|>"',
      template: '{{ if .System }}{{ .System }}\n{{ end }}{{ .Prompt }}',
      details: entry.details,
      model_info: {
        'general.architecture': family,
        'general.parameter_count': Math.round(Number.parseFloat(entry.details.parameter_size) * 1e9),
        [`${family}.context_length`]: entry.contextLength,
        [`${family}.block_count`]: entry.blockCount,
        [`${family}.embedding_length`]: 3072,
      },
      capabilities: entry.capabilities,
      modified_at: entry.modifiedAt,
    });
  };

  const handlePull = async (body: unknown, res: ServerResponse, signal: AbortSignal): Promise<void> => {
    const request = parseBody(ModelRequestSchema, 'ModelRequest', body);
    const name = request.model ?? request.name ?? '';
    if (name === '') throw new SimHttpError(400, 'model is required');
    if (!validModelName(name)) throw new SimHttpError(400, 'invalid model name');
    const tag = normalizeTag(name);
    const streaming = request.stream !== false;
    if (registry && !registry.includes(tag)) {
      const message = 'pull model manifest: file does not exist';
      if (!streaming) throw new SimHttpError(500, message);
      res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
      res.write(`${JSON.stringify({ status: 'pulling manifest' })}\n`);
      res.end(`${JSON.stringify({ error: message })}\n`);
      return;
    }
    const entry = catalogEntry(tag);
    const layerDigest = (suffix: string) => createHash('sha256').update(`${tag}:${suffix}`).digest('hex');
    const layers = [
      { digest: `sha256:${entry.digest}`, total: entry.size },
      { digest: `sha256:${layerDigest('template')}`, total: 1_429 },
      { digest: `sha256:${layerDigest('license')}`, total: 7_711 },
      { digest: `sha256:${layerDigest('params')}`, total: 96 },
    ];
    const lines: Array<Record<string, unknown>> = [{ status: 'pulling manifest' }];
    for (const layer of layers) {
      const status = `pulling ${layer.digest.slice(7, 19)}`;
      lines.push({ status, digest: layer.digest, total: layer.total });
      for (const fraction of [0.25, 0.5, 0.75, 1]) {
        lines.push({
          status,
          digest: layer.digest,
          total: layer.total,
          completed: Math.round(layer.total * fraction),
        });
      }
    }
    lines.push({ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' });
    const stepMs = pullMs / lines.length;
    if (streaming) res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
    for (const line of lines) {
      await gpu.sleep(stepMs, signal);
      if (line.status === 'success') installed.set(tag, entry);
      if (streaming) res.write(`${JSON.stringify(line)}\n`);
    }
    if (streaming) res.end();
    else sendJson(res, 200, { status: 'success' });
  };

  const handleDelete = (body: unknown, res: ServerResponse): void => {
    const request = parseBody(ModelRequestSchema, 'ModelRequest', body);
    const name = request.model ?? request.name ?? '';
    if (name === '') throw new SimHttpError(400, 'model is required');
    if (!installed.has(normalizeTag(name))) throw new SimHttpError(404, `model '${name}' not found`);
    removeModel(name);
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
  };

  const psBody = () => {
    const models = gpu.models('ollama').map((loaded) => {
      const resident = residents.get(loaded.name);
      const entry = installed.get(loaded.name) ?? catalogEntry(loaded.name);
      const expiresAt =
        resident && resident.inFlight > 0
          ? (expiryFor(resident.keepAliveMs) ?? Date.now() + FOREVER_MS)
          : (loaded.expiresAt ?? Date.now() + FOREVER_MS);
      return {
        name: loaded.name,
        model: loaded.name,
        size: Math.max(resident?.size ?? loaded.vram, loaded.vram),
        digest: entry.digest,
        details: entry.details,
        expires_at: new Date(expiresAt).toISOString(),
        size_vram: loaded.vram,
        context_length: resident?.numCtx ?? defaultNumCtx,
      };
    });
    models.sort((a, b) => b.expires_at.localeCompare(a.expires_at));
    return { models };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startNs = nowNs();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        stats.aborted += 1;
        aborter.abort(new Error('client connection closed'));
      }
    });
    const record: OllamaSimRequestRecord = { method, path, body: undefined, startedAt: Date.now() };
    res.on('finish', () => {
      record.status = res.statusCode;
      record.durationMs = Date.now() - record.startedAt;
    });
    stats.requests.push(record);

    if (!hostAllowed(req.headers.host)) {
      res.writeHead(403, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const route = routes[path];
    if (!route) return sendText(res, 404, '404 page not found');
    if (!route.methods.includes(method)) return sendText(res, 405, '405 method not allowed');

    try {
      const text = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
      let body: unknown;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
          record.body = text;
          throw new SimHttpError(400, goSyntaxError(text));
        }
      }
      record.body = body;
      const needsBody = method === 'POST' || method === 'DELETE';
      if (needsBody && text === '') throw new SimHttpError(400, 'missing request body');

      switch (path) {
        case '/':
          return sendText(res, 200, 'Ollama is running');
        case '/api/version':
          return sendJson(res, 200, { version });
        case '/api/tags':
          return sendJson(res, 200, {
            models: [...installed.values()].map((e) => ({
              name: e.name,
              model: e.name,
              modified_at: e.modifiedAt,
              size: e.size,
              digest: e.digest,
              details: e.details,
            })),
          });
        case '/api/ps':
          return sendJson(res, 200, psBody());
        case '/api/show':
          return handleShow(body, res);
        case '/api/pull':
          return await handlePull(body, res, aborter.signal);
        case '/api/delete':
          return handleDelete(body, res);
        case '/api/chat':
          stats.chat += 1;
          return await handleGeneration('chat', body, req, res, aborter.signal, startNs);
        case '/api/generate':
          stats.generate += 1;
          return await handleGeneration('generate', body, req, res, aborter.signal, startNs);
        default:
          return sendText(res, 404, '404 page not found');
      }
    } catch (err) {
      if (isAbort(err, aborter.signal) || res.destroyed) return;
      if (res.headersSent) {
        // Too late for a status: Ollama reports late failures as a final error line.
        res.end(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
        return;
      }
      if (err instanceof SimHttpError) return sendError(res, err.status, err.message);
      sendError(res, 500, err instanceof Error ? err.message : String(err));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`unhandled: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  // Streams can pause for a long (simulated) load; never let node's own timers cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 5_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    gpu,
    faults,
    stats,
    installedModels: () => [...installed.keys()],
    installModel: (tag: string) => {
      installed.set(normalizeTag(tag), catalogEntry(tag));
    },
    removeModel,
    close: async () => {
      closing.abort(new Error('simulator closing'));
      faults.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const tag of residents.keys()) gpu.unload(tag);
      residents.clear();
    },
  };
}
