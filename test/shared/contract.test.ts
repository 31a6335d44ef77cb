import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  eventNames,
  events,
  type MethodHandlers,
  type MethodName,
  methodNames,
  methods,
  parseOrThrow,
  SettingsSchema,
  ShowcaseError,
} from '../../src/shared/index.ts';

describe('the contract', () => {
  it('declares the method set of the design, each with input and output schemas', () => {
    expect(methodNames).toEqual(
      expect.arrayContaining([
        'catalog.import',
        'catalog.list',
        'showcase.start',
        'showcase.get',
        'showcase.regenerateAsset',
        'showcase.updateCopy',
        'showcase.lockSeed',
        'showcase.approve',
        'queue.status',
        'queue.pause',
        'queue.resume',
        'queue.cancel',
        'templates.list',
        'templates.lint',
        'gallery.publish',
        'gallery.email',
        'sync.status',
        'sync.now',
        'settings.get',
        'settings.update',
      ]),
    );
    for (const name of methodNames) {
      expect(typeof methods[name].input.safeParse).toBe('function');
      expect(typeof methods[name].output.safeParse).toBe('function');
    }
  });

  it('keeps the handler map in step with the method table (type level)', () => {
    expectTypeOf<keyof MethodHandlers>().toEqualTypeOf<MethodName>();
    expectTypeOf<Parameters<MethodHandlers['showcase.get']>[0]>().toEqualTypeOf<{ galleryId: string }>();
  });

  it('declares the design events', () => {
    expect(eventNames.sort()).toEqual(
      [
        'backend.notice',
        'backend.status',
        'backend.waiting',
        'job.completed',
        'job.failed',
        'job.preview',
        'job.progress',
        'job.queued',
        'job.started',
        'job.status',
        'showcase.updated',
        'sync.status',
      ].sort(),
    );
    expect(
      events['job.progress'].safeParse({
        jobId: 'j',
        galleryId: 'g',
        assetId: null,
        kind: 'hero',
        value: 3,
        max: 20,
        node: '8',
      }).success,
    ).toBe(true);
  });

  it('asks ComfyUI for live previews by default, and takes only preview methods it knows', () => {
    expect(SettingsSchema.parse({}).comfyPreviewMethod).toBe('auto');
    const input = methods['settings.update'].input;
    for (const method of ['auto', 'latent2rgb', 'taesd', 'none', 'default']) {
      expect(input.safeParse({ comfyPreviewMethod: method }).success).toBe(true);
    }
    expect(() => parseOrThrow(input, { comfyPreviewMethod: 'fast' }, 'settings.update')).toThrow(
      /settings\.update\.comfyPreviewMethod/,
    );
  });

  it('names the failing field in invalid_input errors', () => {
    try {
      parseOrThrow(
        methods['showcase.regenerateAsset'].input,
        { assetId: '', seed: 'other' },
        'showcase.regenerateAsset',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ShowcaseError);
      const e = err as ShowcaseError;
      expect(e.code).toBe('invalid_input');
      expect(e.message).toContain('showcase.regenerateAsset.assetId');
      expect(e.message).toContain('showcase.regenerateAsset.seed');
      expect(e.details?.fields).toEqual([
        'showcase.regenerateAsset.assetId',
        'showcase.regenerateAsset.seed',
      ]);
    }
  });

  it('gives settings sane defaults', () => {
    const s = SettingsSchema.parse({});
    expect(s.ollamaModel).toBe('llama3.2');
    expect(s.family).toBe('qwen-image');
    expect(s.variations).toBe(4);
    expect(s.comfyUrls).toEqual(['http://127.0.0.1:8188']);
  });

  it('round-trips errors across a boundary', () => {
    const e = new ShowcaseError('model_missing', 'no llama', {
      hint: 'Run: ollama pull llama3.2',
      retryable: false,
    });
    const back = ShowcaseError.fromSerialized(JSON.parse(JSON.stringify(e.toJSON())));
    expect(back.code).toBe('model_missing');
    expect(back.hint).toBe('Run: ollama pull llama3.2');
  });
});
