// The operator's edit loop in Chromium through `serve --ui --demo` (issue #19): a preset created,
// rendered, edited, compared and rolled back to a byte-identical image with a locked seed; a new hero
// that makes the thumbnail follow at once and the variations stale until re-rendered; approval shown
// in Catalog and Publish; a sync conflict titled by product and showcase with only the changed field.
import { dirname, join } from 'node:path';
import { openStore, tableSpecs } from '../../src/main/engine/store/index.ts';
import type { Showcase } from '../../src/shared/index.ts';
import { expect, openStudio, SCREENSHOTS, type Studio, test } from './fixtures.ts';
import { finishedShowcase, pageSha256, sample, screenshotView } from './helpers.ts';

// Presets, approvals and conflicts are studio-wide: this spec gets a server of its own.
test.use({ studioName: 'editloop' });

const hero = (s: Showcase) => s.assets.find((a) => a.kind === 'hero');

async function settled(studio: Studio, galleryId: string): Promise<Showcase> {
  // Done when no slot is queued or rendering and the showcase itself is finished.
  await expect
    .poll(
      async () => {
        const s = await studio.api('showcase.get', { galleryId });
        const busy = s.assets.some((a) => a.status === 'queued' || a.status === 'running');
        return busy ? 'busy' : s.gallery.status;
      },
      { timeout: 60_000 },
    )
    .toBe('complete');
  return studio.api('showcase.get', { galleryId });
}

test('preset create → render → edit → diff → rollback re-renders the earlier hero byte for byte', async ({
  page,
  studio,
}) => {
  test.setTimeout(180_000);
  await openStudio(page, studio, '/presets');
  await page.getByTestId('preset-new').click();
  await page.getByTestId('preset-name').fill('E2E Linen');
  await page.getByTestId('preset-prefix').fill('on natural linen, soft window daylight');
  await page.getByTestId('preset-params').fill('cfg=3.5');
  await page.getByTestId('preset-save').click();
  await expect(page.locator('[data-testid="preset-item"][data-preset-id="e2e-linen"]')).toBeVisible();
  await expect(page.getByTestId('preset-form')).toHaveAttribute('data-preset-id', 'e2e-linen');

  // Render with the preset and a locked seed.
  await studio.api('catalog.import', { content: await sample('products.csv'), filename: 'products.csv' });
  const {
    galleryIds: [galleryId = ''],
  } = await studio.api('showcase.start', {
    productIds: ['aurora-lamp'],
    presetId: 'e2e-linen',
    seed: 4242,
    lockSeed: true,
  });
  const first = await settled(studio, galleryId);
  const firstSha = hero(first)?.sha256 ?? '';
  expect(firstSha).toMatch(/^[0-9a-f]{64}$/);
  expect(hero(first)?.prompt).toContain('natural linen');

  // Edit in the UI; "re-render what changes" is on by default.
  await page.getByTestId('preset-prefix').fill('on black slate, hard rim light');
  await expect(page.getByTestId('preset-rerender')).toBeChecked();
  await page.getByTestId('preset-save').click();
  await expect(page.locator('[data-testid="history-version"][data-version="2"]')).toBeVisible();
  await expect
    .poll(async () => hero(await studio.api('showcase.get', { galleryId }))?.sha256, { timeout: 60_000 })
    .not.toBe(firstSha);
  const edited = await settled(studio, galleryId);
  expect(hero(edited)?.prompt).toContain('black slate');

  // The diff of v1 and v2 shows only the field that changed, side by side.
  const diff = page.getByTestId('history-diff');
  await expect(diff).toHaveAttribute('data-from', '1');
  await expect(diff).toHaveAttribute('data-to', '2');
  await expect(diff.getByTestId('history-diff-row')).toHaveCount(1);
  const row = diff.locator('[data-testid="history-diff-row"][data-field="prefix"]');
  await expect(row.locator('.history-before')).toHaveText('on natural linen, soft window daylight');
  await expect(row.locator('.history-after')).toHaveText('on black slate, hard rim light');
  await screenshotView(page, 'editloop-presets-diff');

  // Roll back to v1: the hero comes back byte for byte (same seed, same prompt).
  await page
    .locator('[data-testid="history-version"][data-version="1"]')
    .getByTestId('history-rollback')
    .click();
  await expect(page.locator('[data-testid="history-version"][data-version="3"]')).toHaveAttribute(
    'data-action',
    'rollback',
  );
  await expect(page.getByTestId('preset-prefix')).toHaveValue('on natural linen, soft window daylight');
  await expect
    .poll(async () => hero(await studio.api('showcase.get', { galleryId }))?.sha256, { timeout: 60_000 })
    .toBe(firstSha);
  const back = await settled(studio, galleryId);
  expect(hero(back)?.sha256).toBe(firstSha);

  // The bytes the studio serves are the earlier image's.
  await page.goto('about:blank');
  await openStudio(page, studio, `/showcase/${galleryId}`);
  const image = page.getByTestId('slot-hero').getByTestId('slot-image');
  await expect(image).toHaveAttribute('data-sha256', firstSha);
  expect(await pageSha256(page, (await image.getAttribute('src')) ?? '')).toBe(firstSha);
  await expect(page.getByTestId('stale-banner')).toHaveCount(0);
});

test('a new hero re-makes the thumbnail at once; the variations are stale until re-rendered', async ({
  page,
  studio,
}) => {
  test.setTimeout(180_000);
  const data = await finishedShowcase(studio, 'products.csv', 'trail-flask');
  const galleryId = data.gallery.id;
  await openStudio(page, studio, `/showcase/${galleryId}`);
  const heroSlot = page.getByTestId('slot-hero');
  const thumb = page.getByTestId('slot-thumbnail').getByTestId('slot-image');
  const variation = page.getByTestId('slot-variation-1');
  await expect(thumb).toHaveClass(/is-loaded/);
  const heroBefore = await heroSlot.getByTestId('slot-image').getAttribute('data-sha256');
  const thumbBefore = await thumb.getAttribute('data-sha256');
  const variationBefore = await variation.getByTestId('slot-image').getAttribute('data-sha256');
  await expect(page.getByTestId('stale-banner')).toHaveCount(0);

  await heroSlot.getByTestId('slot-regenerate-new').click();
  await expect(heroSlot.getByTestId('slot-image')).not.toHaveAttribute('data-sha256', heroBefore ?? '', {
    timeout: 60_000,
  });
  // The thumbnail follows the new hero by itself.
  await expect(thumb).not.toHaveAttribute('data-sha256', thumbBefore ?? '', { timeout: 60_000 });
  await expect(page.getByTestId('slot-thumbnail')).toHaveAttribute('data-stale', 'false');
  // The variations are marked, not silently kept.
  const banner = page.getByTestId('stale-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner).toHaveAttribute('data-count', '4');
  await expect(variation).toHaveAttribute('data-stale', 'true');
  await expect(variation.getByTestId('slot-stale')).toBeVisible();
  await expect(variation.getByTestId('slot-image')).toHaveAttribute('data-sha256', variationBefore ?? '');
  await screenshotView(page, 'editloop-stale');

  // The JSON says so too, and the catalog row.
  const settledData = await settled(studio, galleryId);
  // The gallery's files sit in its own folder: the page's path relative to the output root, as JSON.
  const jsonFile = (settledData.pageFile ?? '').replace(/\.html$/, '.json');
  const json = await fetch(`${studio.url}/files/${jsonFile}`, {
    headers: { Authorization: `Bearer ${studio.token}` },
  });
  expect(json.status).toBe(200);
  const doc = (await json.json()) as { staleAssets: string[] };
  expect(doc.staleAssets).toHaveLength(4);
  await page.getByTestId('nav-catalog').click();
  const catalogRow = page.locator(`[data-testid="catalog-row"][data-gallery-id="${galleryId}"]`);
  await expect(catalogRow.getByTestId('stale-mark')).toBeVisible();
  await page.goBack();

  // One click: render them again from the new hero.
  await page.getByTestId('stale-rerender').click();
  await expect(banner).toHaveCount(0, { timeout: 60_000 });
  await expect(variation.getByTestId('slot-image')).not.toHaveAttribute(
    'data-sha256',
    variationBefore ?? '',
    {
      timeout: 60_000,
    },
  );
  await expect(variation).toHaveAttribute('data-stale', 'false');
  await settled(studio, galleryId);
  expect((await studio.api('showcase.derived', { galleryId })).stale).toEqual([]);
});

test('approval is a gate and shows in the Catalog and in Publish', async ({ page, studio }) => {
  test.setTimeout(120_000);
  const data = await finishedShowcase(studio, 'products.csv', 'moss-planter');
  const galleryId = data.gallery.id;
  await openStudio(page, studio, `/showcase/${galleryId}`);
  await expect(page.getByTestId('showcase')).toBeVisible();
  await page.getByTestId('nav-publish').click();
  const publishRow = page.locator(`[data-testid="publish-row"][data-gallery-id="${galleryId}"]`);
  // "Ready to publish" means approved: a complete but unapproved gallery is not listed.
  await expect(
    page.getByTestId('publish-empty').or(page.locator('[data-testid="publish-row"]').first()),
  ).toBeVisible();
  await expect(publishRow).toHaveCount(0);

  await page.getByTestId('nav-showcase').click();
  const approve = page.getByTestId('showcase-approve');
  await expect(approve).toBeEnabled();
  await expect(page.getByTestId('approve-blocker')).toHaveCount(0);
  await approve.click();
  await expect(approve).toHaveAttribute('data-approved', 'true');

  await page.getByTestId('nav-catalog').click();
  const catalogRow = page.locator(`[data-testid="catalog-row"][data-gallery-id="${galleryId}"]`);
  await expect(catalogRow.getByTestId('approved-mark')).toBeVisible();
  await screenshotView(page, 'editloop-catalog-approved');

  await page.getByTestId('nav-publish').click();
  await expect(publishRow).toBeVisible();
  await expect(publishRow.getByTestId('approved-mark')).toBeVisible();
  await expect(publishRow.getByTestId('publish-select')).toBeEnabled();
  await screenshotView(page, 'editloop-publish-approved');
});

test('a sync conflict is titled by product and showcase and shows only the field that differs', async ({
  page,
  studio,
}) => {
  test.setTimeout(120_000);
  const data = await finishedShowcase(studio, 'products.csv', 'ember-pour-over');
  // A conflict as sync records it: this workstation's version and the other one that won.
  const local = tableSpecs.product_galleries.toSyncRow(data.gallery);
  const remote = { ...local, approved: true, updated_at: new Date(Date.now() + 60_000).toISOString() };
  const now = Date.now();
  const store = openStore(join(dirname(studio.outDir), 'db/studio.db'));
  try {
    store.conflicts.record({
      table: 'product_galleries',
      rowId: data.gallery.id,
      local,
      remote,
      localHlc: `${now}-00001-station-a`,
      remoteHlc: `${now + 60_000}-00000-station-b`,
    });
  } finally {
    store.close();
  }
  await openStudio(page, studio, '/conflicts');
  const card = page.locator(`[data-testid="conflict-row"][data-row-id="${data.gallery.id}"]`);
  await expect(card.getByTestId('conflict-title')).toContainText('Ember Pour-Over Kettle');
  await expect(card.getByTestId('conflict-title')).toContainText('showcase of');
  await expect(card.getByTestId('conflict-field')).toHaveCount(1);
  const field = card.locator('[data-testid="conflict-field"][data-field="approved"]');
  await expect(field.locator('[data-side="local"]')).toHaveText('false');
  await expect(field.locator('[data-side="remote"]')).toHaveText('true');
  await expect(card.getByTestId('conflict-local-meta')).toContainText('station station-a');
  await expect(card.getByTestId('conflict-remote-meta')).toContainText('station station-b');
  await screenshotView(page, 'editloop-conflicts');
});

test('Settings says why its ComfyUI URLs are not used by a --demo studio; toasts stay clear of the table', async ({
  page,
  studio,
}) => {
  await openStudio(page, studio, '/settings');
  const notice = page.getByTestId('settings-override-notice');
  await expect(notice).toContainText('started with --demo');
  await expect(notice).toHaveAttribute('data-fields', 'comfyUrls ollamaUrl');
  await screenshotView(page, 'editloop-settings-demo');

  // A toast shows in the sidebar's free space, never over the catalog's columns.
  await page.getByTestId('nav-presets').click();
  await page.getByTestId('preset-new').click();
  await page.getByTestId('preset-name').fill('Toast Check');
  await page.getByTestId('preset-save').click();
  const toast = page.getByTestId('toast-success').filter({ hasText: 'Created “Toast Check”' });
  await expect(toast).toBeVisible();
  const box = await toast.boundingBox();
  const sidebar = await page.locator('.sidebar').boundingBox();
  expect(box && sidebar && box.x + box.width <= sidebar.x + sidebar.width).toBe(true);
  await page.screenshot({ path: join(SCREENSHOTS, 'editloop-toast.png') });
});
