// Sheets dropped on the window become catalog rows; rows a sheet cannot use are reported by line and field.
import { expect, openStudio, test } from './fixtures.ts';
import { dropSample, screenshotView } from './helpers.ts';

const row = (page: import('@playwright/test').Page, productId: string) =>
  page.locator(`[data-testid="catalog-row"][data-product-id="${productId}"]`);

test('a dropped sheet lists its products, and bad rows are reported with line and field', async ({
  page,
  studio,
}) => {
  await openStudio(page, studio);

  await dropSample(page, 'products.csv');
  for (const [id, name] of [
    ['ember-pour-over', 'Ember Pour-Over Kettle'],
    ['linen-tote-01', 'Field Day Linen Tote'],
    ['aurora-lamp', 'Crème Brûlée Aurora Desk Lamp'],
    ['trail-flask', 'Summit Trail Flask 750 ml'],
    ['moss-planter', 'Moss & Stone Planter Trio'],
  ] as const) {
    await expect(row(page, id).locator('.product-name')).toHaveText(name);
    await expect(row(page, id)).toHaveAttribute('data-status', /^(new|queued|running|complete)$/);
  }
  await expect(page.getByTestId('toast-success').first()).toContainText(
    'Imported 5 products from products.csv',
  );
  // A clean sheet leaves no report behind.
  await expect(page.locator('[data-testid="import-report"][data-filename="products.csv"]')).toHaveCount(0);

  await dropSample(page, 'products_with_errors.csv');
  const report = page.locator('[data-testid="import-report"][data-filename="products_with_errors.csv"]');
  await expect(report).toContainText('2 products imported');
  const errors = report.getByTestId('import-error-row');
  await expect(errors).toHaveCount(2);
  await expect(errors.nth(0)).toHaveAttribute('data-line', '3');
  await expect(errors.nth(0)).toHaveAttribute('data-field', 'name');
  await expect(errors.nth(1)).toHaveAttribute('data-line', '4');
  await expect(errors.nth(1)).toHaveAttribute('data-field', 'price');
  await expect(errors.nth(1)).toContainText('4');
  // The good rows of that sheet are in, the bad ones are not.
  await expect(row(page, 'desk-organizer')).toBeVisible();
  await expect(row(page, 'notebook-a5')).toBeVisible();
  await expect(row(page, 'no-name-row')).toHaveCount(0);
  await expect(row(page, 'bottle-opener')).toHaveCount(0);
  await expect(page.getByTestId('catalog-count')).toHaveAttribute('data-total', /^([7-9]|\d\d+)$/);

  await screenshotView(page, 'catalog');

  // The next drop replaces the previous drop's report: an old report would read as the new sheet's.
  await dropSample(page, 'products.csv');
  await expect(
    page.getByTestId('toast-success').filter({ hasText: 'from products.csv' }).first(),
  ).toBeVisible();
  await expect(report).toHaveCount(0);
});
