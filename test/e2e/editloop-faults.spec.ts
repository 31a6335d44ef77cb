// A failed slot tells its real cause, and a failed showcase cannot be approved: the studio's ComfyUI
// is a simulator started with `--fault broken-model:<the Qwen diffusion model>`, so every image that
// loads it fails at its loader node (as a corrupt download does).
import { expect, openStudio, test } from './fixtures.ts';
import { sample, screenshotView } from './helpers.ts';

const MODEL = 'qwen_image_fp8_e4m3fn.safetensors';
test.use({ studioName: 'editloop-faults', comfyFaults: [`broken-model:${MODEL}`] });

test('a failed slot shows its cause and the showcase cannot be approved', async ({ page, studio }) => {
  test.setTimeout(120_000);
  await studio.api('catalog.import', { content: await sample('products.csv'), filename: 'products.csv' });
  const {
    galleryIds: [galleryId = ''],
  } = await studio.api('showcase.start', { productIds: ['aurora-lamp'] });
  await expect
    .poll(async () => (await studio.api('showcase.get', { galleryId })).gallery.status, { timeout: 60_000 })
    .toBe('failed');

  await openStudio(page, studio, `/showcase/${galleryId}`);
  const slot = page.getByTestId('slot-hero');
  await expect(slot).toHaveAttribute('data-status', 'failed');
  const error = slot.getByTestId('slot-error');
  await expect(error).toHaveAttribute('data-state', 'failed');
  // The real cause, naming the backend, the loader and the exception, not "Something went wrong".
  await expect(error).toContainText('Model file failed to load (UNETLoader)');
  await expect(slot.getByTestId('slot-cause')).toContainText('UNETLoader');
  await expect(slot.getByTestId('slot-cause')).toContainText('HeaderTooLarge');
  await expect(slot.getByTestId('slot-cause')).toContainText('ComfyUI at http://127.0.0.1:');
  await expect(error).toContainText('download it again');
  await expect(error).not.toContainText('Something went wrong');
  // What depended on the hero says it was skipped because of it.
  const skipped = page.getByTestId('slot-variation-1').getByTestId('slot-error');
  await expect(skipped).toHaveAttribute('data-state', 'skipped');
  await expect(skipped).toContainText('Skipped: the hero failed');
  await expect(page.getByTestId('slot-variation-1').getByTestId('slot-cause')).toContainText('UNETLoader');

  const approve = page.getByTestId('showcase-approve');
  await expect(approve).toBeDisabled();
  await expect(page.getByTestId('approve-blocker')).toBeVisible();
  await screenshotView(page, 'editloop-failed-slot');
  // The contract refuses too, with the reason.
  const refused = await studio.api('showcase.approve', { galleryId, approved: true }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(String(refused)).toMatch(/Only a complete showcase can be approved|partial/);
});
