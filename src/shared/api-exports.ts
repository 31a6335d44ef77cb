// The export part of the method table: channel packs with their compliance report, and the Shopify
// CSV. Spread into `methods` in api.ts like api-edits.ts, so every transport and the CLI get them like
// any other method; api.ts re-exports CurrencyCodeSchema, which the sheet upload uses too.
import { z } from 'zod';
import {
  ChannelExportResultSchema,
  ChannelNameSchema,
  ChannelSelectionSchema,
  ComplianceReportSchema,
} from './channels.ts';

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

/** An ISO 4217 currency code such as EUR, BRL, USD. */
export const CurrencyCodeSchema = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code like "BRL"'));

/** Which galleries an export covers: ids, or `all` (the latest finished gallery of every product). */
const GallerySelectionSchema = z
  .object({
    galleryIds: z.array(z.string().min(1)).max(20_000).optional(),
    all: z.boolean().optional(),
  })
  .refine((s) => s.all === true || (s.galleryIds?.length ?? 0) > 0, {
    message: 'give galleryIds or set all',
    path: ['galleryIds'],
  });

export const exportMethods = {
  'channels.rules': method(
    z.object({}),
    z.array(
      z.object({
        channel: ChannelNameSchema,
        label: z.string(),
        frame: z.object({ width: z.number().int(), height: z.number().int() }),
        whiteMain: z.boolean(),
        sources: z.array(z.string()),
      }),
    ),
  ),
  'channels.export': method(
    GallerySelectionSchema.and(
      z.object({
        channels: ChannelSelectionSchema,
        /** Render the white-background main image when the hero is not on white (default true). */
        render: z.boolean().default(true),
      }),
    ),
    ChannelExportResultSchema,
  ),
  'channels.report': method(z.object({ galleryId: z.string().min(1) }), ComplianceReportSchema.nullable()),
  'catalog.exportShopify': method(
    GallerySelectionSchema.and(
      z.object({
        /** Shopify prices carry no currency: only products in this one are written (default: the setting). */
        currency: CurrencyCodeSchema.optional(),
      }),
    ),
    z.object({
      filename: z.string(),
      csv: z.string(),
      products: z.number().int().nonnegative(),
      rows: z.number().int().nonnegative(),
      /** Products left out or changed on the way (another currency, no published images …). */
      warnings: z.array(z.string()),
    }),
  ),
};
