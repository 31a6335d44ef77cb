// What a Shopify product export carries that the studio keeps only to give back on export.
import { z } from 'zod';

/** One variant row of a Shopify product export, kept so an export back to Shopify carries it unchanged. */
export const ShopifyVariantSchema = z.object({
  /** Option values in the order of `ShopifyDataSchema.optionNames`. */
  options: z.array(z.string().max(255)).max(3),
  sku: z.string().max(255).optional(),
  price: z.number().nonnegative().optional(),
  compareAtPrice: z.number().nonnegative().optional(),
  barcode: z.string().max(255).optional(),
  grams: z.number().nonnegative().optional(),
  weightUnit: z.string().max(10).optional(),
  inventoryTracker: z.string().max(50).optional(),
  inventoryQty: z.number().int().optional(),
  inventoryPolicy: z.string().max(20).optional(),
  fulfillmentService: z.string().max(100).optional(),
  requiresShipping: z.boolean().optional(),
  taxable: z.boolean().optional(),
  image: z.string().max(2048).optional(),
});
export type ShopifyVariant = z.infer<typeof ShopifyVariantSchema>;

/** What a Shopify export carries that the studio does not use but must give back on export. */
export const ShopifyDataSchema = z.object({
  optionNames: z.array(z.string().max(255)).max(3),
  variants: z.array(ShopifyVariantSchema).max(2048),
  /** The Standard Product Taxonomy path, written back verbatim (Shopify refuses unknown categories). */
  productCategory: z.string().max(500).optional(),
  published: z.boolean().optional(),
  giftCard: z.boolean().optional(),
});
export type ShopifyData = z.infer<typeof ShopifyDataSchema>;
