// A prompt still waiting in ComfyUI's queue shows "Queued on <backend>", not "Rendering" (#14).
import { describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../../src/renderer/bridge/index.ts';
import { useLive, waitChip } from '../../../src/renderer/state/live.ts';

const ref = { jobId: 'j1', galleryId: 'g1', assetId: 'a1', kind: 'hero' };

describe('live job waits', () => {
  it('shows a queued prompt as queued on its backend until it renders, and a down backend as waiting', () => {
    const apply = (events: BridgeEvent[]) => useLive.getState().apply(events);
    apply([
      { event: 'job.queued', payload: ref },
      { event: 'job.started', payload: { ...ref, backend: 'comfy-2' } },
      {
        event: 'job.status',
        payload: {
          ...ref,
          state: 'queued-on-backend',
          backend: 'comfy-2',
          detail: 'queued on comfy-2 behind other prompts',
        },
      },
    ]);
    expect(waitChip(useLive.getState().slots.a1?.wait)).toEqual({
      status: 'queued',
      label: 'Queued on comfy-2',
    });
    expect(useLive.getState().jobs.j1?.wait?.detail).toContain('behind other prompts');

    apply([{ event: 'job.progress', payload: { ...ref, value: 3, max: 20, node: '5' } }]);
    expect(waitChip(useLive.getState().slots.a1?.wait)).toBeNull();

    apply([
      {
        event: 'job.status',
        payload: {
          ...ref,
          state: 'waiting-for-backend',
          backend: 'comfy',
          detail: 'waiting for ComfyUI to come back',
        },
      },
    ]);
    expect(waitChip(useLive.getState().slots.a1?.wait)).toEqual({
      status: 'waiting',
      label: 'Waiting for backend',
    });
  });
});
