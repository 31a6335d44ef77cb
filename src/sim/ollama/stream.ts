// Delivering a simulated answer: NDJSON token chunks paced on the GPU clock (with a UTF-8 character
// split across two TCP writes once per answer) or one JSON body, and the faults that hit mid-answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimGpu } from '../gpu.ts';
import type { AnswerFaults } from './faults.ts';
import type { SimContext } from './generation.ts';
import { NDJSON_TYPE, sendError, sendJson, sendText } from './respond.ts';

/** Paces token output on the GPU clock without a sub-millisecond timer per token. */
function pacer(gpu: SimGpu, signal: AbortSignal) {
  let owedProfileMs = 0;
  return async (profileMs: number, flush = false): Promise<void> => {
    owedProfileMs += profileMs;
    if (owedProfileMs > 0 && (flush || gpu.scaled(owedProfileMs) >= 2)) {
      const ms = owedProfileMs;
      owedProfileMs = 0;
      await gpu.sleep(ms, signal);
    }
  };
}

export async function streamTokens(
  ctx: SimContext,
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
): Promise<void> {
  const pace = pacer(ctx.gpu, signal);
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
      if (index === 1) ctx.faults.record('slow-stream', path, model, `${answerFaults.slowStreamGapMs} ms`);
      await ctx.gpu.sleep(answerFaults.slowStreamGapMs, signal);
    }
    await pace(tokenMs, index === 0);
    if (index === 0) res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
    if (index === faultAt && answerFaults.stream) {
      const fault = answerFaults.stream;
      if (fault.kind === 'reset-mid-stream') {
        ctx.faults.record('reset-mid-stream', path, model);
        // Let the chunks already written reach the client first: the cut must come mid-body.
        await new Promise((resolve) => setTimeout(resolve, 10));
        res.socket?.destroy();
        return;
      }
      if (fault.kind === 'mid-stream-error') {
        ctx.faults.record('mid-stream-error', path, model, fault.message);
        await writeLine({ error: fault.message });
        res.end();
        return;
      }
      ctx.faults.record('garbage-line', path, model);
      res.write('<!-- this line is not JSON -->\n');
    }
    await writeLine(chunk(token));
  }
  await pace(0, true);
  if (tokens.length === 0) res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
  const final = kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' };
  await writeLine({ ...base(), ...final, done: true, ...finalFields() });
  res.end();
}

export async function sendWhole(
  ctx: SimContext,
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
): Promise<void> {
  const gap = answerFaults.slowStreamGapMs ?? 0;
  await ctx.gpu.sleep(tokenMs * tokens.length + gap * Math.max(0, tokens.length - 1), signal);
  const fault = answerFaults.stream;
  if (fault?.kind === 'reset-mid-stream') {
    // Headers of a non-streamed answer only go out at the end, so the reset comes before them.
    ctx.faults.record('reset-mid-stream', path, model);
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'mid-stream-error') {
    ctx.faults.record('mid-stream-error', path, model, fault.message);
    sendError(res, 500, fault.message);
    return;
  }
  if (fault?.kind === 'garbage-line') {
    ctx.faults.record('garbage-line', path, model);
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
}
