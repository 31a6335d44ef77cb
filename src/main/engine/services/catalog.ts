// CatalogService: products in — a sheet (CSV, JSON, a Shopify export; relative reference-photo
// paths made absolute against the sheet's folder) or product objects from the API — and the
// catalog list the studio shows.
import type { MethodOutput, MethodParsedInput } from '../../../shared/index.ts';
import { resolveReferencePath } from '../pipeline/reference.ts';
import { parseSheet, productsFromInputs } from '../sheets/index.ts';
import { thumbnailFor } from '../showcase/index.ts';
import type { EngineContext } from './context.ts';

export class CatalogService {
  private readonly ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  /**
   * Imports a sheet's products. `sheetDir`, when the sheet is a file, makes relative reference-photo
   * paths absolute (a sheet sent as text through the API has no folder).
   */
  importSheet(
    content: string,
    filename: string,
    format: 'csv' | 'json' | 'shopify' | 'auto' = 'auto',
    sheetDir?: string,
    sheet: { currency?: string; language?: string } = {},
  ) {
    const parsed = parseSheet(content, {
      filename,
      format,
      defaultCurrency: sheet.currency ?? this.ctx.settings().currency,
      ...(sheet.language ? { language: sheet.language } : {}),
    });
    const products =
      sheetDir === undefined
        ? parsed.products
        : parsed.products.map((p) =>
            p.referenceImage ? { ...p, referenceImage: resolveReferencePath(p.referenceImage, sheetDir) } : p,
          );
    const saved = this.ctx.store.products.upsertMany(products);
    return { imported: saved.products, errors: parsed.errors, warnings: parsed.warnings };
  }

  addProducts(inputs: readonly unknown[]) {
    const parsed = productsFromInputs(inputs, { sourceSheet: 'api' });
    const saved = this.ctx.store.products.upsertMany(parsed.products);
    return { imported: saved.products, errors: parsed.errors };
  }

  list(input: MethodParsedInput<'catalog.list'>): MethodOutput<'catalog.list'> {
    const { store } = this.ctx;
    const page = store.products.list({
      ...(input.status ? { status: input.status as never } : {}),
      ...(input.search ? { search: input.search } : {}),
      offset: input.offset,
      limit: input.limit,
    });
    return {
      total: page.total,
      items: page.items.map((i) => {
        const gallery = i.galleryId ? store.galleries.get(i.galleryId) : null;
        return {
          product: i.product,
          galleryId: i.galleryId,
          status: i.status,
          // The local file (served by the app itself): a presigned S3 URL expires and the UI's CSP
          // only allows its own origin. The public page URL is in publishedUrl.
          thumbnailUrl: thumbnailFor(i.thumbnailFile, i.thumbnailLocalPath, i.thumbnailRemoteUrl),
          publishedUrl: gallery?.publishedUrl ?? null,
          approved: gallery?.approved ?? false,
        };
      }),
    };
  }
}
