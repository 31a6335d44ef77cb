export { assertApprovable } from './approval.ts';
export { copyMessages, fallbackCopy, imagePrompt, productFacts, restylePrompt } from './copy-prompt.ts';
export { type CopyAttempt, type CopyResult, CopyWriter, type CopyWriterOptions } from './copywriter.ts';
export {
  folderOf,
  GALLERIES_DIR,
  galleryAssetFile,
  galleryDocumentFiles,
  galleryFolder,
  inGalleryLayout,
  linkFrom,
  publishedPath,
  toLocalPath,
  toStoredPath,
} from './files.ts';
export {
  type ComposeGalleryOptions,
  cardImage,
  composeCatalogIndex,
  composeGallery,
  type GalleryTimings,
  readGalleryDocument,
  type UrlFor,
  writeFileAtomic,
} from './gallery.ts';
export {
  type CatalogIndex,
  CatalogIndexSchema,
  type GalleryDocument,
  GalleryDocumentSchema,
} from './gallery-document.ts';
export { type PageAudience, renderCatalogIndexHtml, renderGalleryHtml } from './gallery-html.ts';
export { type LayoutMigrationResult, migrateLayout } from './layout-migration.ts';
export { fileLocality, galleryLocality, type Locality, thumbnailFor } from './locality.ts';
export {
  assetFileName,
  FALLBACK_ID,
  galleryFileNames,
  IdAllocator,
  MAX_ID_LENGTH,
  resolveInside,
  sanitizeId,
} from './naming.ts';
export { type ChannelBadge, renderChannelSection } from './page-channels.ts';
export {
  formatDate,
  localeTag,
  PAGE_LANGUAGES,
  type PageLabels,
  type PageLanguage,
  pageLabels,
  pageLanguage,
  titleWithBrand,
} from './page-i18n.ts';
export { escapeHtml, formatPrice } from './page-parts.ts';
export {
  assetId,
  familiesUsedBy,
  imageJobPayload,
  type JobPayload,
  JobPayloadSchema,
  type PlannedJob,
  type PlanOptions,
  REFERENCE_IMAGE_HINT,
  type ShowcasePlan,
  ShowcasePlanner,
  templateIdFor,
} from './planner.ts';
export { assetSeed, baseSeedFor, rerollSeed } from './seeds.ts';
export { DerivedImages, derivedState, UNKNOWN_SOURCE } from './stale.ts';
