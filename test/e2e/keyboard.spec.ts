// The main navigation by keyboard alone, through every view; the console, uncaught errors and the
// CSP are watched by the `problems` fixture on every test of the suite.
import type { Page } from '@playwright/test';
import { expect, openStudio, test } from './fixtures.ts';
import { finishedShowcase, screenshotView } from './helpers.ts';

/** Presses Tab (or Shift+Tab) until the element with this test id has the focus; fails after 40 presses. */
async function tabTo(page: Page, testId: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (
      await page.evaluate(
        (id) => (document.activeElement as HTMLElement | null)?.dataset.testid === id,
        testId,
      )
    )
      return;
    await page.keyboard.press(key);
  }
  throw new Error(`${testId} cannot be reached with ${key}`);
}

async function focusRing(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return el.matches(':focus-visible') && style.outlineStyle !== 'none' && style.outlineWidth !== '0px'
      ? 'visible'
      : `none (${style.outlineStyle} ${style.outlineWidth}, box-shadow ${style.boxShadow})`;
  });
}

test('the main navigation is reachable and operable with the keyboard alone', async ({ page, studio }) => {
  const data = await finishedShowcase(studio, 'products.csv', 'linen-tote-01');
  await openStudio(page, studio);
  await expect(page.locator('#main')).toHaveAttribute('data-view', 'catalog');

  // The first Tab lands on the skip link, which takes the focus to the content.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('button', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();

  const tour = [
    ['queue', 'Enter', 'Queue'],
    ['templates', ' ', 'Templates'],
    ['publish', 'Enter', 'Publish'],
    ['settings', ' ', 'Settings'],
    ['showcase', 'Enter', 'Showcase'],
    ['catalog', 'Enter', 'Catalog'],
  ] as const;
  for (const [view, key, heading] of tour) {
    // From inside the content, back into the navigation and along it.
    await tabTo(page, `nav-${view}`, 'Shift+Tab');
    expect(await focusRing(page)).toBe('visible');
    await page.keyboard.press(key);
    await expect(page.locator('#main')).toHaveAttribute('data-view', view);
    await expect(page.getByTestId(`nav-${view}`)).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('nav[aria-label="Main"] [aria-current="page"]')).toHaveCount(1);
    // The focus follows into the new view's heading.
    const title = page.locator('#main .view-title');
    await expect(title).toBeFocused();
    await expect(title).toContainText(heading);

    if (view === 'queue') {
      await expect(page.getByTestId('queue-count-done')).not.toHaveAttribute('data-value', '0');
      await expect(page.getByTestId('backend-card').first()).toBeVisible();
      // Jobs that finished before this page was opened are listed too (from queue.status).
      await expect(
        page.getByTestId('recent-jobs').locator(`[data-testid="job-row"][data-state="done"]`),
      ).not.toHaveCount(0);
      await screenshotView(page, 'queue');
    }
    if (view === 'templates') {
      await expect(page.getByTestId('template-card').first()).toBeVisible();
      await screenshotView(page, 'templates');
    }
    if (view === 'showcase') {
      // No gallery was opened yet: the picker offers the started ones.
      await expect(
        page.locator(`[data-testid="picker-open"][data-gallery-id="${data.gallery.id}"]`),
      ).toBeVisible();
    }
  }

  // Tab order runs forward through the navigation too.
  await tabTo(page, 'nav-catalog', 'Shift+Tab');
  await tabTo(page, 'nav-publish', 'Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toHaveAttribute('data-view', 'publish');
});
