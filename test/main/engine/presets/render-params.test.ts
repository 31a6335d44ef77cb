// Per-showcase render parameters through the contract on a real SQLite file and the simulators:
// checked against the templates' declared ranges (the error names the parameter), used by every
// image of the showcase, and kept for a later re-render of one image.
import { afterEach, expect, it } from 'vitest';
import { dispatch } from '../../../../src/main/contract/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';
import { type Sims, startSims } from '../../../fixtures/sims.ts';

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

it('renders a showcase with its own cfg and steps, refuses out-of-range values by name, keeps them on re-render', async () => {
  sims = await startSims({
    engine: {
      overrides: { templateParams: { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } } },
    },
  });
  const { engine } = sims;
  engine.addProducts([{ id: 'oak-stool', name: 'Oak Stool', description: 'A stool.' }]);

  const refused = await dispatch(engine.handlers, 'showcase.start', {
    productIds: ['oak-stool'],
    params: { cfg: 25 },
  }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ShowcaseError);
  expect(String((refused as ShowcaseError).message)).toMatch(
    /"cfg" of template qwen-image\.\w+ must be a number in \[1, 20\], got 25/,
  );
  expect(engine.store.galleries.list({}).length).toBe(0);

  const { galleryIds } = (await dispatch(engine.handlers, 'showcase.start', {
    productIds: ['oak-stool'],
    params: { cfg: 3.5, steps: 12 },
    variations: 1,
  })) as { galleryIds: string[] };
  const galleryId = galleryIds[0] ?? '';
  await engine.whenIdle();
  const images = engine.showcase(galleryId).assets.filter((a) => a.kind !== 'thumbnail');
  for (const a of images) expect([a.kind, a.params.cfg, a.params.steps]).toEqual([a.kind, 3.5, 12]);

  const hero = images.find((a) => a.kind === 'hero');
  await dispatch(engine.handlers, 'showcase.regenerateAsset', { assetId: hero?.id ?? '', seed: 'new' });
  await engine.whenIdle();
  const again = engine.showcase(galleryId).assets.find((a) => a.kind === 'hero');
  expect(again?.seed).not.toBe(hero?.seed);
  expect([again?.params.cfg, again?.params.steps]).toEqual([3.5, 12]);
});
