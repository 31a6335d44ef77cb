// Live previews on a ComfyUI 0.3.64 started without --preview-method: it ignores the studio's
// per-prompt request, so the images render without previews and the studio says so once, with the fix.
import { expect, openStudio, test } from './fixtures.ts';
import { observeSlots, SLOTS, sample, slotObservation } from './helpers.ts';

test.use({ studioName: 'previews-off', comfyVersion: '0.3.64' });

test('a 0.3.64 ComfyUI renders without previews; one notice says how to turn them on', async ({
  page,
  studio,
}) => {
  await studio.api('catalog.import', { content: await sample('products.csv'), filename: 'products.csv' });
  await openStudio(page, studio, '/queue');
  await page.getByTestId('queue-pause').click();
  await expect(page.getByTestId('queue')).toHaveAttribute('data-paused', 'true');
  try {
    await page.getByTestId('nav-catalog').click();
    const row = page.locator('[data-testid="catalog-row"][data-product-id="aurora-lamp"]');
    await row.getByTestId('catalog-row-select').check();
    await page.getByTestId('catalog-start-selected').click();
    await page.getByTestId('start-confirm-ok').click();
    await expect(page.getByTestId('showcase')).toHaveAttribute('data-gallery-id', /.+/);
    await observeSlots(page);
  } finally {
    await studio.api('queue.resume', {});
  }
  for (const slot of SLOTS) {
    await expect(page.getByTestId(slot)).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  }

  const notice = page.getByTestId('toast-info').filter({ hasText: 'No live previews' });
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('renders without live previews');
  await expect(notice).toContainText('--preview-method auto');
  const seen = await slotObservation(page);
  expect(seen.previews, JSON.stringify(seen)).toEqual([]);
  // Slots that rendered after the notice say so where the preview would be (naming the backend).
  expect(
    seen.captions.some((c) => /^Rendering on \S+… \(no live preview\)$/.test(c)),
    JSON.stringify(seen),
  ).toBe(true);
  // It stays until dismissed (an operator may be elsewhere when it comes).
  await notice.getByRole('button', { name: 'Dismiss notification' }).click();
  await expect(notice).toHaveCount(0);
});
