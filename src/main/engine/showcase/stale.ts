// Derived images follow their source. Every finished thumbnail and variation records the hash of the
// hero it was made from; when a new hero lands, the thumbnail is re-made at once (it is cheap) and the
// variations are stale until the operator re-renders them or keeps them (one click each way).
import type { Asset, DerivedState, EventName, EventPayload, StaleAsset } from '../../../shared/index.ts';
import { toShowcaseError } from '../../../shared/index.ts';
import type { EditLoopHost } from '../presets/index.ts';
import type { Store } from '../store/index.ts';

/** The recorded source of a derived image made before this workstation recorded sources. */
export const UNKNOWN_SOURCE = 'unknown (made before source tracking)';

const isDerived = (a: Pick<Asset, 'kind'>) => a.kind === 'thumbnail' || a.kind === 'variation';

/** The derived assets of a gallery whose recorded source is not the hero there is now. */
export function derivedState(store: Store, galleryId: string): DerivedState {
  const assets = store.assets.listByGallery(galleryId);
  const hero = assets.find((a) => a.kind === 'hero');
  const byId = new Map(assets.map((a) => [a.id, a]));
  const stale: StaleAsset[] = [];
  const kept: string[] = [];
  for (const source of store.edits.sources(galleryId)) {
    const asset = byId.get(source.assetId);
    if (asset?.status !== 'done' || !hero) continue;
    const current = hero.status === 'done' ? hero.sha256 : null;
    if (current !== null && source.sourceSha256 !== current) {
      stale.push({
        assetId: asset.id,
        kind: asset.kind,
        idx: asset.idx,
        sourceAssetId: hero.id,
        madeFromSha256: source.sourceSha256,
        sourceSha256: current,
      });
    } else if (source.kept) kept.push(asset.id);
  }
  stale.sort((a, b) => a.kind.localeCompare(b.kind) || a.idx - b.idx);
  return { galleryId, stale, kept };
}

export class DerivedImages {
  private readonly host: EditLoopHost;
  /** Galleries whose variations are re-rendered as soon as their new hero is done (a prompt change). */
  private readonly followHero = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(host: EditLoopHost) {
    this.host = host;
    this.unsubscribe = host.subscribe((event, payload) => this.onEvent(event, payload));
  }

  close(): void {
    this.unsubscribe();
  }

  state(galleryId: string): DerivedState {
    return derivedState(this.host.store, galleryId);
  }

  /** After the next hero of this gallery, re-render its variations instead of marking them stale. */
  rerenderVariationsAfterHero(galleryId: string): void {
    this.followHero.add(galleryId);
  }

  /** The operator's choice for stale variations: render them from the new hero, or keep them. */
  async resolve(galleryId: string, action: 'rerender' | 'keep'): Promise<string[]> {
    const { stale } = this.state(galleryId);
    const store = this.host.store;
    if (action === 'keep') {
      store.transaction(() => {
        for (const s of stale) {
          if (s.sourceSha256 === null) continue;
          store.edits.recordSource({
            assetId: s.assetId,
            galleryId,
            sourceAssetId: s.sourceAssetId,
            sourceSha256: s.sourceSha256,
            kept: true,
          });
        }
      });
      this.refreshed(galleryId);
      return [];
    }
    const jobIds: string[] = [];
    for (const s of stale) jobIds.push(await this.host.regenerate(s.assetId, 'same'));
    return jobIds;
  }

  private onEvent<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (event === 'job.failed') {
      const p = payload as EventPayload<'job.failed'>;
      if (!p.willRetry && p.kind === 'hero') this.followHero.delete(p.galleryId);
      return;
    }
    if (event !== 'job.completed') return;
    const asset = (payload as EventPayload<'job.completed'>).asset;
    if (asset?.status !== 'done') return;
    try {
      if (isDerived(asset)) this.recordSource(asset);
      else if (asset.kind === 'hero') this.heroChanged(asset);
    } catch (err) {
      this.host.log(`derived images of ${asset.galleryId}: ${toShowcaseError(err).message}`);
    }
  }

  private recordSource(asset: Asset): void {
    const hero = this.host.store.assets.getBySlot(asset.galleryId, 'hero', 0);
    if (!hero?.sha256) return;
    this.host.store.edits.recordSource({
      assetId: asset.id,
      galleryId: asset.galleryId,
      sourceAssetId: hero.id,
      sourceSha256: hero.sha256,
    });
  }

  private heroChanged(hero: Asset): void {
    const store = this.host.store;
    const derived = store.assets.listByGallery(hero.galleryId).filter(isDerived);
    const sources = new Map(store.edits.sources(hero.galleryId).map((s) => [s.assetId, s]));
    const follow = this.followHero.delete(hero.galleryId);
    for (const asset of derived) {
      let source = sources.get(asset.id);
      if (!source && asset.status === 'done') {
        // Made before sources were recorded: from some earlier hero, so it is stale now.
        store.edits.recordSource({
          assetId: asset.id,
          galleryId: hero.galleryId,
          sourceAssetId: hero.id,
          sourceSha256: UNKNOWN_SOURCE,
        });
        source = store.edits.sources(hero.galleryId).find((s) => s.assetId === asset.id);
      }
      const outdated = asset.status === 'done' && source !== undefined && source.sourceSha256 !== hero.sha256;
      const rerender =
        asset.kind === 'thumbnail'
          ? outdated
          : follow && (asset.status === 'done' || asset.status === 'failed');
      if (!rerender) continue;
      this.host.regenerate(asset.id, 'same').catch((err: unknown) => {
        this.host.log(`re-render ${asset.kind} of ${hero.galleryId}: ${toShowcaseError(err).message}`);
      });
    }
    this.refreshed(hero.galleryId);
  }

  private refreshed(galleryId: string): void {
    const gallery = this.host.store.galleries.get(galleryId);
    if (gallery) this.host.emit('showcase.updated', { galleryId, gallery });
  }
}
