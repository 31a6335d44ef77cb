// Gathers what the Shopify CSV needs for a set of galleries: the product as imported (variants and
// Shopify-only columns included), the showcase copy, and the published image URLs — the Shopify
// channel variants when they were exported and published for the current hero, else the gallery's
// own published images. Unpublished images are never written: Shopify fetches Image Src over HTTP.
import { type Gallery, type Product, ShowcaseError } from '../../../shared/index.ts';
import { type GalleryDocument, readGalleryDocument } from '../showcase/index.ts';
import { exportShopifyCsv, type ShopifyExportProduct, type ShopifyExportResult } from './shopify-export.ts';

export interface ShopifyCatalogContext {
  galleries: readonly Gallery[];
  product(id: string): Product | null;
  /** Published URLs of the gallery's Shopify channel variants, in gallery order, or null. */
  channelImages(document: GalleryDocument): Promise<Array<{ url: string; kind: string }> | null>;
  currency: string;
}

const kindLabel = (kind: string) =>
  kind.startsWith('variation') ? `variation ${kind.replace(/\D+/g, '')}` : kind;

export async function shopifyCatalogCsv(
  ctx: ShopifyCatalogContext,
): Promise<ShopifyExportResult & { filename: string }> {
  const items: ShopifyExportProduct[] = [];
  const warnings: string[] = [];
  for (const gallery of ctx.galleries) {
    if (!gallery.jsonPath) {
      warnings.push(`${gallery.productId}: gallery ${gallery.id} is not finished; left out`);
      continue;
    }
    const product = ctx.product(gallery.productId);
    if (!product) throw new ShowcaseError('not_found', `Product ${gallery.productId} does not exist`);
    const document = await readGalleryDocument(gallery.jsonPath);
    const title = document.copy?.title ?? product.name;
    const channel = await ctx.channelImages(document);
    const images =
      channel && channel.length > 0
        ? channel.map((c) => ({
            url: c.url,
            alt: c.kind === 'hero' ? title : `${title} – ${kindLabel(c.kind)}`,
          }))
        : document.assets
            .filter(
              (a) =>
                a.kind !== 'thumbnail' &&
                a.status === 'done' &&
                a.remoteUrl &&
                /^https?:\/\//.test(a.remoteUrl),
            )
            .map((a) => ({
              url: a.remoteUrl as string,
              alt:
                a.kind === 'hero'
                  ? title
                  : `${title} – ${a.kind === 'variation' ? `variation ${a.idx}` : a.kind}`,
            }));
    items.push({ product, copy: document.copy, images });
  }
  const result = exportShopifyCsv(items, { currency: ctx.currency });
  const stamp = new Date().toISOString().slice(0, 10);
  return {
    ...result,
    warnings: [...warnings, ...result.warnings],
    filename: `shopify_products_${stamp}.csv`,
  };
}
