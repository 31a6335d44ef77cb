// The one subscription to the bridge's event stream. Events are batched per animation frame and
// handed to every store in one pass, so streaming progress never re-renders faster than the screen.
import type { Bridge, BridgeEvent } from '../bridge/index.ts';
import { useCatalog } from './catalog.ts';
import { useDerived } from './derived.ts';
import { animationFrameScheduler, FrameBatcher } from './frame-batcher.ts';
import { useLive } from './live.ts';
import { announceNotices } from './notices.ts';
import { useQueue } from './queue.ts';
import { useShowcase } from './showcase.ts';
import { useSync } from './sync.ts';

function coalesceKey(e: BridgeEvent): string | null {
  switch (e.event) {
    case 'job.progress':
      return `${e.payload.jobId}|progress`;
    case 'job.preview':
      return `${e.payload.jobId}|preview`;
    case 'backend.status':
      return `backend:${e.payload.id}`;
    case 'sync.status':
      return 'sync';
    default:
      return null;
  }
}

function jobGroup(e: BridgeEvent): string | null {
  return 'jobId' in e.payload ? e.payload.jobId : null;
}

export function applyEvents(events: BridgeEvent[]): void {
  useLive.getState().apply(events);
  useShowcase.getState().applyEvents(events);
  useCatalog.getState().applyEvents(events);
  useQueue.getState().applyEvents(events);
  useSync.getState().applyEvents(events);
  useDerived.getState().applyEvents(events);
  announceNotices(events);
}

/** Reloads everything the window shows: events may have been missed while the stream was down. */
export function resyncAll(): void {
  if (useCatalog.getState().loaded) void useCatalog.getState().load();
  void useShowcase.getState().refresh();
  if (useQueue.getState().status !== null) void useQueue.getState().refresh();
  void useSync.getState().load();
}

export function startEvents(bridge: Bridge): () => void {
  const batcher = new FrameBatcher<BridgeEvent>(applyEvents, coalesceKey, animationFrameScheduler, jobGroup);
  const off = bridge.subscribe((event, payload) => batcher.push({ event, payload } as BridgeEvent));
  let wasOpen = false;
  const offConnection = bridge.onConnectionChange((connection) => {
    useSync.setState({ connection });
    if (connection === 'open') {
      if (wasOpen) resyncAll();
      wasOpen = true;
    }
  });
  return () => {
    off();
    offConnection();
    batcher.dispose();
  };
}
