// Channel exports: the storefronts and marketplaces a gallery's images are prepared for, and the
// compliance report measured on the written files. The rules themselves (sizes, backgrounds, sources)
// live in one table in the engine (engine/channels/rules.ts); this file holds what crosses the API.
import { z } from 'zod';

export const channelNames = ['amazon', 'shopify', 'instagram', 'etsy', 'mercadolivre'] as const;
export const ChannelNameSchema = z.enum(channelNames);
export type ChannelName = z.infer<typeof ChannelNameSchema>;

/** `pass`: compliant as made; `fixed`: the source was not, the variant is (pad, trim, resize, re-encode); `fail`: still not. */
export const checkStatuses = ['pass', 'fixed', 'fail', 'manual'] as const;
export const CheckStatusSchema = z.enum(checkStatuses);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

export const checkIds = [
  'border',
  'background',
  'fill',
  'size',
  'aspect',
  'fileSize',
  'format',
  'content',
] as const;
export const CheckIdSchema = z.enum(checkIds);
export type CheckId = z.infer<typeof CheckIdSchema>;

export const ComplianceCheckSchema = z.object({
  check: CheckIdSchema,
  status: CheckStatusSchema,
  /** The measured number (a ratio 0…1, pixels or bytes); null for checks a person makes. */
  value: z.number().nullable(),
  /** What the rule asks for, in words ("≥ 85 %", "≤ 10 MB", "1000–10000 px on the longest side"). */
  required: z.string(),
  /** One sentence: what was measured, what was fixed and how. */
  detail: z.string(),
});
export type ComplianceCheck = z.infer<typeof ComplianceCheckSchema>;

/** `main`: the first image a marketplace shows (stricter rules); `additional`: every other image. */
export const ChannelRoleSchema = z.enum(['main', 'additional']);
export type ChannelRole = z.infer<typeof ChannelRoleSchema>;

export const ChannelImageSchema = z.object({
  /** The source asset: `hero`, `lifestyle`, `variation_1` … */
  kind: z.string().min(1),
  role: ChannelRoleSchema,
  /** The variant's path relative to the output root (`channels/amazon/product_mug_hero.jpg`). */
  filename: z.string().min(1),
  /** The image it was made from (relative to the output root). */
  source: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().positive(),
  format: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  passed: z.boolean(),
  checks: z.array(ComplianceCheckSchema),
  /** Set when the gallery is published. */
  remoteUrl: z.string().nullable().default(null),
});
export type ChannelImage = z.infer<typeof ChannelImageSchema>;

export const ChannelResultSchema = z.object({
  channel: ChannelNameSchema,
  /** Every image of the product passes for this channel. */
  passed: z.boolean(),
  images: z.array(ChannelImageSchema),
});
export type ChannelResult = z.infer<typeof ChannelResultSchema>;

export const WhiteBackgroundSchema = z.object({
  /** `not-needed`: the hero already passes; `cached`: an earlier render of this hero was reused. */
  status: z.enum(['not-needed', 'rendered', 'cached', 'failed', 'skipped']),
  filename: z.string().nullable(),
  /** The hero it was rendered from (a changed hero makes the render stale). */
  heroSha256: z.string().nullable(),
  templateId: z.string(),
  seed: z.number().int().nonnegative().nullable(),
  error: z.string().nullable(),
});
export type WhiteBackground = z.infer<typeof WhiteBackgroundSchema>;

/** `channels/product_{id}_compliance.json`: the measured report of one gallery's channel exports. */
export const ComplianceReportSchema = z.object({
  schemaVersion: z.literal(1),
  galleryId: z.string().min(1),
  productId: z.string().min(1),
  generatedAt: z.string().min(1),
  /** The hero the variants were made from; a re-rendered hero makes the report stale. */
  heroSha256: z.string().nullable(),
  whiteBackground: WhiteBackgroundSchema.nullable(),
  channels: z.array(ChannelResultSchema),
});
export type ComplianceReport = z.infer<typeof ComplianceReportSchema>;

/** One line of the pass-rate summary: `amazon: 9/11 products pass`. */
export const ChannelPassRateSchema = z.object({
  channel: ChannelNameSchema,
  passed: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Images auto-fixed (padded, trimmed, resized, re-encoded) across the products. */
  fixed: z.number().int().nonnegative(),
  /** The check that failed most often, with how often ("fill" × 3). */
  topFailure: z.object({ check: CheckIdSchema, count: z.number().int().positive() }).nullable(),
});
export type ChannelPassRate = z.infer<typeof ChannelPassRateSchema>;

/** What the API answers for `channels.export`. */
export const ChannelExportResultSchema = z.object({
  galleries: z.array(
    z.object({
      galleryId: z.string(),
      productId: z.string(),
      /** Path of the report relative to the output root. */
      report: z.string(),
      channels: z.array(z.object({ channel: ChannelNameSchema, passed: z.boolean() })),
      whiteBackground: WhiteBackgroundSchema.nullable(),
    }),
  ),
  /** Galleries skipped (not finished, no hero) with why. */
  skipped: z.array(z.object({ galleryId: z.string(), reason: z.string() })),
  summary: z.array(ChannelPassRateSchema),
});
export type ChannelExportResult = z.infer<typeof ChannelExportResultSchema>;

/** The channel list an operator gives: names, or `all`. */
export const ChannelSelectionSchema = z
  .array(z.union([ChannelNameSchema, z.literal('all')]))
  .min(1, 'name at least one channel (or "all")')
  .transform(
    (list): ChannelName[] => (list.includes('all') ? [...channelNames] : [...new Set(list)]) as ChannelName[],
  );
