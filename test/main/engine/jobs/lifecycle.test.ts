// The lifecycle against a real SQLite journal: validated transitions, each journalled once, the
// success of a job (asset + usage + done) in one commit, and the scheduler's cascade through it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertAssetTransition,
  assertGalleryTransition,
  assertJobTransition,
  JobLifecycle,
  type JobResult,
  type Lane,
  type QueuedJob,
  Scheduler,
} from '../../../../src/main/engine/jobs/index.ts';
import { type ShowcasePlan, ShowcasePlanner } from '../../../../src/main/engine/showcase/index.ts';
import type { Store } from '../../../../src/main/engine/store/index.ts';
import { type EventName, ShowcaseError } from '../../../../src/shared/index.ts';
import { expectCode, product, type TempStores, tempStores } from '../store/helpers.ts';

let t: TempStores;
let store: Store;
let lifecycle: JobLifecycle;
let events: EventName[];
let plan: ShowcasePlan;

function queued(id: string): QueuedJob {
  const job = plan.jobs.find((j) => j.id === id);
  if (!job) throw new Error(`no job ${id}`);
  const lane = job.kind === 'copy' ? 'llm' : 'comfy';
  return { ...job, seq: 0, remainingDeps: 0, dependents: [], lane, model: null, notBefore: 0 };
}

const COPY = {
  title: 'Lamp',
  tagline: 'Light',
  bullets: ['a', 'b', 'c'],
  description: 'A lamp.',
  prompts: { hero: 'h', lifestyle: 'l', variations: ['v'], negative: '' },
  language: 'en',
  source: 'llm' as const,
};

const jobOf = (kind: string) => plan.jobs.find((j) => j.kind === kind)?.id ?? '';

function assetResult(path: string): JobResult {
  return {
    type: 'asset',
    file: { path, sha256: 'ab'.repeat(32), width: 8, height: 8, seed: 7, prompt: 'a lamp' },
    usage: [
      {
        backend: 'comfy-1',
        model: 'qwen.safetensors',
        phase: 'image',
        queuedMs: 1,
        loadMs: 0,
        runMs: 5,
        totalMs: 6,
        tokensIn: null,
        tokensOut: null,
        ok: true,
        error: null,
      },
    ],
    renderMs: 5,
    promptId: 'p-1',
  };
}

beforeEach(async () => {
  t = await tempStores();
  store = t.open();
  events = [];
  lifecycle = new JobLifecycle({ store, emit: (event) => events.push(event) });
  const [saved] = store.products.upsertMany([product('p1')]).products;
  if (!saved) throw new Error('no product');
  plan = new ShowcasePlanner().plan(saved, {
    family: 'qwen-image',
    variations: 2,
    thumbnailMode: 'sharp',
    thumbnailSize: 256,
    ollamaModel: 'llama3.2',
    language: 'en',
    promptPrefix: '',
    presetId: null,
    lockSeed: false,
    templateParams: {},
  });
  lifecycle.openShowcase(plan);
});
afterEach(async () => {
  await t.cleanup();
});

describe('transition tables', () => {
  it('refuse what no run may do, naming entity and both states', () => {
    expect(() => assertJobTransition('j', 'done', 'running')).toThrow(
      /job j is done and cannot become running/,
    );
    expect(() => assertJobTransition('j', 'failed', 'queued')).toThrow(ShowcaseError);
    expect(() => assertJobTransition('j', 'cancelled', 'done')).toThrow(ShowcaseError);
    expect(() => assertJobTransition('j', 'queued', 'done')).toThrow(ShowcaseError);
    expect(() => assertAssetTransition('a', 'done', 'running')).toThrow(/asset a is done/);
    expect(() => assertAssetTransition('a', 'pending', 'done')).toThrow(ShowcaseError);
    expect(() => assertGalleryTransition('g', 'complete', 'queued')).toThrow(/gallery g is complete/);
    expect(() => assertGalleryTransition('g', 'running', 'draft')).toThrow(ShowcaseError);
    // Allowed ones pass.
    assertJobTransition('j', 'running', 'queued');
    assertAssetTransition('a', 'failed', 'queued');
    assertGalleryTransition('g', 'partial', 'running');
    assertGalleryTransition('g', 'running', 'running');
  });
});

describe('JobLifecycle', () => {
  it('journals a job from start to done, its asset, usage and job in one commit', () => {
    const copy = queued(jobOf('copy'));
    lifecycle.started(copy, 'ollama');
    lifecycle.succeeded(copy, {
      type: 'copy',
      copy: COPY,
      usage: [],
    });
    expect(store.galleries.get(plan.gallery.id)?.status).toBe('running');
    const hero = queued(jobOf('hero'));
    lifecycle.started(hero, 'comfy-1');
    expect(store.assets.get(hero.assetId ?? '')?.status).toBe('running');
    lifecycle.submitting(hero, {
      promptId: 'p-1',
      backend: 'comfy-1',
      render: { seed: 7, prompt: 'a lamp', params: { steps: 20 }, templateId: 'qwen-image.hero' },
    });
    expect(store.jobs.get(hero.id)).toMatchObject({ status: 'running', comfyPromptId: 'p-1' });
    expect(store.assets.get(hero.assetId ?? '')).toMatchObject({ prompt: 'a lamp', params: { steps: 20 } });
    lifecycle.succeeded(hero, assetResult('/tmp/hero.png'));
    expect(store.jobs.get(hero.id)?.status).toBe('done');
    expect(store.assets.get(hero.assetId ?? '')).toMatchObject({
      status: 'done',
      localPath: '/tmp/hero.png',
    });
    expect(store.modelUsage.list({ jobId: hero.id })).toHaveLength(1);
    expect(events).toEqual([
      'job.started',
      'showcase.updated',
      'job.completed',
      'job.started',
      'job.completed',
    ]);
  });

  it('journals each transition once: a second outcome for the same job is refused', () => {
    const copy = queued(jobOf('copy'));
    lifecycle.started(copy, 'ollama');
    lifecycle.failed(copy, new ShowcaseError('backend_error', 'Ollama said no'));
    expectCode(
      () => lifecycle.failed(copy, new ShowcaseError('backend_error', 'again')),
      'conflict',
      /is failed/,
    );
    expectCode(() => lifecycle.started(copy, 'ollama'), 'conflict', /cannot become running/);
    expect(store.galleries.get(plan.gallery.id)?.error).toBe('Ollama said no');
  });

  it('refuses a success for a job that never started, and writes none of it', () => {
    const hero = queued(jobOf('hero'));
    expectCode(
      () => lifecycle.succeeded(hero, assetResult('/tmp/x.png')),
      'conflict',
      /queued and cannot become done/,
    );
    expect(store.assets.get(hero.assetId ?? '')?.status).toBe('pending');
    expect(store.modelUsage.list({ jobId: hero.id })).toEqual([]);
  });

  it('rolls the whole success back when the asset may not become done', () => {
    const copy = queued(jobOf('copy'));
    lifecycle.started(copy, 'ollama');
    // A copy job has no asset: claiming an image result for it is a bug the commit must not keep.
    expect(() => lifecycle.succeeded(copy, assetResult('/tmp/x.png'))).toThrow(/has no asset/);
    expect(store.jobs.get(copy.id)?.status).toBe('running');
    expect(store.modelUsage.list({ jobId: copy.id })).toEqual([]);
  });

  it('ends a failed hero and, through the scheduler, every job that depended on it', async () => {
    const lanes: Lane[] = [
      {
        id: 'ollama',
        kind: 'llm',
        capacity: 1,
        sharedWithLlm: false,
        online: true,
        sequential: false,
        inFlight: 0,
        lastModel: null,
      },
      {
        id: 'comfy-1',
        kind: 'comfy',
        capacity: 2,
        sharedWithLlm: false,
        online: true,
        sequential: false,
        inFlight: 0,
        lastModel: null,
      },
    ];
    let finished = '';
    const scheduler = new Scheduler<JobResult>(
      lanes,
      {
        execute: async (job) => {
          if (job.kind === 'hero') throw new ShowcaseError('invalid_input', 'model file missing');
          if (job.kind === 'copy')
            return {
              type: 'copy',
              copy: COPY,
              usage: [],
            };
          return assetResult(`/tmp/${job.kind}.png`);
        },
        enterImagePhase: async () => undefined,
        enterCopyPhase: async () => undefined,
        recoverFromOom: async () => undefined,
        jobStarted: (job, lane) => lifecycle.started(job, lane.id),
        jobRetrying: (job, error, info) => lifecycle.retrying(job, error, info?.free ?? false),
        jobSucceeded: (job, result) => lifecycle.succeeded(job, result),
        jobFailed: (job, error) => lifecycle.failed(job, error),
        jobCancelled: (job) => lifecycle.cancelled(job),
        galleryFinished: (id) => {
          finished = id;
        },
      },
      { phaseGating: false },
    );
    scheduler.add(
      plan.jobs.map((j) => ({
        ...j,
        lane: j.kind === 'copy' ? 'llm' : j.kind === 'thumbnail' ? 'cpu' : 'comfy',
        model: null,
      })),
    );
    await scheduler.whenIdle();
    expect(finished).toBe(plan.gallery.id);
    const byKind = (kind: string) => store.jobs.listByGallery(plan.gallery.id).filter((j) => j.kind === kind);
    expect(byKind('copy').map((j) => j.status)).toEqual(['done']);
    expect(byKind('lifestyle').map((j) => j.status)).toEqual(['done']);
    expect(byKind('hero').map((j) => j.status)).toEqual(['failed']);
    // Variations and the thumbnail could never run: failed once each, with the reason.
    for (const j of [...byKind('variation'), ...byKind('thumbnail')]) {
      expect(j.status).toBe('failed');
      expect(j.error).toMatch(/Skipped: the hero job it depends on failed/);
      expect(store.assets.get(j.assetId ?? '')?.status).toBe('failed');
    }
    expect(scheduler.counts()).toMatchObject({ done: 2, failed: 4 });
  });
});
