// Backend notices (`backend.notice`) become one notification each, kept until dismissed: the engine
// sends them once per backend, and this keeps a reconnecting event stream from repeating them.
import type { BridgeEvent } from '../bridge/index.ts';
import { useToasts } from './toasts.ts';

const shown = new Set<string>();

const titles: Record<string, string> = { previews_off: 'No live previews' };

export function announceNotices(events: BridgeEvent[]): void {
  for (const e of events) {
    if (e.event !== 'backend.notice') continue;
    const key = `${e.payload.backend}|${e.payload.code}`;
    if (shown.has(key)) continue;
    shown.add(key);
    useToasts.getState().push({
      kind: 'info',
      title: `${titles[e.payload.code] ?? 'Note'} — ${e.payload.backend}`,
      message: e.payload.message,
      hint: e.payload.hint,
      sticky: true,
    });
  }
}
