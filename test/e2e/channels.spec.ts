// Channel exports from the UI: select a finished gallery in Publish, "Export for channels…", and read
// the pass rate and the per-channel chips; the Showcase view shows the compliance report; "Shopify CSV"
// downloads the product CSV.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, openStudio, SCREENSHOTS, test } from './fixtures.ts';
import { approvedShowcase, screenshotView } from './helpers.ts';

test.use({ studioName: 'channels' });

test('exports a gallery for Amazon and Instagram, shows the pass rate and the chips, downloads the Shopify CSV', async ({
  page,
  studio,
}) => {
  // A render, a white-background render and two channels' worth of sharp work on a shared machine.
  test.setTimeout(120_000);
  const data = await approvedShowcase(studio, 'products.csv', 'linen-tote-01');
  await openStudio(page, studio, '/publish');
  const row = page.locator(`[data-testid="publish-row"][data-gallery-id="${data.gallery.id}"]`);
  await row.getByTestId('publish-select').check();

  await page.getByTestId('channels-open').click();
  const dialog = page.getByTestId('channel-dialog');
  await expect(dialog).toBeVisible();
  for (const name of ['shopify', 'etsy', 'mercadolivre'])
    await dialog.getByTestId(`channel-${name}`).uncheck();
  await expect(dialog.getByText('Amazon · 2000×2000 · main image on pure white')).toBeVisible();
  await dialog.getByTestId('channel-export').click();
  const summary = dialog.getByTestId('channel-summary');
  await expect(summary).toContainText('amazon: 1/1 products pass', { timeout: 60_000 });
  await expect(summary).toContainText('instagram: 1/1 products pass');
  // The dialog is modal (the notifications behind it cannot be dismissed): a plain screenshot.
  await page.mouse.move(0, 0);
  await page.screenshot({
    path: join(SCREENSHOTS, 'channels-dialog.png'),
    animations: 'disabled',
    caret: 'hide',
  });
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  const chips = row.getByTestId('channel-chips');
  await expect(chips.locator('[data-channel="amazon"]')).toHaveAttribute('data-passed', 'true');
  await expect(chips.locator('[data-channel="instagram"]')).toHaveAttribute('data-passed', 'true');
  await screenshotView(page, 'publish-channels');

  const download = page.waitForEvent('download');
  await page.getByTestId('shopify-csv').click();
  const file = await (await download).path();
  const csv = await readFile(file, 'utf8');
  expect(csv.split('\r\n')[0]).toMatch(/^Handle,Title,Body \(HTML\),Vendor,/);
  expect(csv).toContain('\r\nlinen-tote-01,Field Day Linen Tote,');

  // To the Showcase view the way an operator goes: the product's name in the row.
  await row.getByRole('button', { name: data.product.name }).click();
  const report = page.getByTestId('channel-report');
  await expect(report).toBeVisible();
  await expect(report.locator('[data-channel="amazon"]')).toHaveAttribute('data-passed', 'true');
  await report.scrollIntoViewIfNeeded();
  await screenshotView(page, 'showcase-channels');
});
