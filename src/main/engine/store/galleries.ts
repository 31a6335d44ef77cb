import {
  type Gallery,
  GallerySchema,
  type GalleryStatus,
  parseOrThrow,
  ShowcaseError,
  type TemplateFamily,
  TemplateFamilySchema,
} from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { definedOnly, type Paging, pageParams } from './sql.ts';
import { galleriesSpec } from './tables.ts';

/** A gallery to create; `createdAt` defaults to now and `updatedAt` is stamped by the store. */
export type GalleryDraft = Omit<Gallery, 'createdAt' | 'updatedAt'> & {
  createdAt?: string;
  updatedAt?: string;
};
/** Fields a caller may change after creation. */
export type GalleryPatch = Partial<Omit<Gallery, 'id' | 'productId' | 'createdAt' | 'updatedAt'>>;

export interface GalleryListQuery extends Paging {
  productId?: string;
  status?: GalleryStatus | readonly GalleryStatus[];
}

export class GalleryRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  /** Throws `not_found` when the product does not exist and `conflict` when the id is taken. */
  create(draft: GalleryDraft): Gallery {
    return this.core.tx(`create gallery ${draft.id}`, () => {
      const now = this.core.nowIso();
      const gallery = parseOrThrow(
        GallerySchema,
        { ...draft, createdAt: draft.createdAt ?? now, updatedAt: now },
        'gallery',
      );
      this.core.writeSynced(galleriesSpec, gallery, 'insert');
      return gallery;
    });
  }

  get(id: string): Gallery | null {
    const row = this.core.prepare('SELECT * FROM product_galleries WHERE id = ?').get(id);
    return row ? this.core.toDomain(galleriesSpec, row) : null;
  }

  /**
   * Changes the given fields; returns the stored gallery. A patch that changes nothing writes nothing.
   * Throws `not_found` for an unknown id and `invalid_input` naming the field for a bad value.
   */
  update(id: string, patch: GalleryPatch): Gallery {
    return this.core.tx(`update gallery ${id}`, () => {
      const current = this.get(id);
      if (!current)
        throw new ShowcaseError('not_found', `Gallery ${id} does not exist`, { details: { galleryId: id } });
      return this.core.updateSynced(
        galleriesSpec,
        current,
        { ...current, ...definedOnly(patch), id, productId: current.productId, createdAt: current.createdAt },
        'gallery',
      );
    });
  }

  /** Galleries in creation order, filtered by product and/or status. */
  list(query: GalleryListQuery = {}): Gallery[] {
    // Only the filters given appear in the SQL, so each variant can use its index.
    const where: string[] = [];
    const params: Record<string, unknown> = pageParams(query);
    if (query.productId !== undefined) {
      where.push('product_id = @productId');
      params.productId = query.productId;
    }
    if (query.status !== undefined) {
      where.push('status IN (SELECT value FROM json_each(@statuses))');
      params.statuses = JSON.stringify([query.status].flat());
    }
    const sql = `SELECT * FROM product_galleries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at, rowid LIMIT @limit OFFSET @offset`;
    return this.core
      .prepare(sql)
      .all(params)
      .map((row) => this.core.toDomain(galleriesSpec, row));
  }

  /**
   * Ids of galleries still in the flat file layout of older versions (an asset or the document not
   * under `galleries/`), for the one-time layout migration. One query, so a current store pays nothing.
   */
  inFlatLayout(): string[] {
    return this.core
      .prepare(
        `SELECT g.id FROM product_galleries g
          WHERE (g.json_path IS NOT NULL AND g.json_path NOT LIKE 'galleries/%')
             OR EXISTS (SELECT 1 FROM assets a WHERE a.gallery_id = g.id AND a.filename NOT LIKE 'galleries/%')
          ORDER BY g.created_at, g.rowid`,
      )
      .all()
      .map((r) => r.id as string);
  }

  /**
   * Each gallery's template family and product name (null when the product is not in the store);
   * galleries not in the store are left out. One query for a resume over thousands of galleries and
   * its progress lines, which need nothing else of them.
   */
  labels(ids: readonly string[]): Map<string, { family: TemplateFamily; productName: string | null }> {
    const rows = this.core
      .prepare(
        `SELECT g.id, g.family, p.name FROM product_galleries g LEFT JOIN products p ON p.id = g.product_id
          WHERE g.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(ids));
    return new Map(
      rows.map((r) => [
        String(r.id),
        {
          family: parseOrThrow(TemplateFamilySchema, r.family, `family of gallery ${String(r.id)}`),
          productName: typeof r.name === 'string' ? r.name : null,
        },
      ]),
    );
  }

  /** The product's most recently created gallery. */
  latestForProduct(productId: string): Gallery | null {
    const row = this.core
      .prepare(
        'SELECT * FROM product_galleries WHERE product_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
      )
      .get(productId);
    return row ? this.core.toDomain(galleriesSpec, row) : null;
  }
}
