// PublishService: finished galleries out — to S3/MinIO (public URLs recorded, they sync to the
// team), as an e-mail pack, and as Shopify's product import CSV.
import { ShowcaseError } from '../../../shared/index.ts';
import { type ChannelService, latestFinishedGalleries } from '../channels/index.ts';
import { type GalleryPublishResult, publishGalleries, sendGalleryEmail } from '../publish/index.ts';
import { shopifyCatalogCsv } from '../sheets/index.ts';
import type { EngineContext } from './context.ts';
import type { GalleryFinisher } from './galleries.ts';

export class PublishService {
  private readonly ctx: EngineContext;
  private readonly channels: ChannelService;
  private readonly finisher: GalleryFinisher;
  private readonly changed: () => void;

  constructor(ctx: EngineContext, channels: ChannelService, finisher: GalleryFinisher, changed: () => void) {
    this.ctx = ctx;
    this.channels = channels;
    this.finisher = finisher;
    this.changed = changed;
  }

  /** Publishes finished galleries to S3/MinIO and records the public URLs (they sync to the team). */
  async publish(
    galleryIds: readonly string[],
    onProgress?: (line: string) => void,
  ): Promise<GalleryPublishResult[]> {
    const { store } = this.ctx;
    const s3 = this.ctx.settings().s3;
    if (!s3) {
      throw new ShowcaseError('invalid_input', 'S3 publishing is not configured', {
        hint: 'Set the S3 endpoint, bucket and keys in Settings (or pass --endpoint/--bucket/--access-key/--secret-key)',
        details: { fields: ['s3'] },
      });
    }
    const galleries = galleryIds.map((galleryId) => {
      const gallery = store.galleries.get(galleryId);
      if (!gallery) throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`);
      if (!gallery.jsonPath) {
        throw new ShowcaseError(
          'conflict',
          `Gallery ${galleryId} has no finished files to publish (status ${gallery.status})`,
        );
      }
      return { galleryId, jsonPath: gallery.jsonPath };
    });
    const { results } = await publishGalleries({
      s3,
      outputRoot: this.ctx.outputRoot,
      galleries,
      channelFiles: (document) => this.channels.publishableFiles(document),
      catalogDocuments: () => this.finisher.latestDocuments(),
      ...(onProgress ? { onProgress } : {}),
      onGallery: (result) => {
        const { galleryId } = result;
        this.finisher.remember(galleryId, result.document);
        store.transaction(() => {
          const updated = store.galleries.update(galleryId, { publishedUrl: result.url });
          for (const asset of result.assets) {
            const row = store.assets.getBySlot(galleryId, asset.kind, asset.idx);
            if (row) store.assets.update(row.id, { remoteUrl: asset.url });
          }
          this.ctx.emit('showcase.updated', { galleryId, gallery: updated });
        });
      },
    });
    this.changed();
    return results;
  }

  /** The Shopify product CSV of the chosen galleries (sheets/shopify-catalog.ts). */
  async exportShopify(input: {
    galleryIds?: string[] | undefined;
    all?: boolean | undefined;
    currency?: string | undefined;
  }) {
    const { store } = this.ctx;
    const galleries = input.all
      ? latestFinishedGalleries(store.galleries.list({ limit: 1_000_000 }))
      : (input.galleryIds ?? []).map((id) => {
          const gallery = store.galleries.get(id);
          if (!gallery) throw new ShowcaseError('not_found', `Gallery ${id} does not exist`);
          return gallery;
        });
    return shopifyCatalogCsv({
      galleries,
      product: (id) => store.products.get(id),
      channelImages: (document) => this.channels.shopifyImages(document),
      currency: input.currency ?? this.ctx.settings().currency,
    });
  }

  async email(galleryId: string, to: string[], smtpUrl?: string) {
    const settings = this.ctx.settings();
    const smtp = smtpUrl
      ? { url: smtpUrl, from: settings.smtp?.from ?? 'showcase@localhost' }
      : settings.smtp;
    if (!smtp) {
      throw new ShowcaseError('invalid_input', 'E-mail is not configured', {
        hint: 'Set the SMTP URL and sender in Settings (or pass --smtp URL)',
        details: { fields: ['smtp'] },
      });
    }
    const gallery = this.ctx.store.galleries.get(galleryId);
    if (!gallery?.jsonPath)
      throw new ShowcaseError('not_found', `Gallery ${galleryId} has no finished files`);
    const sent = await sendGalleryEmail({
      jsonPath: gallery.jsonPath,
      outputRoot: this.ctx.outputRoot,
      to,
      smtp,
      channelLinks: await this.channels.publishedLinks(gallery.jsonPath),
    });
    return { messageId: sent.messageId, accepted: sent.accepted };
  }
}
