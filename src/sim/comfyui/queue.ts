// The server's prompt queue: the items it holds, their heap order by (number, prompt_id) (§3), the
// 5-element tuple `/queue` and `/history` print, and what a history entry keeps.
import { isPlainObject, PyFloat } from './pyjson.ts';

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

function compareItems(a: QueueItem, b: QueueItem): number {
  if (a.number !== b.number) return a.number < b.number ? -1 : 1;
  if (a.promptId === b.promptId) return 0;
  return a.promptId < b.promptId ? -1 : 1;
}

/** A binary min-heap kept in a plain array, so `GET /queue` can show the raw heap order. */
export function heapPush(heap: QueueItem[], item: QueueItem): void {
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

export function heapPop(heap: QueueItem[]): QueueItem | undefined {
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

export function heapify(heap: QueueItem[]): void {
  const items = heap.splice(0, heap.length);
  for (const item of items) heapPush(heap, item);
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
