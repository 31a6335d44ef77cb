import { z } from 'zod';
import packageJson from '../../../../package.json' with { type: 'json' };
import {
  AssetKindSchema,
  AssetStatusSchema,
  IsoTimeSchema,
  ParamValueSchema,
  ProductSchema,
  SeedSchema,
  ShowcaseCopySchema,
  TemplateFamilySchema,
} from '../../../shared/index.ts';

export const GALLERY_SCHEMA_VERSION = 1;
export const CATALOG_INDEX_FILES = { html: 'index.html', json: 'index.json' } as const;

const APP_NAME = 'Product Showcase Studio';

export const AppInfoSchema = z.object({ name: z.string().min(1), version: z.string().min(1) });
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const DEFAULT_APP_INFO: AppInfo = { name: APP_NAME, version: packageJson.version };

/**
 * Product facts as published. The operator's local paths (`sourceSheet`, `referenceImage`) and the
 * Shopify round-trip data (inventory, variants) are left out on purpose: this document is uploaded next
 * to the public page.
 */
export const GalleryProductSchema = ProductSchema.omit({
  sourceSheet: true,
  referenceImage: true,
  shopify: true,
});
export type GalleryProduct = z.infer<typeof GalleryProductSchema>;

export const GalleryCopySchema = ShowcaseCopySchema.pick({
  title: true,
  tagline: true,
  bullets: true,
  description: true,
  language: true,
  source: true,
  model: true,
});
export type GalleryCopy = z.infer<typeof GalleryCopySchema>;

export const GalleryAssetSchema = z.object({
  kind: AssetKindSchema,
  idx: z.number().int().min(0),
  filename: z.string().min(1),
  /** Hash, size and dimensions of the file on disk when the gallery was composed; null when absent. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  /** Made from an earlier version of its source (a variation from a replaced hero). */
  stale: z.boolean().optional(),
  seed: SeedSchema,
  seedLocked: z.boolean(),
  prompt: z.string(),
  negative: z.string().optional(),
  templateId: z.string(),
  params: z.record(z.string(), ParamValueSchema),
  /** `done` only when the file is on disk and readable as an image; a missing file reads `failed`. */
  status: AssetStatusSchema,
  approved: z.boolean(),
  remoteUrl: z.string().nullable(),
  error: z.string().nullable(),
});
export type GalleryAsset = z.infer<typeof GalleryAssetSchema>;

export const galleryDocumentStatuses = ['complete', 'partial', 'failed'] as const;
export const GalleryDocumentStatusSchema = z.enum(galleryDocumentStatuses);
export type GalleryDocumentStatus = z.infer<typeof GalleryDocumentStatusSchema>;

export const FailedAssetSchema = z.object({
  kind: AssetKindSchema,
  idx: z.number().int().min(0),
  filename: z.string().min(1),
  status: AssetStatusSchema,
  error: z.string().nullable(),
});
export type FailedAsset = z.infer<typeof FailedAssetSchema>;

export const GalleryDocumentSchema = z.object({
  schemaVersion: z.literal(GALLERY_SCHEMA_VERSION),
  galleryId: z.string().min(1),
  product: GalleryProductSchema,
  /** Null only when the copy step never produced anything (the page then uses the product facts). */
  copy: GalleryCopySchema.nullable(),
  assets: z.array(GalleryAssetSchema),
  seeds: z.object({ base: SeedSchema, locked: z.boolean() }),
  family: TemplateFamilySchema,
  prompt: z.object({ prefix: z.string(), presetId: z.string().nullable() }),
  timings: z.object({
    /** Milliseconds per asset, keyed by asset filename (only assets the caller timed). */
    assets: z.record(z.string(), z.number().nonnegative()),
    totalMs: z.number().nonnegative().nullable(),
  }),
  status: z.object({
    state: GalleryDocumentStatusSchema,
    /** Every asset that is not a usable image, with why. */
    failed: z.array(FailedAssetSchema),
  }),
  approved: z.boolean(),
  /** Filenames of derived images made from an earlier hero (kept by the operator or not re-rendered yet). */
  staleAssets: z.array(z.string()).default([]),
  generatedAt: IsoTimeSchema,
  publishedUrl: z.string().nullable(),
  files: z.object({ json: z.string().min(1), html: z.string().min(1) }),
  app: AppInfoSchema,
});
export type GalleryDocument = z.infer<typeof GalleryDocumentSchema>;

export const CatalogIndexEntrySchema = z.object({
  productId: z.string().min(1),
  galleryId: z.string().min(1),
  name: z.string(),
  title: z.string(),
  tagline: z.string().nullable(),
  status: GalleryDocumentStatusSchema,
  html: z.string().min(1),
  json: z.string().min(1),
  /** The thumbnail (or the hero when the thumbnail failed); null when neither exists. */
  image: z.string().nullable(),
  publishedUrl: z.string().nullable(),
});
export type CatalogIndexEntry = z.infer<typeof CatalogIndexEntrySchema>;

export const CatalogIndexSchema = z.object({
  schemaVersion: z.literal(GALLERY_SCHEMA_VERSION),
  generatedAt: IsoTimeSchema,
  title: z.string(),
  products: z.array(CatalogIndexEntrySchema),
  app: AppInfoSchema,
});
export type CatalogIndex = z.infer<typeof CatalogIndexSchema>;
