import {
  type Asset,
  type AssetKind,
  AssetSchema,
  assetKinds,
  parseOrThrow,
  ShowcaseError,
} from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { definedOnly } from './sql.ts';
import { assetsSpec } from './tables.ts';

/** An asset to create in a gallery; `updatedAt` is stamped by the store. */
export type AssetDraft = Omit<Asset, 'galleryId' | 'updatedAt'> & { updatedAt?: string };
/** Fields a caller may change; an asset's gallery and slot (kind, idx) are fixed. */
export type AssetPatch = Partial<Omit<Asset, 'id' | 'galleryId' | 'kind' | 'idx' | 'updatedAt'>>;

// Gallery order: hero, lifestyle, variations by idx, thumbnail (the order of `assetKinds`).
const KIND_ORDER = `CASE kind ${assetKinds.map((k, i) => `WHEN '${k}' THEN ${i}`).join(' ')} ELSE ${assetKinds.length} END`;

export class AssetRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  /**
   * Creates a gallery's assets in one transaction. Throws `not_found` for an unknown gallery and
   * `conflict` when an id or a (kind, idx) slot is already taken — nothing is written then.
   */
  createSet(galleryId: string, drafts: readonly AssetDraft[]): Asset[] {
    return this.core.tx(`create assets of gallery ${galleryId}`, () => {
      const now = this.core.nowIso();
      return drafts.map((draft, i) => {
        const asset = parseOrThrow(AssetSchema, { ...draft, galleryId, updatedAt: now }, `assets.${i}`);
        this.core.writeSynced(assetsSpec, asset, 'insert');
        return asset;
      });
    });
  }

  get(id: string): Asset | null {
    const row = this.core.prepare('SELECT * FROM assets WHERE id = ?').get(id);
    return row ? this.core.toDomain(assetsSpec, row) : null;
  }

  getBySlot(galleryId: string, kind: AssetKind, idx: number): Asset | null {
    const row = this.core
      .prepare('SELECT * FROM assets WHERE gallery_id = ? AND kind = ? AND idx = ?')
      .get(galleryId, kind, idx);
    return row ? this.core.toDomain(assetsSpec, row) : null;
  }

  /** Changes the given fields; a patch that changes nothing writes nothing. Throws `not_found`. */
  update(id: string, patch: AssetPatch): Asset {
    return this.core.tx(`update asset ${id}`, () => {
      const current = this.get(id);
      if (!current)
        throw new ShowcaseError('not_found', `Asset ${id} does not exist`, { details: { assetId: id } });
      return this.core.updateSynced(
        assetsSpec,
        current,
        {
          ...current,
          ...definedOnly(patch),
          id,
          galleryId: current.galleryId,
          kind: current.kind,
          idx: current.idx,
        },
        'asset',
      );
    });
  }

  /** The gallery's assets: hero, lifestyle, variations by idx, thumbnail. */
  listByGallery(galleryId: string): Asset[] {
    return this.core
      .prepare(`SELECT * FROM assets WHERE gallery_id = ? ORDER BY ${KIND_ORDER}, idx`)
      .all(galleryId)
      .map((row) => this.core.toDomain(assetsSpec, row));
  }
}
