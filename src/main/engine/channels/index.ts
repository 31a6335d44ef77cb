// Channel exports: the rules table, the variant maker, the compliance checker, the white-background
// render and the reports. Other capabilities import from here only.
export { type CheckResult, checkVariant, imageFacts } from './compliance.ts';
export {
  type ExportGalleryOptions,
  exportableAssets,
  exportGalleryChannels,
  prepareWhiteBackground,
  readComplianceReport,
  writeBytesAtomic,
  writeComplianceReport,
} from './export.ts';
export {
  channelFile,
  complianceFile,
  type GalleryRef,
  galleryImageFolder,
  variantKind,
  whiteRenderFile,
} from './paths.ts';
export { isWhiteBackground, measure, measurePixels, type PixelStats } from './pixels.ts';
export { channelBadges, formatPassRate, passRates } from './report.ts';
export { CHANNEL_RULES, type ChannelRule, describeSizeRule, needsWhiteMain, type RoleRule } from './rules.ts';
export {
  ChannelService,
  type ChannelServiceContext,
  type ExportRequest,
  latestFinishedGalleries,
} from './service.ts';
export { makeVariant, outputSize } from './variants.ts';
export {
  comfyWhiteRenderer,
  WHITE_BACKGROUND_TEMPLATE,
  type WhiteBackgroundRenderer,
} from './white-background.ts';
