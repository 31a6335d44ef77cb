// The Showcase view on the simulators: live progress into seven slots, seed locking with a
// byte-identical re-render, and copy edits that survive a reload.
import { expect, openStudio, test } from './fixtures.ts';
import {
  finishedShowcase,
  observeSlots,
  pageSha256,
  SLOTS,
  sample,
  screenshotView,
  slotObservation,
} from './helpers.ts';

test('a started showcase streams progress into all seven slots until every image is loaded', async ({
  page,
  studio,
}) => {
  await studio.api('catalog.import', { content: await sample('products.csv'), filename: 'products.csv' });
  await openStudio(page, studio, '/queue');

  // Hold the queue, so the slots are watched from their very first state whatever the machine's speed.
  await page.getByTestId('queue-pause').click();
  await expect(page.getByTestId('queue')).toHaveAttribute('data-paused', 'true');
  try {
    await page.getByTestId('nav-catalog').click();
    const row = page.locator('[data-testid="catalog-row"][data-product-id="aurora-lamp"]');
    await row.getByTestId('catalog-row-select').check();
    await expect(page.getByTestId('catalog-count')).toHaveAttribute('data-selected', '1');
    await page.getByTestId('catalog-start-selected').click();
    // Starting says what will happen, then opens the showcase it started.
    await expect(page.getByTestId('start-confirm')).toBeVisible();
    await page.getByTestId('start-confirm-ok').click();

    const showcase = page.getByTestId('showcase');
    await expect(showcase).toHaveAttribute('data-gallery-id', /.+/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Crème Brûlée Aurora Desk Lamp');
    for (const slot of SLOTS) {
      await expect(page.getByTestId(slot)).toHaveAttribute('data-status', /^(pending|queued)$/);
    }
    await observeSlots(page);
  } finally {
    await studio.api('queue.resume', {});
  }

  for (const slot of SLOTS) {
    await expect(page.getByTestId(slot)).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  }
  await expect(page.getByTestId('showcase-status')).toHaveAttribute('data-status', 'complete');
  await expect(page.getByTestId('showcase-progress')).toHaveAttribute('data-done', '7');

  // Every slot shows its final image, really decoded by the browser.
  const images = page.getByTestId('slot-image');
  await expect(images).toHaveCount(7);
  await expect
    .poll(() =>
      images.evaluateAll((imgs) =>
        imgs.map((img) => {
          const i = img as HTMLImageElement;
          return i.complete && i.naturalWidth > 0 && i.classList.contains('is-loaded');
        }),
      ),
    )
    .toEqual(Array(7).fill(true));
  for (const img of await images.all()) await expect(img).toHaveAttribute('data-sha256', /^[0-9a-f]{64}$/);

  // On the way there the slots were really seen working: a moving progress bar and a step counter.
  const seen = await slotObservation(page);
  expect(seen.progressBars.length, JSON.stringify(seen)).toBeGreaterThan(0);
  expect(seen.stepCounters.length, JSON.stringify(seen)).toBeGreaterThan(0);
  // Live sampler previews, from a ComfyUI started without --preview-method: the studio asks per prompt.
  expect(seen.previews.length, JSON.stringify(seen)).toBeGreaterThan(0);
  await expect(page.getByTestId('toast-info').filter({ hasText: 'No live previews' })).toHaveCount(0);
  expect(
    Object.values(seen.statuses).some((s) => s.includes('running')),
    JSON.stringify(seen),
  ).toBe(true);
  for (const slot of SLOTS) {
    const statuses = seen.statuses[slot] ?? [];
    expect(statuses[0], `${slot}: ${statuses}`).toMatch(/^(pending|queued)$/);
    expect(statuses.at(-1), `${slot}: ${statuses}`).toBe('done');
  }

  // The queue drained: the navigation's badge of active jobs is gone.
  await expect(page.getByTestId('nav-queue').locator('.nav-badge')).toHaveCount(0);
  await screenshotView(page, 'showcase');

  // Back in the catalog, the row shows the finished showcase with its thumbnail.
  await page.getByTestId('showcase-back').click();
  const row = page.locator('[data-testid="catalog-row"][data-product-id="aurora-lamp"]');
  await expect(row).toHaveAttribute('data-status', 'complete');
  await expect
    .poll(() =>
      row
        .locator('.thumb img')
        .evaluate((img) => (img as HTMLImageElement).naturalWidth)
        .catch(() => 0),
    )
    .toBeGreaterThan(0);
});

test('a locked seed re-renders the byte-identical image', async ({ page, studio }) => {
  const data = await finishedShowcase(studio, 'products.csv', 'trail-flask');
  const heroAsset = data.assets.find((a) => a.kind === 'hero');
  if (!heroAsset) throw new Error('no hero asset');
  await openStudio(page, studio, `/showcase/${data.gallery.id}`);

  const hero = page.getByTestId('slot-hero');
  await expect(hero).toHaveAttribute('data-status', 'done');
  const image = hero.getByTestId('slot-image');
  await expect(image).toHaveClass(/is-loaded/);
  const seed = await hero.getAttribute('data-seed');
  const sha = await image.getAttribute('data-sha256');
  const src = await image.getAttribute('src');
  if (!sha || !src || !seed) throw new Error('the hero slot has no image');
  expect(await pageSha256(page, src)).toBe(sha);

  await hero.getByTestId('slot-lock').click();
  await expect(hero).toHaveAttribute('data-locked', 'true');
  await expect(hero.getByTestId('slot-lock')).toHaveAttribute('aria-pressed', 'true');
  // A locked seed cannot be re-rolled, only re-rendered.
  await expect(hero.getByTestId('slot-regenerate-new')).toBeDisabled();

  await observeSlots(page);
  await hero.getByTestId('slot-regenerate-same').click();
  // The slot leaves `done` (queued or rendering) and comes back to it.
  await expect
    .poll(async () => ((await slotObservation(page)).statuses['slot-hero'] ?? []).some((s) => s !== 'done'), {
      timeout: 30_000,
    })
    .toBe(true);
  await expect(hero).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  const statuses = (await slotObservation(page)).statuses['slot-hero'] ?? [];
  expect(statuses[0]).toBe('done');
  expect(statuses.at(-1)).toBe('done');

  // The engine really rendered it again …
  const after = await studio.api('showcase.get', { galleryId: data.gallery.id });
  const heroAfter = after.assets.find((a) => a.id === heroAsset.id);
  expect(heroAfter?.updatedAt).not.toBe(heroAsset.updatedAt);
  expect(heroAfter?.seedLocked).toBe(true);
  // … with the same seed, into the same bytes.
  await expect(hero).toHaveAttribute('data-seed', seed);
  await expect(image).toHaveAttribute('data-sha256', sha);
  await expect(image).toHaveClass(/is-loaded/);
  expect(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  expect(await pageSha256(page, (await image.getAttribute('src')) ?? '')).toBe(sha);

  // The lock is stored, not just drawn.
  await page.reload();
  await expect(page.getByTestId('slot-hero')).toHaveAttribute('data-locked', 'true');
});

test('an edited title is saved and still there after a reload', async ({ page, studio }) => {
  const data = await finishedShowcase(studio, 'products.csv', 'moss-planter');
  await openStudio(page, studio, `/showcase/${data.gallery.id}`);

  const title = page.getByTestId('copy-title');
  await expect(title).toHaveValue(data.gallery.copy?.title ?? '');
  const edited = `Moss & Stone Planter Trio — hand-thrown, edited ${Date.now()}`;
  await title.fill(edited);
  await expect(page.getByTestId('copy-status')).toHaveAttribute('data-state', 'dirty');
  await expect(page.getByTestId('copy-editor')).toHaveAttribute('data-dirty', 'true');
  await page.getByTestId('copy-save').click();
  await expect(page.getByTestId('copy-status')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('copy-source')).toHaveAttribute('data-source', 'edited');

  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
  await expect(page.getByTestId('copy-title')).toHaveValue(edited);
  await expect(page.getByTestId('copy-status')).toHaveAttribute('data-state', 'saved');
  expect((await studio.api('showcase.get', { galleryId: data.gallery.id })).gallery.copy?.title).toBe(edited);
});
