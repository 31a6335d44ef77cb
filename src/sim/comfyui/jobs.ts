// The 2026 `/api/jobs` view (comfyui.md §7): one job record per pending, running or finished prompt.
import type { Engine, HistoryEntry, QueueItem, StatusMessage } from './engine.ts';
import { isPlainObject, PyFloat } from './pyjson.ts';

export const jobStatuses = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export interface JobRecord {
  job: Record<string, unknown>;
  status: JobStatus;
  createTime: number;
  duration: number | null;
  workflowId: string | null;
  history: HistoryEntry | null;
  item: QueueItem;
}

const previewable = new Set(['images', 'gifs', 'video', 'videos', 'audio']);

function messageTime(messages: StatusMessage[], names: string[]): number | null {
  const found = messages.find(([event]) => names.includes(event));
  const ts = found?.[1].timestamp;
  return typeof ts === 'number' ? ts : null;
}

function workflowIdOf(item: QueueItem): string | null {
  const pnginfo = item.extraData.extra_pnginfo;
  if (!isPlainObject(pnginfo) || !isPlainObject(pnginfo.workflow)) return null;
  const id = pnginfo.workflow.id;
  return typeof id === 'string' ? id : null;
}

function prune(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
}

function build(
  item: QueueItem,
  status: JobStatus,
  startTime: number | null,
  history: HistoryEntry | null,
): JobRecord {
  const createTime = typeof item.extraData.create_time === 'number' ? item.extraData.create_time : 0;
  let endTime: number | null = null;
  let executionError: unknown = null;
  let outputsCount: number | null = null;
  let previewableCount: number | null = null;
  let previewOutput: Record<string, unknown> | null = null;
  if (history) {
    const messages = history.status.messages;
    startTime = messageTime(messages, ['execution_start']);
    endTime = messageTime(messages, ['execution_success', 'execution_error', 'execution_interrupted']);
    executionError = messages.find(([event]) => event === 'execution_error')?.[1] ?? null;
    outputsCount = 0;
    previewableCount = 0;
    for (const [nodeId, ui] of Object.entries(history.outputs)) {
      if (!isPlainObject(ui)) continue;
      for (const [kind, list] of Object.entries(ui)) {
        if (!Array.isArray(list)) continue;
        outputsCount += list.length;
        if (!previewable.has(kind)) continue;
        previewableCount += list.length;
        const first = list[0];
        if (!previewOutput && isPlainObject(first)) previewOutput = { ...first, nodeId, mediaType: kind };
      }
    }
  }
  const workflowId = workflowIdOf(item);
  const job = prune({
    id: item.promptId,
    status,
    priority: item.numberIsFloat ? new PyFloat(item.number) : item.number,
    create_time: createTime,
    execution_start_time: startTime,
    execution_end_time: endTime,
    execution_error: executionError,
    outputs_count: outputsCount,
    previewable_outputs_count: previewableCount,
    preview_output: previewOutput,
    workflow_id: workflowId,
  });
  const duration = startTime !== null && endTime !== null ? endTime - startTime : null;
  return { job, status, createTime, duration, workflowId, history, item };
}

function historyStatus(entry: HistoryEntry): JobStatus {
  if (entry.status.status_str === 'success') return 'completed';
  return entry.status.messages.some(([event]) => event === 'execution_interrupted') ? 'cancelled' : 'failed';
}

export function allJobs(engine: Engine): JobRecord[] {
  const out: JobRecord[] = [];
  for (const item of engine.queue) out.push(build(item, 'pending', null, null));
  for (const item of engine.running.values()) out.push(build(item, 'in_progress', item.startedAt, null));
  for (const entry of engine.history.values()) out.push(build(entry.item, historyStatus(entry), null, entry));
  return out;
}

export function findJob(engine: Engine, id: string): JobRecord | null {
  return allJobs(engine).find((j) => j.item.promptId === id) ?? null;
}

/** GET /api/jobs/{id}: the job plus outputs, execution status and the workflow. */
export function jobDetail(record: JobRecord): Record<string, unknown> {
  return {
    ...record.job,
    outputs: record.history?.outputs ?? {},
    execution_status: record.history?.status ?? null,
    workflow: { prompt: record.item.prompt, extra_data: record.item.extraData },
  };
}

export type JobQuery =
  | {
      ok: true;
      statuses: JobStatus[] | null;
      workflowId: string | null;
      sortBy: string;
      desc: boolean;
      limit: number | null;
      offset: number;
    }
  | { ok: false; error: string };

export function parseJobQuery(params: URLSearchParams): JobQuery {
  let statuses: JobStatus[] | null = null;
  const status = params.get('status');
  if (status !== null && status !== '') {
    const parts = status.split(',').map((s) => s.trim());
    const bad = parts.find((s) => !(jobStatuses as readonly string[]).includes(s));
    if (bad !== undefined)
      return { ok: false, error: `Invalid status value '${bad}'. Valid values: ${jobStatuses.join(', ')}` };
    statuses = parts as JobStatus[];
  }
  const sortBy = params.get('sort_by') ?? 'created_at';
  if (sortBy !== 'created_at' && sortBy !== 'execution_duration') {
    return { ok: false, error: "sort_by must be 'created_at' or 'execution_duration'" };
  }
  const order = params.get('sort_order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') return { ok: false, error: "sort_order must be 'asc' or 'desc'" };
  const intParam = (name: string, min: number): number | null | 'bad' => {
    const raw = params.get(name);
    if (raw === null || raw === '') return null;
    if (!/^\d+$/.test(raw.trim())) return 'bad';
    const n = Number(raw.trim());
    return n < min ? 'bad' : n;
  };
  const limit = intParam('limit', 1);
  if (limit === 'bad') return { ok: false, error: 'limit must be a positive integer' };
  const offset = intParam('offset', 0);
  if (offset === 'bad') return { ok: false, error: 'offset must be a non-negative integer' };
  return {
    ok: true,
    statuses,
    workflowId: params.get('workflow_id') || null,
    sortBy,
    desc: order === 'desc',
    limit,
    offset: offset ?? 0,
  };
}

export function listJobs(engine: Engine, q: Extract<JobQuery, { ok: true }>): Record<string, unknown> {
  let jobs = allJobs(engine);
  if (q.statuses) jobs = jobs.filter((j) => q.statuses?.includes(j.status));
  if (q.workflowId) jobs = jobs.filter((j) => j.workflowId === q.workflowId);
  const key = (j: JobRecord) => (q.sortBy === 'execution_duration' ? (j.duration ?? -1) : j.createTime);
  jobs.sort((a, b) => (q.desc ? key(b) - key(a) : key(a) - key(b)));
  const total = jobs.length;
  const page = jobs.slice(q.offset, q.limit === null ? undefined : q.offset + q.limit);
  return {
    jobs: page.map((j) => j.job),
    pagination: { offset: q.offset, limit: q.limit, total, has_more: q.offset + page.length < total },
  };
}
