export { type GalleryAsset, type GallerySource, loadGalleryDocument } from './assets.ts';
export { Bucket, type UploadSpec } from './bucket.ts';
export {
  type EmailAttachmentSummary,
  type GalleryEmail,
  type GalleryEmailResult,
  MAX_ATTACHMENT_BYTES,
  type RenderGalleryEmailOptions,
  renderGalleryEmail,
  type SendGalleryEmailOptions,
  sendGalleryEmail,
} from './email.ts';
export { publicGalleryDocument } from './public-document.ts';
export {
  CACHE_CONTROL,
  type CatalogPublishResult,
  DEFAULT_CONCURRENCY,
  DEFAULT_PREFIX,
  type ExtraFile,
  GalleryPublisher,
  type GalleryPublisherOptions,
  type GalleryPublishResult,
  PART_SIZE,
  POLICY_SID,
  type PublishAccess,
  type PublishCatalogOptions,
  type PublishedAsset,
  type PublishGalleryOptions,
  type PublishProgress,
  type PublishResult,
  publishCatalog,
  publishGallery,
  signingWindowStart,
} from './publisher.ts';
export { toS3Error } from './s3-errors.ts';
export {
  type ChannelFiles,
  type PublishGalleriesOptions,
  type PublishGalleriesResult,
  publishGalleries,
} from './session.ts';
export {
  parseS3Settings,
  parseSmtpSettings,
  type S3Settings,
  S3SettingsSchema,
  type SmtpSettings,
  SmtpSettingsSchema,
} from './settings.ts';
