import { type GalleryStatus, type Product, ProductSchema, parseOrThrow } from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { toLocalPath, toStoredPath } from './local-paths.ts';
import { likePattern, type Paging, pageParams, type Row, toInt } from './sql.ts';
import { productsSpec, rowToDomain } from './tables.ts';

/** A product to store; `updatedAt` is stamped by the store on every change. */
export type ProductUpsert = Omit<Product, 'updatedAt'> & { updatedAt?: string };

export interface ProductUpsertResult {
  /** The stored products, in input order (unchanged ones keep their previous `updatedAt`). */
  products: Product[];
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The status a product is listed under: its latest gallery's status, or `none` before any showcase. */
export type ProductListStatus = GalleryStatus | 'none';
export const NO_GALLERY_STATUS = 'none' satisfies ProductListStatus;

export interface ProductListQuery extends Paging {
  status?: ProductListStatus | readonly ProductListStatus[];
  /** Case-insensitive substring of id, handle, name, brand or category. */
  search?: string;
  /** `imported`: sheet order (first import wins); `name`: alphabetical. */
  order?: 'imported' | 'name';
}

export interface ProductListItem {
  product: Product;
  /** The product's latest gallery (by creation time), if any. */
  galleryId: string | null;
  status: ProductListStatus;
  /** This machine's path of the thumbnail (it may not exist here: a colleague's gallery). */
  thumbnailLocalPath: string | null;
  /** The thumbnail's path relative to the output root, as synced. */
  thumbnailFile: string | null;
  thumbnailRemoteUrl: string | null;
}

export interface ProductListPage {
  items: ProductListItem[];
  total: number;
}

// The latest gallery per product is one probe of galleries_by_product; the thumbnail one probe of the
// assets (gallery_id, kind, idx) unique index.
const LIST_FROM = `
  FROM products p
  LEFT JOIN product_galleries g ON g.id = (
    SELECT g2.id FROM product_galleries g2 WHERE g2.product_id = p.id
    ORDER BY g2.created_at DESC, g2.rowid DESC LIMIT 1)`;
const THUMBNAIL_JOIN = `LEFT JOIN assets t ON t.gallery_id = g.id AND t.kind = 'thumbnail' AND t.idx = 0`;
const LIST_WHERE = `
  WHERE (@search IS NULL
         OR p.name LIKE @search ESCAPE '\\' OR p.handle LIKE @search ESCAPE '\\' OR p.id LIKE @search ESCAPE '\\'
         OR json_extract(p.attributes, '$.brand') LIKE @search ESCAPE '\\'
         OR json_extract(p.attributes, '$.category') LIKE @search ESCAPE '\\')
    AND (@statuses IS NULL OR coalesce(g.status, 'none') IN (SELECT value FROM json_each(@statuses)))`;

export class ProductRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  /**
   * Inserts or updates products in one transaction. A product whose content did not change is left alone
   * (no write, no outbox entry), so re-importing the same sheet costs nothing to sync.
   */
  upsertMany(products: readonly ProductUpsert[]): ProductUpsertResult {
    return this.core.tx('upsert products', () => {
      const result: ProductUpsertResult = { products: [], inserted: 0, updated: 0, unchanged: 0 };
      const now = this.core.nowIso();
      products.forEach((input, i) => {
        const product = parseOrThrow(ProductSchema, { ...input, updatedAt: now }, `products.${i}`);
        const existingRow = this.row(product.id);
        const existing = existingRow ? rowToDomain(productsSpec, existingRow) : null;
        if (existing && sameContent(existing, product)) {
          result.products.push(existing);
          result.unchanged += 1;
          return;
        }
        this.core.writeSynced(productsSpec, product, 'upsert');
        result.products.push(product);
        if (existing) result.updated += 1;
        else result.inserted += 1;
      });
      return result;
    });
  }

  upsert(product: ProductUpsert): Product {
    const [stored] = this.upsertMany([product]).products;
    return stored as Product;
  }

  get(id: string): Product | null {
    const row = this.row(id);
    return row ? rowToDomain(productsSpec, row) : null;
  }

  /** The products that exist among `ids`, in the order of `ids`. */
  getMany(ids: readonly string[]): Product[] {
    return this.core.read(() => {
      const out: Product[] = [];
      for (const id of ids) {
        const p = this.get(id);
        if (p) out.push(p);
      }
      return out;
    });
  }

  count(): number {
    const row = this.core.prepare('SELECT count(*) AS n FROM products').get() as Row;
    return toInt(row.n);
  }

  /** The latest gallery id of every product that has one, in catalog order (no rows parsed). */
  latestGalleryIds(): string[] {
    return this.core
      .prepare(`SELECT g.id AS g_id ${LIST_FROM} WHERE g.id IS NOT NULL ORDER BY p.rowid`)
      .all()
      .map((row) => String(row.g_id));
  }

  list(query: ProductListQuery = {}): ProductListPage {
    const statuses = query.status === undefined ? null : [query.status].flat();
    const search = query.search?.trim() ? likePattern(query.search.trim()) : null;
    const params = {
      search,
      statuses: statuses === null ? null : JSON.stringify(statuses),
      ...pageParams(query),
    };
    const orderBy = query.order === 'name' ? 'p.name COLLATE NOCASE, p.id' : 'p.rowid';
    return this.core.read(() => {
      const totalRow = this.core
        .prepare(`SELECT count(*) AS n ${LIST_FROM} ${LIST_WHERE}`)
        .get({ search: params.search, statuses: params.statuses }) as Row;
      const rows = this.core
        .prepare(
          `SELECT p.*, g.id AS g_id, g.status AS g_status, t.local_path AS t_local, t.remote_url AS t_remote
           ${LIST_FROM} ${THUMBNAIL_JOIN} ${LIST_WHERE}
           ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`,
        )
        .all(params);
      return {
        total: toInt(totalRow.n),
        items: rows.map((row) => ({
          product: rowToDomain(productsSpec, row),
          galleryId: (row.g_id as string | null) ?? null,
          status: ((row.g_status as GalleryStatus | null) ?? NO_GALLERY_STATUS) as ProductListStatus,
          thumbnailLocalPath: toLocalPath(this.core.outputRoot, (row.t_local as string | null) ?? null),
          thumbnailFile: toStoredPath(this.core.outputRoot, (row.t_local as string | null) ?? null),
          thumbnailRemoteUrl: (row.t_remote as string | null) ?? null,
        })),
      };
    });
  }

  private row(id: string): Row | undefined {
    return this.core.prepare('SELECT * FROM products WHERE id = ?').get(id);
  }
}

function sameContent(a: Product, b: Product): boolean {
  const strip = (p: Product) => JSON.stringify(productsSpec.toSyncRow({ ...p, updatedAt: '' }));
  return strip(a) === strip(b);
}
