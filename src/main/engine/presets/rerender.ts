// Re-render only what a change affects. A preset's style and lighting words are not part of any
// render (they describe the preset), its prefix, negative and parameters are part of every image; a
// showcase's hero prompt is in the hero and the variations, the lifestyle prompt only in the lifestyle.
import type { Asset, AssetKind, RerenderReport } from '../../../shared/index.ts';
import { toShowcaseError } from '../../../shared/index.ts';
import type { DerivedImages } from '../showcase/index.ts';
import type { EditLoopHost } from './host.ts';

type ImageKind = Exclude<AssetKind, 'thumbnail'>;

const PRESET_FIELDS: Record<string, readonly ImageKind[]> = {
  prefix: ['hero', 'lifestyle', 'variation'],
  negative: ['hero', 'lifestyle', 'variation'],
  params: ['hero', 'lifestyle', 'variation'],
};

const PROMPT_FIELDS: Record<string, readonly ImageKind[]> = {
  hero: ['hero', 'variation'],
  lifestyle: ['lifestyle'],
  variations: ['variation'],
  negative: ['hero', 'lifestyle', 'variation'],
};

export function affectedKinds(subject: 'preset' | 'prompt', changed: readonly string[]): Set<ImageKind> {
  const table = subject === 'preset' ? PRESET_FIELDS : PROMPT_FIELDS;
  return new Set(changed.flatMap((f) => table[f] ?? []));
}

const NONE: RerenderReport = { jobIds: [], assets: [], note: null };

/**
 * Queues the affected images of one showcase again with their own seeds (a locked seed therefore
 * reproduces an earlier image exactly once its prompt is back). Variations are made from the hero:
 * when the hero is re-rendered they follow it once it is done, so they never use the old one.
 */
export async function rerenderAffected(
  host: EditLoopHost,
  derived: DerivedImages,
  galleryId: string,
  kinds: ReadonlySet<ImageKind>,
): Promise<RerenderReport> {
  if (kinds.size === 0) return { ...NONE, note: 'nothing that is rendered changed' };
  const assets = host.store.assets.listByGallery(galleryId);
  const busy = assets.filter((a) => a.status === 'queued' || a.status === 'running');
  if (busy.length > 0)
    return { ...NONE, note: `not re-rendered: ${busy.map(slot).join(', ')} still rendering` };
  const report: RerenderReport = { jobIds: [], assets: [], note: null };
  const queue = async (asset: Asset) => {
    try {
      report.jobIds.push(await host.regenerate(asset.id, 'same'));
      report.assets.push(`${galleryId}/${slot(asset)}`);
    } catch (err) {
      const e = toShowcaseError(err);
      report.note = `${slot(asset)} not re-rendered: ${e.message}`;
    }
  };
  const heroAgain = kinds.has('hero');
  for (const asset of assets) {
    if (asset.kind === 'thumbnail' || !kinds.has(asset.kind)) continue;
    if (asset.kind === 'variation' && heroAgain) continue;
    await queue(asset);
  }
  if (heroAgain && kinds.has('variation') && assets.some((a) => a.kind === 'variation')) {
    derived.rerenderVariationsAfterHero(galleryId);
    report.note = [report.note, 'the variations follow once the new hero is done'].filter(Boolean).join('; ');
  }
  return report;
}

function slot(asset: Pick<Asset, 'kind' | 'idx'>): string {
  return asset.kind === 'variation' ? `variation ${asset.idx}` : asset.kind;
}

export function mergeReports(reports: readonly RerenderReport[]): RerenderReport {
  const notes = reports.map((r) => r.note).filter((n): n is string => n !== null);
  return {
    jobIds: reports.flatMap((r) => r.jobIds),
    assets: reports.flatMap((r) => r.assets),
    note: notes.length > 0 ? [...new Set(notes)].join('; ') : null,
  };
}
