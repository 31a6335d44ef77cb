// Publishing: S3 configured in Settings against a real s3rver child process, one click on Publish,
// and the shared URL really serves the gallery page.
import { startS3Peer } from '../fixtures/s3.ts';
import { expect, openStudio, test } from './fixtures.ts';
import { approvedShowcase, screenshotView } from './helpers.ts';

// S3 settings and published galleries are studio-wide: this spec gets a server of its own.
test.use({ studioName: 'publish' });

test('S3 set up in Settings, one click publishes the gallery, and its URL serves the page', async ({
  page,
  studio,
}) => {
  const peer = await startS3Peer();
  try {
    const data = await approvedShowcase(studio, 'products.csv', 'ember-pour-over');
    const s3 = peer.settings({ bucket: 'showcase-e2e' });

    await openStudio(page, studio, '/settings');
    await page.getByTestId('settings-s3-enabled').check();
    await page.getByTestId('settings-s3-endpoint').fill(s3.endpoint);
    await page.getByTestId('settings-s3-bucket').fill(s3.bucket);
    await page.getByTestId('settings-s3-accessKey').fill(s3.accessKey);
    await page.getByTestId('settings-s3-secretKey').fill(s3.secretKey);
    await page.getByTestId('settings-s3-region').fill(s3.region);
    await page.getByTestId('settings-s3-presignSeconds').fill('3600');
    await expect(page.getByTestId('settings-state')).toHaveAttribute('data-dirty', 'true');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-state')).toHaveAttribute('data-dirty', 'false');
    await expect(page.getByTestId('toast-success').filter({ hasText: 'Settings saved' })).toBeVisible();
    const saved = await studio.api('settings.get', {});
    expect(saved.s3).toMatchObject({ endpoint: s3.endpoint, bucket: s3.bucket, accessKey: 'S3RVER' });
    // The secret is stored, never shown back.
    await expect(page.getByTestId('settings-s3-secretKey')).toHaveValue('');
    await page.getByTestId('settings-section-s3').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshotView(page, 'settings');

    await page.getByTestId('nav-publish').click();
    await expect(page.getByTestId('publish-s3-missing')).toHaveCount(0);
    const row = page.locator(`[data-testid="publish-row"][data-gallery-id="${data.gallery.id}"]`);
    await row.getByTestId('publish-button').click();
    await expect(row).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    const link = row.getByTestId('publish-url');
    await expect(link).toBeVisible();
    const url = await link.getAttribute('href');
    expect(url).toBeTruthy();
    expect(url?.startsWith(`${peer.endpoint}/showcase-e2e/`)).toBe(true);
    await expect(link).toHaveText(url ?? '');

    const response = await fetch(url ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Ember Pour-Over Kettle');

    await expect(row.getByTestId('publish-button')).toHaveText('Republish');
    await screenshotView(page, 'publish');

    // The studio keeps showing the gallery's thumbnail from the local output after publishing.
    await page.reload();
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
    await page.getByTestId('nav-catalog').click();
    const thumb = page.locator('[data-testid="catalog-row"][data-product-id="ember-pour-over"] .thumb img');
    await expect
      .poll(() => thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth).catch(() => 0), {
        timeout: 5_000,
      })
      .toBeGreaterThan(0);
  } finally {
    await peer.dispose();
  }
});
