// One /api/chat or /api/generate request in the Ollama simulator: validation in Ollama's order, the
// unload and load-only forms, the queue per model, loading, the answer (the writer's deterministic text
// or a scripted fault) and its token plan; stream.ts delivers it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimGpu } from '../gpu.ts';
import { normalizeTag } from './catalog.ts';
import type { AnswerFaults, EarlyFault, OllamaFaults } from './faults.ts';
import type { Residency, Resident } from './residency.ts';
import { defaultErrorTexts, nowNs, sendError, sendJson, validModelName, withoutZeros } from './respond.ts';
import { sendWhole, streamTokens } from './stream.ts';
import {
  ChatRequestSchema,
  type FormatSpec,
  GenerateRequestSchema,
  invalidFormatMessage,
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

/** What a request handler of the simulator works with. */
export interface SimContext {
  gpu: SimGpu;
  residency: Residency;
  faults: OllamaFaults;
  /** Requests that may wait for a busy model before the server answers 503 (OLLAMA_MAX_QUEUE). */
  maxQueue: number;
  /** Profile ms a whole /api/pull takes. */
  pullMs: number;
  /** Tags /api/pull can fetch (undefined: any). */
  registry: readonly string[] | undefined;
}

export async function handleEarlyFault(
  ctx: SimContext,
  fault: EarlyFault,
  path: string,
  model: string,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  if (fault.kind === 'http-error') {
    ctx.faults.record('http-error', path, model, String(fault.status));
    const text =
      fault.message ??
      (fault.status === 404
        ? `model "${model}" not found, try pulling it first`
        : (defaultErrorTexts[fault.status] ?? 'internal error'));
    sendError(res, fault.status, text);
    return;
  }
  if (fault.kind === 'reset-before-headers') {
    ctx.faults.record('reset-before-headers', path, model);
    req.socket.destroy();
    return;
  }
  ctx.faults.record('hang', path, model);
  if (signal.aborted) return;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export async function handleGeneration(
  ctx: SimContext,
  kind: 'chat' | 'generate',
  body: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
  startNs: bigint,
): Promise<void> {
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
  const entry = ctx.residency.installed.get(tag);
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
  const keepAliveMs = parseKeepAlive(request.keep_alive, ctx.residency.defaultKeepAliveMs);
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
    ctx.residency.scheduleUnload(tag);
    sendJson(res, 200, { ...base(), ...emptyText(), done_reason: 'unload', done: true });
    return;
  }

  const early = ctx.faults.drawEarly();
  if (early) {
    await handleEarlyFault(ctx, early, path, modelAsSent, req, res, signal);
    return;
  }

  const sampling = parseOptions(request.options);
  const numCtx = sampling.numCtx ?? ctx.residency.defaultNumCtx;
  const waiting = ctx.residency.waiting();
  const slot = ctx.residency.slotFor(tag);
  if (slot.isBusy && waiting >= ctx.maxQueue)
    throw new SimHttpError(503, defaultErrorTexts[503] ?? 'server busy');

  const pendingUnload = ctx.residency.residents.get(tag)?.unloading;
  if (pendingUnload) await pendingUnload;
  await slot.acquire(signal);
  let resident: Resident | undefined;
  try {
    resident = await ctx.residency.ensureLoaded(tag, numCtx, signal);
    resident.inFlight += 1;
    ctx.gpu.setExpiry(tag, null);
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
    const answerFaults = ctx.faults.drawAnswer();
    const answer = composeAnswer(ctx, write, format, answerFaults.content, path, modelAsSent);
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

    await ctx.gpu.sleep(ctx.gpu.profile.promptEvalMs, signal);
    const promptDoneNs = nowNs();
    const tokenMs = ctx.gpu.profile.tokenMs * (1 + 4 * (1 - ctx.residency.vramShare(tag, resident)));
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
        ctx,
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
        ctx,
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
        if (keepAliveMs === 0) ctx.residency.scheduleUnload(tag);
        else if (ctx.residency.residents.get(tag) === resident && !resident.unloading)
          ctx.gpu.setExpiry(tag, ctx.residency.expiryFor(keepAliveMs));
      }
    }
  }
}

function composeAnswer(
  ctx: SimContext,
  write: WriteRequest,
  format: FormatSpec,
  fault: AnswerFaults['content'],
  path: string,
  model: string,
): string {
  if (fault === 'invalid-json') {
    ctx.faults.record('invalid-json', path, model);
    return writeChatter(write);
  }
  const answer = writeAnswer(write);
  if (fault === 'schema-mismatch') {
    ctx.faults.record('schema-mismatch', path, model);
    return breakSchema(answer, format);
  }
  if (fault === 'truncated-json') ctx.faults.record('truncated-json', path, model);
  return answer;
}
