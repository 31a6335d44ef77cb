// Re-running the failed part of a finished showcase (after a backend was down, say): the copy when
// it is missing, then every asset that is not done, in the same gallery, with the same seeds. Jobs
// depend on what is re-run before them (variations and the thumbnail on a re-rendered hero).
import { randomUUID } from 'node:crypto';
import type { Asset, Gallery, Product, Settings } from '../../../shared/index.ts';
import { imageJobPayload, type JobPayload, type PlannedJob, templateIdFor } from './planner.ts';

export function planRerun(
  product: Product,
  gallery: Gallery,
  assets: Asset[],
  settings: Settings,
): PlannedJob[] {
  const now = new Date().toISOString();
  const job = (
    kind: PlannedJob['kind'],
    asset: Asset | null,
    dependsOn: string[],
    payload: JobPayload,
  ): PlannedJob => ({
    id: randomUUID(),
    galleryId: gallery.id,
    assetId: asset?.id ?? null,
    kind,
    status: 'queued',
    attempts: 0,
    backend: null,
    comfyPromptId: null,
    dependsOn,
    error: null,
    queuedAt: now,
    startedAt: null,
    finishedAt: null,
    payload,
  });
  const jobs: PlannedJob[] = [];
  const copy = gallery.copy
    ? null
    : job('copy', null, [], { type: 'copy', model: settings.ollamaModel, language: settings.copyLanguage });
  if (copy) jobs.push(copy);
  const afterCopy = copy ? [copy.id] : [];
  const hero = assets.find((a) => a.kind === 'hero');
  const heroJob =
    hero && hero.status !== 'done'
      ? job('hero', hero, afterCopy, imageJobPayload(product, gallery.family, 'hero', null))
      : null;
  if (heroJob) jobs.push(heroJob);
  const afterHero = heroJob ? [heroJob.id] : afterCopy;
  for (const asset of assets) {
    if (asset.status === 'done' || asset.kind === 'hero') continue;
    if (asset.kind === 'lifestyle') {
      jobs.push(
        job('lifestyle', asset, afterCopy, imageJobPayload(product, gallery.family, 'lifestyle', null)),
      );
    } else if (asset.kind === 'variation') {
      jobs.push(
        job(
          'variation',
          asset,
          afterHero,
          imageJobPayload(product, gallery.family, 'variation', hero?.id ?? null),
        ),
      );
    } else if (asset.kind === 'thumbnail' && hero) {
      const mode = asset.templateId === 'sharp.resize' ? 'sharp' : 'comfy';
      jobs.push(
        job('thumbnail', asset, afterHero, {
          type: 'thumbnail',
          mode,
          size: settings.thumbnailSize,
          templateId: mode === 'comfy' ? templateIdFor(gallery.family, 'thumbnail') : null,
          sourceAssetId: hero.id,
        }),
      );
    }
  }
  return jobs;
}
