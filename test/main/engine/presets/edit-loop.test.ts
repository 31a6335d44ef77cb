// The edit loop through the contract (dispatch parses every input as the HTTP API and IPC do) on a
// real SQLite file and both simulators: presets with history, diff and rollback that reproduces an
// earlier image byte for byte with a locked seed; the approval gate; derived images that follow a
// new hero.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../../src/main/contract/index.ts';
import type { Engine } from '../../../../src/main/engine/engine.ts';
import {
  type EventName,
  type EventPayload,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  ShowcaseError,
} from '../../../../src/shared/index.ts';
import { type Sims, sha256File, startSims } from '../../../fixtures/sims.ts';

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

const SMALL = { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } };

function api(engine: Engine) {
  return <M extends MethodName>(method: M, input: MethodInput<M>) =>
    dispatch(engine.handlers, method, input) as Promise<MethodOutput<M>>;
}

/** Resolves on the first event that matches (events already recorded count). */
function nextEvent<E extends EventName>(
  s: Sims,
  event: E,
  match: (p: EventPayload<E>) => boolean,
  after = 0,
): Promise<EventPayload<E>> {
  const seen = s.events.slice(after).find((e) => e.event === event && match(e.payload as EventPayload<E>));
  if (seen) return Promise.resolve(seen.payload as EventPayload<E>);
  return new Promise((resolve) => {
    const off = s.engine.subscribe((name: EventName, payload: unknown) => {
      if (name === event && match(payload as EventPayload<E>)) {
        off();
        resolve(payload as EventPayload<E>);
      }
    });
  });
}

async function rejection(p: Promise<unknown>): Promise<ShowcaseError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShowcaseError);
  return err as ShowcaseError;
}

async function oneProduct(engine: Engine, id = 'oak-stool'): Promise<string> {
  const { imported } = engine.addProducts([
    {
      id,
      name: 'Oak Stool',
      description: 'A three-legged stool in solid oak.',
      price: { amount: 49, currency: 'EUR' },
    },
  ]);
  return imported[0]?.id ?? '';
}

describe('presets with history (contract)', () => {
  it('creates, edits, duplicates, deletes, diffs and rolls back, naming the field of a bad input', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const call = api(sims.engine);
    const created = await call('presets.create', {
      name: 'Summer Sale',
      prefix: 'bright summer beach light',
      author: 'station-7 (Ana)',
    });
    expect(created.id).toBe('summer-sale');
    const bad = await rejection(call('presets.create', { name: '' }));
    expect(bad.code).toBe('invalid_input');
    expect(bad.message).toMatch(/name/);
    const dup = await rejection(call('presets.create', { name: 'summer sale' }));
    expect(dup.code).toBe('conflict');

    const edited = await call('presets.update', {
      id: 'Summer Sale',
      lighting: 'hard noon sun',
      author: 'Bo',
    });
    expect(edited.preset.lighting).toBe('hard noon sun');
    // Lighting words describe the preset; they are in no render, so nothing is re-rendered.
    const versions = await call('presets.versions', { id: 'summer-sale' });
    expect(versions.map((v) => [v.version, v.action, v.author, v.changed])).toEqual([
      [1, 'create', 'station-7 (Ana)', ['id', 'lighting', 'name', 'negative', 'params', 'prefix', 'style']],
      [2, 'update', 'Bo', ['lighting']],
    ]);
    const diff = await call('presets.diff', { id: 'summer-sale', from: 1, to: 2 });
    expect(diff.fields).toEqual([{ field: 'lighting', before: '', after: 'hard noon sun' }]);

    const copy = await call('presets.duplicate', { id: 'summer-sale' });
    expect(copy).toMatchObject({
      id: 'summer-sale-copy',
      name: 'Summer Sale copy',
      lighting: 'hard noon sun',
    });
    expect((await call('presets.versions', { id: copy.id }))[0]?.action).toBe('duplicate');

    await call('presets.delete', { id: copy.id });
    expect((await call('presets.list', {})).map((p) => p.id)).not.toContain(copy.id);
    // Deleted presets are kept in history and come back by rollback.
    await call('presets.rollback', { id: copy.id, version: 1, rerender: false });
    expect((await call('presets.list', {})).map((p) => p.id)).toContain(copy.id);

    const back = await call('presets.rollback', { id: 'summer-sale', version: 1, author: 'Ana' });
    expect(back.preset.lighting).toBe('');
    const last = (await call('presets.versions', { id: 'summer-sale' })).at(-1);
    expect(last).toMatchObject({ version: 3, action: 'rollback', rollbackOf: 1, changed: ['lighting'] });
    const missing = await rejection(call('presets.diff', { id: 'summer-sale', from: 1, to: 9 }));
    expect(missing.code).toBe('not_found');
    expect(missing.details).toMatchObject({ fields: ['to'] });

    // A default preset edited for the first time gets its pre-history state as version 1.
    await call('presets.update', { id: 'studio-white', style: 'catalogue' });
    const seeded = await call('presets.versions', { id: 'studio-white' });
    expect(seeded.map((v) => [v.action, v.author])).toEqual([
      ['create', 'before history'],
      ['update', expect.any(String)],
    ]);
  });

  it('preset edit → re-render → rollback reproduces the earlier hero byte for byte with a locked seed', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const { engine } = sims;
    const call = api(engine);
    await call('presets.create', { name: 'Linen', prefix: 'on natural linen, soft daylight' });
    const productId = await oneProduct(engine);
    const { galleryIds } = await call('showcase.start', {
      productIds: [productId],
      presetId: 'linen',
      seed: 4242,
      lockSeed: true,
      variations: 1,
    });
    const galleryId = galleryIds[0] ?? '';
    await engine.whenIdle();
    const hero = () => engine.showcase(galleryId).assets.find((a) => a.kind === 'hero');
    const first = hero();
    expect(first?.status).toBe('done');
    const firstBytes = await sha256File(first?.localPath ?? '');

    const mark = sims.events.length;
    const edited = await call('presets.update', {
      id: 'linen',
      prefix: 'on black slate, hard light',
      rerender: true,
    });
    // The prefix is in every image: hero and lifestyle now, the variation once the new hero is done.
    expect(edited.rerender.assets.map((a) => a.split('/')[1]).sort()).toEqual(['hero', 'lifestyle']);
    await nextEvent(sims, 'job.completed', (p) => p.galleryId === galleryId && p.kind === 'variation', mark);
    await nextEvent(sims, 'job.completed', (p) => p.galleryId === galleryId && p.kind === 'thumbnail', mark);
    await engine.whenIdle();
    const secondBytes = await sha256File(hero()?.localPath ?? '');
    expect(secondBytes).not.toBe(firstBytes);
    expect(hero()?.prompt).toContain('black slate');

    const diff = await call('presets.diff', { id: 'linen', from: 1, to: 2 });
    expect(diff.fields.map((f) => f.field)).toEqual(['prefix']);

    const mark2 = sims.events.length;
    const rolled = await call('presets.rollback', { id: 'linen', version: 1 });
    expect(rolled.rerender.jobIds.length).toBe(2);
    await nextEvent(sims, 'job.completed', (p) => p.galleryId === galleryId && p.kind === 'thumbnail', mark2);
    await nextEvent(sims, 'job.completed', (p) => p.galleryId === galleryId && p.kind === 'variation', mark2);
    await engine.whenIdle();
    expect(await sha256File(hero()?.localPath ?? '')).toBe(firstBytes);
    expect(hero()?.sha256).toBe(firstBytes);
    expect((await call('showcase.derived', { galleryId })).stale).toEqual([]);
  });

  it('prompt edits are versions; a rollback re-renders only the slots whose prompt changed', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const { engine } = sims;
    const call = api(engine);
    const productId = await oneProduct(engine);
    const { galleryIds } = await call('showcase.start', {
      productIds: [productId],
      seed: 7,
      lockSeed: true,
      variations: 1,
    });
    const galleryId = galleryIds[0] ?? '';
    await engine.whenIdle();
    const lifestyle = () => engine.showcase(galleryId).assets.find((a) => a.kind === 'lifestyle');
    const before = await sha256File(lifestyle()?.localPath ?? '');
    const heroSha = engine.showcase(galleryId).assets.find((a) => a.kind === 'hero')?.sha256;

    const upd = await call('prompts.update', {
      galleryId,
      prompts: { lifestyle: 'the stool beside a reading lamp at dusk' },
      author: 'Ana',
      rerender: true,
    });
    expect(upd.rerender.assets.map((a) => a.split('/')[1])).toEqual(['lifestyle']);
    await engine.whenIdle();
    expect(await sha256File(lifestyle()?.localPath ?? '')).not.toBe(before);

    const versions = await call('prompts.versions', { galleryId });
    expect(versions.map((v) => [v.version, v.action, v.changed])).toEqual([
      [1, 'create', ['hero', 'lifestyle', 'negative', 'variations']],
      [2, 'update', ['lifestyle']],
    ]);
    const rolled = await call('prompts.rollback', { galleryId, version: 1 });
    expect(rolled.rerender.assets.map((a) => a.split('/')[1])).toEqual(['lifestyle']);
    await engine.whenIdle();
    expect(await sha256File(lifestyle()?.localPath ?? '')).toBe(before);
    // The hero's prompt never changed: it was not rendered again.
    expect(engine.showcase(galleryId).assets.find((a) => a.kind === 'hero')?.sha256).toBe(heroSha);
  });
});

describe('derived images follow their source', () => {
  it('a new hero re-makes the thumbnail at once and marks the variations stale until re-rendered or kept', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const { engine } = sims;
    const call = api(engine);
    const productId = await oneProduct(engine);
    const { galleryIds } = await call('showcase.start', { productIds: [productId], variations: 2 });
    const galleryId = galleryIds[0] ?? '';
    await engine.whenIdle();
    const asset = (kind: string, idx = 0) =>
      engine
        .showcase(galleryId)
        .assets.find((a) => a.kind === kind && (kind !== 'variation' || a.idx === idx));
    const thumbBefore = asset('thumbnail')?.sha256;
    const varBefore = asset('variation', 1)?.sha256;
    expect((await call('showcase.derived', { galleryId })).stale).toEqual([]);

    const mark = sims.events.length;
    await call('showcase.regenerateAsset', { assetId: asset('hero')?.id ?? '', seed: 'new' });
    await nextEvent(sims, 'job.completed', (p) => p.galleryId === galleryId && p.kind === 'thumbnail', mark);
    await engine.whenIdle();
    expect(asset('thumbnail')?.sha256).not.toBe(thumbBefore);
    const derived = await call('showcase.derived', { galleryId });
    expect(derived.stale.map((s) => `${s.kind}${s.idx}`)).toEqual(['variation1', 'variation2']);
    expect(derived.stale[0]?.sourceSha256).toBe(asset('hero')?.sha256);
    // The JSON, the page and the catalog say so too.
    const jsonPath = engine.showcase(galleryId).gallery.jsonPath ?? '';
    const doc = JSON.parse(await readFile(jsonPath, 'utf8')) as { staleAssets: string[] };
    // The document names files as its assets do: inside the gallery's own folder.
    expect(doc.staleAssets.map((f) => basename(f))).toEqual([
      `product_${productId}_variation_1.png`,
      `product_${productId}_variation_2.png`,
    ]);
    const html = await readFile(engine.showcase(galleryId).gallery.htmlPath ?? '', 'utf8');
    expect(html.match(/Made from an earlier hero/g)).toHaveLength(2);
    const listed = await call('catalog.list', {});
    expect(listed.items.find((i) => i.galleryId === galleryId)?.stale).toBe(true);

    const kept = await call('showcase.resolveStale', { galleryId, action: 'keep' });
    expect(kept.derived.stale).toEqual([]);
    expect(kept.derived.kept).toHaveLength(2);
    const keptDoc = JSON.parse(await readFile(jsonPath, 'utf8')) as { staleAssets: string[] };
    expect(keptDoc.staleAssets).toEqual([]);
    expect(
      (await call('catalog.list', {})).items.find((i) => i.galleryId === galleryId)?.stale,
    ).toBeUndefined();
    expect(asset('variation', 1)?.sha256).toBe(varBefore);

    const mark2 = sims.events.length;
    await call('showcase.regenerateAsset', { assetId: asset('hero')?.id ?? '', seed: 'new' });
    await nextEvent(sims, 'job.completed', (p) => p.galleryId === galleryId && p.kind === 'thumbnail', mark2);
    await engine.whenIdle();
    expect((await call('showcase.derived', { galleryId })).stale).toHaveLength(2);
    const rr = await call('showcase.resolveStale', { galleryId, action: 'rerender' });
    expect(rr.jobIds).toHaveLength(2);
    await engine.whenIdle();
    expect((await call('showcase.derived', { galleryId })).stale).toEqual([]);
    expect(asset('variation', 1)?.sha256).not.toBe(varBefore);
  });
});

describe('approval is a gate', () => {
  it('refuses a failed showcase, naming the product and why', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const { engine } = sims;
    sims.comfy.faults.failNode('KSampler', 'RuntimeError', 'simulated sampler crash', 1000);
    const call = api(engine);
    const productId = await oneProduct(engine);
    const { galleryIds } = await call('showcase.start', { productIds: [productId], variations: 1 });
    const galleryId = galleryIds[0] ?? '';
    await engine.whenIdle();
    expect(engine.showcase(galleryId).gallery.status).toBe('failed');
    const err = await rejection(call('showcase.approve', { galleryId, approved: true }));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(
      /Only a complete showcase can be approved; "Oak Stool" \(oak-stool\): it failed/,
    );
    expect(engine.showcase(galleryId).gallery.approved).toBe(false);
    // Taking an approval back is always allowed.
    await call('showcase.approve', { galleryId, approved: false });
  });

  it('approves a partial showcase only when that is asked for on purpose', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const { engine } = sims;
    const call = api(engine);
    // Variations are img2img from the hero: failing their VAE encode leaves hero, lifestyle and thumbnail.
    sims.comfy.faults.failNode('VAEEncode', 'RuntimeError', 'simulated VAE encode failure', 1000);
    const productId = await oneProduct(engine);
    const { galleryIds } = await call('showcase.start', { productIds: [productId], variations: 1 });
    const galleryId = galleryIds[0] ?? '';
    await engine.whenIdle();
    expect(engine.showcase(galleryId).gallery.status).toBe('partial');
    const err = await rejection(call('showcase.approve', { galleryId, approved: true }));
    expect(err.message).toMatch(/is partial: product_oak-stool_variation_1\.png not rendered/);
    expect(err.details).toMatchObject({ fields: ['acceptPartial'] });
    const ok = await call('showcase.approve', { galleryId, approved: true, acceptPartial: true });
    expect(ok.gallery.approved).toBe(true);
  });
});
