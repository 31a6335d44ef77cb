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

  it('shows a team job waiting in the team queue, then the worker and GPU rendering it with its steps', () => {
    const team = { jobId: 't1', galleryId: 'g2', assetId: 'a2', kind: 'hero' };
    const apply = (events: BridgeEvent[]) => useLive.getState().apply(events);
    apply([
      { event: 'job.queued', payload: team },
      { event: 'job.started', payload: { ...team, backend: 'team' } },
      {
        event: 'job.status',
        payload: {
          ...team,
          state: 'queued-on-backend',
          backend: 'team queue',
          detail: 'waiting in the team queue for a worker with the qwen-image models',
        },
      },
    ]);
    const waiting = useLive.getState().slots.a2?.wait;
    expect(waitChip(waiting)).toEqual({ status: 'queued', label: 'In the team queue' });
    expect(waiting?.detail).toBe('waiting in the team queue for a worker with the qwen-image models');

    apply([
      {
        event: 'job.status',
        payload: {
          ...team,
          state: 'running',
          backend: 'studio-b · RTX 4090',
          detail: 'rendering on studio-b · RTX 4090 (step 3/20)',
        },
      },
      { event: 'job.progress', payload: { ...team, value: 3, max: 20, node: null } },
    ]);
    // Rendering: no wait chip; the slot's caption names the worker's GPU and its counter the steps.
    expect(waitChip(useLive.getState().slots.a2?.wait)).toBeNull();
    expect(useLive.getState().jobs.t1?.backend).toBe('studio-b · RTX 4090');
    expect(useLive.getState().slots.a2).toMatchObject({ state: 'running', value: 3, max: 20 });
  });

  it('stops showing the jobs of a gallery that settled without their events (a cancelled team run)', () => {
    const a = { jobId: 'c1', galleryId: 'g3', assetId: 'a3', kind: 'hero' };
    const other = { jobId: 'c2', galleryId: 'g4', assetId: 'a4', kind: 'hero' };
    const apply = (events: BridgeEvent[]) => useLive.getState().apply(events);
    const queued = (ref: typeof a) =>
      ({
        event: 'job.status',
        payload: { ...ref, state: 'queued-on-backend', backend: 'team queue', detail: 'waiting' },
      }) as const;
    apply([
      { event: 'job.started', payload: { ...a, backend: 'team' } },
      queued(a),
      { event: 'job.started', payload: { ...other, backend: 'team' } },
      queued(other),
    ]);
    const gallery = {
      id: 'g3',
      productId: 'p',
      status: 'cancelled',
      copy: null,
      promptPrefix: '',
      presetId: null,
      baseSeed: 1,
      seedLocked: false,
      family: 'qwen-image',
      htmlPath: null,
      jsonPath: null,
      publishedUrl: null,
      approved: false,
      error: null,
      createdAt: '2026-12-07T00:00:00.000Z',
      updatedAt: '2026-12-07T00:00:00.000Z',
    } as const;
    apply([{ event: 'showcase.updated', payload: { galleryId: 'g3', gallery } }]);
    expect(useLive.getState().slots.a3).toMatchObject({ state: 'failed', wait: null });
    expect(useLive.getState().jobs.c1).toMatchObject({ state: 'failed', error: 'cancelled', wait: null });
    // Another gallery's job, and a gallery still running, are left alone.
    expect(waitChip(useLive.getState().slots.a4?.wait)?.label).toBe('In the team queue');
    apply([
      {
        event: 'showcase.updated',
        payload: { galleryId: 'g4', gallery: { ...gallery, id: 'g4', status: 'running' } },
      },
    ]);
    expect(useLive.getState().jobs.c2?.state).toBe('running');
  });
});
