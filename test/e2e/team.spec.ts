// The team (issue #17) in the UI: the Team view reads workers registered in a real PostgreSQL (one
// live, one whose heartbeat is a minute old and so Lost), and the Start dialog offers the team's GPUs
// only once a team database and bucket are set; a run sent there waits in the team queue, says so in
// its slots, and can be cancelled from the showcase.
import pg from 'pg';
import { type WorkerBackend, WorkerRegistry } from '../../src/main/engine/team/index.ts';
import type { TeamJobInFlight } from '../../src/shared/index.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/postgres.ts';
import { type S3Peer, startS3Peer } from '../fixtures/s3.ts';
import { expect, openStudio, test } from './fixtures.ts';
import { sample, screenshotView } from './helpers.ts';

// The team database and bucket are studio-wide settings: this spec gets a server of its own.
test.use({ studioName: 'team' });
test.describe.configure({ mode: 'serial' });

const LIVE_GPU: WorkerBackend = {
  url: 'http://10.0.0.12:8188',
  gpu: 'NVIDIA GeForce RTX 4090',
  vramBytes: 25_757_220_864,
  models: ['qwen_image_fp8_e4m3fn.safetensors'],
  families: ['qwen-image', 'edit'],
  msPerImage: { 'qwen_image_fp8_e4m3fn.safetensors': 9_400 },
  loadedModel: 'qwen_image_fp8_e4m3fn.safetensors',
  writesCopy: true,
};
const SECOND_GPU: WorkerBackend = {
  url: 'http://10.0.0.12:8189',
  gpu: 'NVIDIA RTX A6000',
  vramBytes: 51_527_024_640,
  models: ['sd_xl_base_1.0.safetensors'],
  families: ['sdxl'],
  msPerImage: {},
  loadedModel: null,
};
const LOST_GPU: WorkerBackend = {
  url: 'http://10.0.0.13:8188',
  gpu: 'NVIDIA GeForce RTX 3090',
  vramBytes: 25_769_803_776,
  models: [],
  families: ['sdxl'],
  msPerImage: {},
  loadedModel: null,
};
const IN_FLIGHT: TeamJobInFlight = {
  jobId: 'job-aurora-hero',
  galleryId: 'gallery-aurora',
  productId: 'aurora-lamp',
  kind: 'hero',
  backend: LIVE_GPU.url,
  value: 3,
  max: 20,
};

let db: TestDatabase | null = null;
let registry: WorkerRegistry | null = null;
let s3: S3Peer | null = null;
let beating: ReturnType<typeof setInterval> | null = null;

test.beforeAll(async () => {
  db = await createTestDatabase('team_ui');
});

test.afterAll(async ({ studio }) => {
  if (beating) clearInterval(beating);
  // The studio lets go of the database before it is dropped (its sync and team connections).
  await studio.api('settings.update', { postgresUrl: null }).catch(() => undefined);
  await registry?.close();
  await db?.drop();
  await s3?.dispose();
});

test('the Team view says how to set up a team, then lists the workers in the team database', async ({
  page,
  studio,
}) => {
  test.skip(!db, 'no PostgreSQL on 127.0.0.1:5432');
  if (!db) return;
  await openStudio(page, studio, '/team');
  const view = page.getByTestId('team-view');
  await expect(view).toHaveAttribute('data-configured', 'false');
  const empty = page.getByTestId('team-not-configured');
  await expect(empty).toContainText('Settings → Team sync');
  await expect(empty).toContainText('Settings → Publishing (S3)');
  await expect(page.getByTestId('team-command-text')).toContainText('bin/showcase worker --pg');
  await expect(page.getByTestId('team-command-text')).toContainText('--comfy http://127.0.0.1:8188');
  await screenshotView(page, 'team-not-configured');

  // Two workers, registered the way `showcase worker` does, in the schema the engine reads.
  registry = new WorkerRegistry({ url: db.url });
  await registry.install();
  await registry.register('w-studio-b', 'studio-b', [LIVE_GPU, SECOND_GPU]);
  await registry.heartbeat('w-studio-b', {
    inFlight: [IN_FLIGHT],
    backends: [LIVE_GPU, SECOND_GPU],
    finished: 12,
  });
  await registry.register('w-studio-c', 'studio-c', [LOST_GPU]);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    await admin.query(
      `UPDATE showcase_team.team_workers SET heartbeat_at = now() - interval '60 seconds' WHERE id = 'w-studio-c'`,
    );
    // studio-b has been up ten minutes: 12 jobs done is 1.2 jobs/min.
    await admin.query(
      `UPDATE showcase_team.team_workers SET started_at = now() - interval '10 minutes' WHERE id = 'w-studio-b'`,
    );
  } finally {
    await admin.end();
  }
  // studio-b stays alive like a running worker (three missed beats would make it lost on a slow run).
  const live = registry;
  beating = setInterval(() => {
    void live
      .heartbeat('w-studio-b', { inFlight: [IN_FLIGHT], backends: [LIVE_GPU, SECOND_GPU], finished: 0 })
      .catch(() => undefined);
  }, 2_000);

  await studio.api('settings.update', { postgresUrl: db.url });
  // The view polls: the workers appear without a reload.
  await expect(view).toHaveAttribute('data-configured', 'true');
  const rows = page.getByTestId('team-worker');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('team-error')).toHaveCount(0);

  const b = page.locator('[data-testid="team-worker"][data-worker-name="studio-b"]');
  await expect(b).toHaveAttribute('data-lost', 'false');
  await expect(b.getByTestId('team-lost')).toHaveCount(0);
  const gpus = b.getByTestId('team-gpu');
  await expect(gpus).toHaveCount(2);
  await expect(gpus.nth(0).getByTestId('team-gpu-name')).toHaveText('RTX 4090');
  await expect(gpus.nth(0).getByTestId('team-gpu-vram')).toHaveText('24 GB');
  await expect(gpus.nth(0).getByTestId('team-gpu-family')).toHaveText(['qwen-image', 'edit']);
  await expect(gpus.nth(0).getByTestId('team-gpu-copy')).toHaveText('copy');
  await expect(gpus.nth(1).getByTestId('team-gpu-copy')).toHaveCount(0);
  await expect(gpus.nth(0).getByTestId('team-gpu-model')).toContainText('qwen_image_fp8_e4m3fn.safetensors');
  await expect(gpus.nth(1).getByTestId('team-gpu-name')).toHaveText('RTX A6000');
  await expect(gpus.nth(1).getByTestId('team-gpu-vram')).toHaveText('48 GB');
  await expect(gpus.nth(1).getByTestId('team-gpu-model')).toHaveText('no model loaded');
  await expect(b.getByTestId('team-worker-done')).toHaveText('12');
  await expect(b.getByTestId('team-worker-rate')).toHaveText('1.2');
  await expect(b.getByTestId('team-worker-heartbeat')).toHaveText(/^\d+ s ago$/);
  const job = b.getByTestId('team-job');
  await expect(job).toHaveCount(1);
  await expect(job).toContainText('aurora-lamp');
  await expect(job).toContainText('hero');
  await expect(job.getByTestId('team-job-step')).toHaveText('step 3/20');
  await expect(job).toContainText('on RTX 4090');

  const c = page.locator('[data-testid="team-worker"][data-worker-name="studio-c"]');
  await expect(c).toHaveAttribute('data-lost', 'true');
  await expect(c.getByTestId('team-lost')).toHaveText('Lost');
  await expect(c).toHaveClass(/is-lost/);
  await expect(c.getByTestId('team-worker-heartbeat')).toHaveText(/^1 min ago$|^6\d s ago$/);
  await expect(c.getByTestId('team-job')).toHaveCount(0);

  await expect(page.getByTestId('team-live')).toHaveAttribute('data-value', '1');
  await expect(page.getByTestId('team-live')).toContainText('1 lost');
  await expect(page.getByTestId('team-queue-row')).toHaveCount(3);
  await expect(page.locator('[data-testid="team-queue-row"][data-family="qwen-image"]')).toBeVisible();
  await expect(page.getByTestId('team-sent')).toHaveAttribute('data-value', '0');
  await screenshotView(page, 'team');
});

test('the Start dialog offers the team’s GPUs only with a team set up; a team run waits in the team queue and cancels', async ({
  page,
  studio,
}) => {
  test.skip(!db, 'no PostgreSQL on 127.0.0.1:5432');
  if (!db) return;
  await studio.api('catalog.import', { content: await sample('products.csv'), filename: 'products.csv' });
  await studio.api('settings.update', { postgresUrl: null });
  await openStudio(page, studio, '/catalog');
  const row = page.locator('[data-testid="catalog-row"][data-product-id="ember-pour-over"]');
  await row.getByTestId('catalog-row-select').check();

  // No team database: the choice is there, disabled, and says what to set.
  await page.getByTestId('catalog-start-selected').click();
  const dialog = page.getByTestId('start-confirm');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('start-target-local')).toBeChecked();
  await expect(dialog.getByTestId('start-target-team')).toBeDisabled();
  await expect(dialog.getByTestId('start-target-team-reason')).toContainText('Settings → Team sync');
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(dialog).toBeHidden();

  // A team database and a bucket: the choice is offered.
  s3 = await startS3Peer();
  await studio.api('settings.update', { postgresUrl: db.url, s3: s3.settings({ bucket: 'team-e2e' }) });
  await page.getByTestId('catalog-start-selected').click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('start-target-team')).toBeEnabled();
  await dialog.getByTestId('start-target-team').check();
  await expect(dialog.getByTestId('start-target')).toHaveAttribute('data-target', 'team');
  await expect(dialog.getByTestId('start-target-team-note')).toContainText('the images go to the team queue');
  await screenshotView(page, 'start-dialog-team');
  await dialog.getByTestId('start-confirm-ok').click();

  // Nobody takes qwen-image work here (the fake workers never claim): the hero waits in the team queue.
  const hero = page.getByTestId('slot-hero');
  await expect(hero.getByTestId('slot-caption')).toHaveText(
    'waiting in the team queue for a worker with the qwen-image models',
    { timeout: 30_000 },
  );
  await expect(hero.locator('.chip').first()).toHaveText('In the team queue');
  // Queued, not starting: no step counter yet.
  await expect(hero.getByTestId('slot-steps')).toHaveText('');
  await screenshotView(page, 'showcase-team-queued');

  // The Team view counts it as this station's job out with the team.
  await page.getByTestId('nav-team').click();
  await expect(page.getByTestId('team-sent')).not.toHaveAttribute('data-value', '0');

  // Cancel is where it always is, and withdraws the team jobs.
  await page.goBack();
  await page.getByTestId('showcase-cancel').click();
  await expect(page.getByTestId('showcase-status')).toHaveAttribute(
    'data-status',
    /cancelled|failed|partial/,
  );
  await expect(hero).not.toHaveAttribute('data-status', /queued|running/);
  await expect(page.getByTestId('showcase-cancel')).toHaveCount(0);
  // Nothing there looks alive any more: no step counter, no "In the team queue".
  await expect(hero.getByTestId('slot-steps')).toHaveText('');
  await expect(hero).not.toContainText('In the team queue');
  await screenshotView(page, 'showcase-team-cancelled');
});
