// Page and API helpers shared by the UI specs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { Showcase } from '../../src/shared/index.ts';
import { expect, SAMPLES, SCREENSHOTS, type Studio } from './fixtures.ts';

export const SLOTS = [
  'slot-hero',
  'slot-lifestyle',
  'slot-variation-1',
  'slot-variation-2',
  'slot-variation-3',
  'slot-variation-4',
  'slot-thumbnail',
] as const;

export function sample(filename: string): Promise<string> {
  return readFile(join(SAMPLES, filename), 'utf8');
}

/**
 * Drops a sample sheet on the page the way a file manager does: a real DataTransfer holding a File,
 * with dragenter → dragover → drop dispatched on the body (they bubble to the window listeners).
 */
export async function dropSample(page: Page, filename: string): Promise<void> {
  const content = await sample(filename);
  const dataTransfer = await page.evaluateHandle(
    ([name, text]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: 'text/csv' }));
      return transfer;
    },
    [filename, content] as const,
  );
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  // The window took the drag: the drop overlay is up.
  await expect(page.getByTestId('drop-overlay')).toHaveAttribute('data-active', 'true');
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await expect(page.getByTestId('drop-overlay')).toHaveAttribute('data-active', 'false');
  await dataTransfer.dispose();
}

/** Imports a sample through the API and returns a finished showcase of one of its products. */
export async function finishedShowcase(studio: Studio, sheet: string, productId: string): Promise<Showcase> {
  const { imported } = await studio.api('catalog.import', {
    content: await sample(sheet),
    filename: sheet,
    format: 'auto',
  });
  expect(imported.map((p) => p.id)).toContain(productId);
  const {
    galleryIds: [galleryId],
  } = await studio.api('showcase.start', { productIds: [productId] });
  if (!galleryId) throw new Error(`showcase.start gave no gallery for ${productId}`);
  await expect
    .poll(async () => (await studio.api('showcase.get', { galleryId })).gallery.status, { timeout: 30_000 })
    .toBe('complete');
  return studio.api('showcase.get', { galleryId });
}

/** A finished showcase approved for publishing (ready to publish means approved). */
export async function approvedShowcase(studio: Studio, sheet: string, productId: string): Promise<Showcase> {
  const data = await finishedShowcase(studio, sheet, productId);
  return studio.api('showcase.approve', { galleryId: data.gallery.id, approved: true });
}

/** Dismisses the notifications so they do not cover a screenshot or a button. */
export async function dismissToasts(page: Page): Promise<void> {
  const toasts = page.getByRole('region', { name: 'Notifications' }).getByRole('button', {
    name: 'Dismiss notification',
  });
  while ((await toasts.count()) > 0) await toasts.first().click();
}

export async function screenshotView(page: Page, name: string): Promise<void> {
  await dismissToasts(page);
  // No caret blinking or hover styles in the picture.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

export interface SlotObservation {
  /** Every data-status a slot showed, in order, without repeats. */
  statuses: Record<string, string[]>;
  /** Slots that drew a determinate progress bar (value > 0 of max > 0) while running. */
  progressBars: string[];
  /** Step counters seen while running, like "Step 7 / 20". */
  stepCounters: string[];
  /** Slots that showed a live sampler preview. */
  previews: string[];
  /** Placeholder captions seen, like "Rendering…". */
  captions: string[];
}

/**
 * Watches the showcase's slots from inside the page: a MutationObserver sees every state React
 * commits, however briefly, so the test never has to catch a transient state by polling.
 */
export async function observeSlots(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: SlotObservation = {
      statuses: {},
      progressBars: [],
      stepCounters: [],
      previews: [],
      captions: [],
    };
    (window as unknown as { __slots: SlotObservation }).__slots = seen;
    const scan = () => {
      for (const slot of document.querySelectorAll<HTMLElement>('[data-testid^="slot-"][data-status]')) {
        const id = slot.dataset.testid ?? '';
        const list = seen.statuses[id] ?? [];
        seen.statuses[id] = list;
        const status = slot.dataset.status ?? '';
        if (list.at(-1) !== status) list.push(status);
        const bar = slot.querySelector<HTMLElement>('.slot-bar.is-visible [data-testid="slot-progress"]');
        if (
          bar &&
          Number(bar.dataset.max) > 0 &&
          Number(bar.dataset.value) > 0 &&
          !seen.progressBars.includes(id)
        )
          seen.progressBars.push(id);
        const steps = slot.querySelector('[data-testid="slot-steps"]')?.textContent ?? '';
        if (/^Step \d+ \/ \d+$/.test(steps) && seen.stepCounters.length < 50) seen.stepCounters.push(steps);
        if (slot.querySelector('[data-testid="slot-preview"]') && !seen.previews.includes(id))
          seen.previews.push(id);
        const caption = slot.querySelector('[data-testid="slot-caption"]')?.textContent ?? '';
        if (caption && !seen.captions.includes(caption)) seen.captions.push(caption);
      }
    };
    scan();
    new MutationObserver(scan).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-status', 'data-value', 'data-max', 'class'],
    });
  });
}

export function slotObservation(page: Page): Promise<SlotObservation> {
  return page.evaluate(() => (window as unknown as { __slots: SlotObservation }).__slots);
}

/** The bytes of an image as the page received them, hashed in the page (SHA-256, hex). */
export function pageSha256(page: Page, src: string): Promise<string> {
  return page.evaluate(async (url) => {
    const bytes = await (await fetch(url)).arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }, src);
}
