// Faults written as short specs (`oom:2`, `http-error:/history:500:3`, `invalid-json`), so operators
// and tests can arm the simulators' fault knobs from the command line (`showcase sim … --fault`).
// Each spec is parsed (zod for the arguments, a message naming the spec and the expected form when
// it is wrong) into a plain object, then applied to a running simulator.
import { z } from 'zod';
import type { ComfySim } from './comfyui/index.ts';
import type { OllamaSim } from './ollama/index.ts';

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

/** "Until the simulator stops": a count for `:always`. */
const ALWAYS = 1_000_000_000;

const wholeAtLeast1 = { error: 'expected a whole number ≥ 1' };
const milliseconds = { error: 'expected milliseconds, a whole number from 0 to 3600000' };
const positive = z.coerce.number(wholeAtLeast1).int(wholeAtLeast1).positive(wholeAtLeast1);
const millis = z.coerce
  .number(milliseconds)
  .int(milliseconds)
  .min(0, milliseconds)
  .max(3_600_000, milliseconds);
const count = z.union([z.literal('always').transform(() => ALWAYS), positive], {
  error: 'expected a whole number ≥ 1 or "always"',
});
const route = z
  .string()
  .regex(/^\/[\w\-./{}]*$/, 'a route starts with "/" (e.g. /history or /prompt)')
  .transform((r) => r.replace(/^\/api(?=\/)/, ''));
const httpStatusIn = (message: string) =>
  z.coerce
    .number({ error: message })
    .int({ error: message })
    .min(400, { error: message })
    .max(599, { error: message });
const httpStatus = httpStatusIn('expected an HTTP status from 400 to 599');
const status = z.union(
  [z.literal('reset'), httpStatusIn('expected an HTTP status from 400 to 599 or "reset"')],
  {
    error: 'expected an HTTP status from 400 to 599 or "reset"',
  },
);
const name = z.string().min(1).max(300);

interface FaultKind<Sim, Parsed> {
  /** `kind[:ARG…]` as shown in --help. */
  syntax: string;
  what: string;
  /** Argument schemas in order; trailing ones may be optional. */
  args: z.ZodType[];
  required: number;
  build(args: unknown[]): Parsed;
  apply(sim: Sim, parsed: Parsed): void;
  describe(parsed: Parsed): string;
}

type AnyKind<Sim> = FaultKind<Sim, Record<string, unknown>>;

function kind<Sim, Parsed extends Record<string, unknown>>(k: FaultKind<Sim, Parsed>): AnyKind<Sim> {
  return k as unknown as AnyKind<Sim>;
}

const times = (n: number) => (n >= ALWAYS ? 'every time' : n === 1 ? 'once' : `${n} times`);
const nth = (n: number) => {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

export const comfyFaultKinds: Record<string, AnyKind<ComfySim>> = {
  oom: kind({
    syntax: 'oom[:N]',
    what: 'torch.OutOfMemoryError in the Nth prompt accepted (default 1); the server then unloads its models',
    args: [positive],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.oomOnPrompt(f.n as number),
    describe: (f) => `OOM in the ${nth(f.n as number)} prompt`,
  }),
  'ws-drop': kind({
    syntax: 'ws-drop[:K[:close|reset]]',
    what: "the first run drops its client's WebSocket after K frames (default 5), as a close or a TCP reset",
    args: [positive, z.enum(['close', 'reset'])],
    required: 0,
    build: ([k, mode]) => ({
      k: (k as number | undefined) ?? 5,
      mode: (mode as string | undefined) ?? 'close',
    }),
    apply: (sim, f) => sim.faults.dropWsAfterFrames(f.k as number, f.mode as 'close' | 'reset'),
    describe: (f) =>
      `WebSocket ${f.mode === 'reset' ? 'reset' : 'closed'} after ${f.k} frames of the first run`,
  }),
  'ws-refuse': kind({
    syntax: 'ws-refuse:MS',
    what: 'WebSocket upgrades are answered 503 for the first MS milliseconds',
    args: [millis],
    required: 1,
    build: ([ms]) => ({ ms }),
    apply: (sim, f) => sim.faults.refuseWsFor(f.ms as number),
    describe: (f) => `WebSocket refused for ${f.ms} ms`,
  }),
  'http-error': kind({
    syntax: 'http-error:ROUTE[:STATUS|reset[:COUNT|always]]',
    what: 'requests to ROUTE (with or without /api) answer STATUS (default 500) or reset the connection, COUNT times (default 1)',
    args: [route, status, count],
    required: 1,
    build: ([r, s, c]) => ({
      route: r,
      status: (s as number | 'reset' | undefined) ?? 500,
      count: (c as number | undefined) ?? 1,
    }),
    apply: (sim, f) =>
      sim.faults.httpError(f.route as string, f.count as number, f.status as number | 'reset'),
    describe: (f) =>
      `${f.route} ${f.status === 'reset' ? 'resets the connection' : `answers ${f.status}`} ${times(f.count as number)}`,
  }),
  hang: kind({
    syntax: 'hang',
    what: 'the first run never finishes (stays in queue_running) until it is interrupted',
    args: [],
    required: 0,
    build: () => ({}),
    apply: (sim) => sim.faults.hangNext(),
    describe: () => 'the first run hangs until interrupted',
  }),
  'slow-steps': kind({
    syntax: 'slow-steps:MS[:RUNS]',
    what: 'every sampler step of the first RUNS runs (default 1) takes MS extra milliseconds',
    args: [millis, count],
    required: 1,
    build: ([ms, runs]) => ({ ms, runs: (runs as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.stallSteps(f.ms as number, f.runs as number),
    describe: (f) =>
      `sampler steps ${f.ms} ms slower for ${f.runs === ALWAYS ? 'every run' : `${f.runs} run(s)`}`,
  }),
  'node-error': kind({
    syntax: 'node-error:CLASS[:EXCEPTION]',
    what: 'the first CLASS node to run raises EXCEPTION (default RuntimeError) → execution_error',
    args: [
      z.string().regex(/^[A-Za-z_][\w]*$/, 'a node class name such as KSampler'),
      z.string().min(1).max(80),
    ],
    required: 1,
    build: ([cls, type]) => ({ cls, type: (type as string | undefined) ?? 'RuntimeError' }),
    apply: (sim, f) => sim.faults.failNode(f.cls as string, f.type as string, 'simulated failure'),
    describe: (f) => `the first ${f.cls} raises ${f.type}`,
  }),
  'missing-model': kind({
    syntax: 'missing-model:FILE',
    what: 'FILE is not installed: prompts using it are refused with value_not_in_list',
    args: [name],
    required: 1,
    build: ([file]) => ({ file }),
    apply: (sim, f) => {
      const folders = sim.models();
      const folder = Object.keys(folders).find((k) => folders[k]?.includes(f.file as string));
      if (!folder) {
        const known = Object.values(folders).flat().join(', ');
        throw new FaultSpecError(`missing-model:${f.file}: no such model is installed (installed: ${known})`);
      }
      sim.setModels(
        folder,
        (folders[folder] ?? []).filter((m) => m !== f.file),
      );
    },
    describe: (f) => `${f.file} is not installed`,
  }),
  'broken-model': kind({
    syntax: 'broken-model:FILE',
    what: 'FILE is listed but fails to load: execution_error (ValueError) at its loader node',
    args: [name],
    required: 1,
    build: ([file]) => ({ file }),
    apply: (sim, f) => sim.faults.brokenModel(f.file as string),
    describe: (f) => `${f.file} fails to load`,
  }),
  'history-delay': kind({
    syntax: 'history-delay:MS[:RUNS]',
    what: 'history is written MS milliseconds after execution_success, for RUNS runs (default 1)',
    args: [millis, count],
    required: 1,
    build: ([ms, runs]) => ({ ms, runs: (runs as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.delayHistoryWrite(f.ms as number, f.runs as number),
    describe: (f) => `history written ${f.ms} ms late`,
  }),
  'events-before-reply': kind({
    syntax: 'events-before-reply[:MS[:COUNT]]',
    what: 'POST /prompt answers MS (default 50) milliseconds after its WebSocket events started (real servers answer first)',
    args: [millis, count],
    required: 0,
    build: ([ms, c]) => ({ ms: (ms as number | undefined) ?? 50, count: (c as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.eventsBeforeReply(f.ms as number, f.count as number),
    describe: (f) => `POST /prompt replies ${f.ms} ms after the events, ${times(f.count as number)}`,
  }),
};

export const ollamaFaultKinds: Record<string, AnyKind<OllamaSim>> = {
  'invalid-json': kind({
    syntax: 'invalid-json[:N|always]',
    what: 'the next N answers (default 1) are prose instead of the requested JSON',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.invalidJsonNext(f.n as number),
    describe: (f) => `prose instead of JSON ${times(f.n as number)}`,
  }),
  'truncated-json': kind({
    syntax: 'truncated-json[:N|always]',
    what: 'the next N answers stop mid-object (done_reason "length")',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.truncatedJsonNext(f.n as number),
    describe: (f) => `truncated JSON ${times(f.n as number)}`,
  }),
  'schema-mismatch': kind({
    syntax: 'schema-mismatch[:N|always]',
    what: 'the next N answers are JSON that breaks the requested schema',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.schemaMismatchNext(f.n as number),
    describe: (f) => `JSON off-schema ${times(f.n as number)}`,
  }),
  'http-error': kind({
    syntax: 'http-error[:STATUS[:N|always]]',
    what: 'the next N generation requests (default 1) answer STATUS (default 500) with {"error": …}',
    args: [httpStatus, count],
    required: 0,
    build: ([s, n]) => ({ status: (s as number | undefined) ?? 500, n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.httpErrorNext(f.status as number, f.n as number),
    describe: (f) => `HTTP ${f.status} ${times(f.n as number)}`,
  }),
  reset: kind({
    syntax: 'reset[:N|always]',
    what: 'the next N streams lose their connection after a few chunks',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.resetConnectionNext(f.n as number, 'mid-stream'),
    describe: (f) => `connection reset mid-stream ${times(f.n as number)}`,
  }),
  'reset-before-headers': kind({
    syntax: 'reset-before-headers[:N|always]',
    what: 'the next N requests lose their connection before any answer',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.resetConnectionNext(f.n as number, 'before-headers'),
    describe: (f) => `connection reset before the headers ${times(f.n as number)}`,
  }),
  'mid-stream-error': kind({
    syntax: 'mid-stream-error[:N|always]',
    what: 'the next N streams send a few chunks, then an {"error": …} line (HTTP 200)',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.midStreamErrorNext(f.n as number),
    describe: (f) => `error line mid-stream ${times(f.n as number)}`,
  }),
  'garbage-line': kind({
    syntax: 'garbage-line[:N|always]',
    what: 'the next N streams carry one line that is not JSON',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.garbageLineNext(f.n as number),
    describe: (f) => `a garbage line in the stream ${times(f.n as number)}`,
  }),
  'slow-stream': kind({
    syntax: 'slow-stream:MS[:N|always]',
    what: 'the next N streams wait MS profile milliseconds between chunks',
    args: [millis, count],
    required: 1,
    build: ([ms, n]) => ({ ms, n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.slowStreamNext(f.ms as number, f.n as number),
    describe: (f) => `${f.ms} ms between chunks ${times(f.n as number)}`,
  }),
  hang: kind({
    syntax: 'hang[:N|always]',
    what: 'the next N generation requests are accepted and never answered',
    args: [count],
    required: 0,
    build: ([n]) => ({ n: (n as number | undefined) ?? 1 }),
    apply: (sim, f) => sim.faults.hangNext(f.n as number),
    describe: (f) => `requests hang ${times(f.n as number)}`,
  }),
  'slow-load': kind({
    syntax: 'slow-load:MS',
    what: 'every cold model load takes MS extra profile milliseconds',
    args: [millis],
    required: 1,
    build: ([ms]) => ({ ms }),
    apply: (sim, f) => sim.faults.slowFirstLoad(f.ms as number),
    describe: (f) => `cold loads ${f.ms} ms slower`,
  }),
  'missing-model': kind({
    syntax: 'missing-model:TAG',
    what: 'TAG is not installed: requests for it answer 404 "model not found"',
    args: [name],
    required: 1,
    build: ([tag]) => ({ tag }),
    apply: (sim, f) => {
      const tag = String(f.tag).includes(':') ? String(f.tag) : `${f.tag}:latest`;
      if (!sim.installedModels().includes(tag)) {
        throw new FaultSpecError(
          `missing-model:${f.tag}: no such model is installed (installed: ${sim.installedModels().join(', ')})`,
        );
      }
      sim.faults.missingModel(tag);
    },
    describe: (f) => `${f.tag} is not installed`,
  }),
};

export interface ParsedFault<Sim> {
  spec: string;
  kind: AnyKind<Sim>;
  args: Record<string, unknown>;
}

function parseWith<Sim>(kinds: Record<string, AnyKind<Sim>>, spec: string): ParsedFault<Sim> {
  const text = spec.trim();
  const [head = '', ...rest] = text.split(':');
  // A route may itself hold no colon, so splitting on ':' is unambiguous for every kind.
  const k = kinds[head];
  if (!k) {
    throw new FaultSpecError(`"${text}": unknown fault "${head}" (one of: ${Object.keys(kinds).join(', ')})`);
  }
  if (rest.length < k.required || rest.length > k.args.length) {
    const wanted = k.required === k.args.length ? `${k.required}` : `${k.required} to ${k.args.length}`;
    throw new FaultSpecError(`"${text}": ${head} takes ${wanted} argument(s), written ${k.syntax}`);
  }
  const values: unknown[] = [];
  for (const [i, raw] of rest.entries()) {
    const parsed = (k.args[i] as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new FaultSpecError(
        `"${text}": argument ${i + 1} ("${raw}") of ${head}: ${why} — written ${k.syntax}`,
      );
    }
    values.push(parsed.data);
  }
  return { spec: text, kind: k, args: k.build(values) };
}

export const parseComfyFault = (spec: string): ParsedFault<ComfySim> => parseWith(comfyFaultKinds, spec);
export const parseOllamaFault = (spec: string): ParsedFault<OllamaSim> => parseWith(ollamaFaultKinds, spec);

/** Arms the fault on the simulator; returns a one-line description of what it does. */
export function applyFault<Sim>(sim: Sim, fault: ParsedFault<Sim>): string {
  fault.kind.apply(sim, fault.args);
  return fault.kind.describe(fault.args);
}

/** The lines of `--help` that list the fault kinds. */
export function faultHelp<Sim>(kinds: Record<string, AnyKind<Sim>>): string {
  return Object.values(kinds)
    .map((k) => `  ${k.syntax}\n      ${k.what}`)
    .join('\n');
}
