// THE table of channel image rules. Every number here is what the channel publishes (sources per
// entry, looked up 2026; docs/channels.md quotes them); the variant maker and the compliance checker
// read nothing else. Where a channel states a recommendation rather than a limit, the recommendation
// is the frame we write and the limit is what we check.
import type { ChannelName, ChannelRole } from '../../../shared/index.ts';

export type OutputFormat = 'jpeg' | 'png';

export interface RoleRule {
  /**
   * `pad`: the whole image is kept and the frame is filled around it (white for white-background
   * roles); `cover`: the image fills the frame and the overflow is cropped around the most
   * salient region (sharp's attention strategy).
   */
  fit: 'pad' | 'cover';
  /** Background must be pure white (border and background pixels at RGB 255 within `whiteTolerance`). */
  whiteBackground: boolean;
  /** Minimum share of the frame the product's bounding box spans (longer of width/height share). */
  minFill: number | null;
  /** The share the variant maker trims/pads the product to (a little above the minimum). */
  targetFill: number | null;
}

export interface ChannelRule {
  name: ChannelName;
  label: string;
  /** Frame aspect as width / height; `aspectTolerance` is relative (0.01 = 1 %). */
  aspect: { width: number; height: number };
  aspectTolerance: number;
  /** The frame written when the source allows it (never an upscale beyond `min`, unless `fixedFrame`). */
  recommended: { width: number; height: number };
  /** Always write exactly `recommended` (a feed shows images at one size: upscale rather than shrink). */
  fixedFrame?: boolean;
  /** Smallest accepted image: `side` applies to the longest side (`longest`) or to each side (`each`). */
  min: { px: number; side: 'longest' | 'each' | 'width' };
  /** Largest accepted image, same convention. */
  max: { px: number; side: 'longest' | 'each' | 'width' };
  maxBytes: number;
  /** Formats the channel accepts (sharp's names) and the one written. */
  accepts: readonly string[];
  output: OutputFormat;
  quality: number;
  /** Channel value for "pure white": every channel ≥ 255 − tolerance. */
  whiteTolerance: number;
  main: RoleRule;
  additional: RoleRule;
  /** What the channel bans that no pixel measure here decides (text, watermarks, renders …). */
  manualChecks: string;
  sources: readonly string[];
}

const MB = 1024 * 1024;
const photo: RoleRule = { fit: 'cover', whiteBackground: false, minFill: null, targetFill: null };

export const CHANNEL_RULES: Readonly<Record<ChannelName, ChannelRule>> = {
  amazon: {
    name: 'amazon',
    label: 'Amazon',
    // Amazon fixes no ratio; square is what search results and the detail page show uncropped.
    aspect: { width: 1, height: 1 },
    aspectTolerance: 0.01,
    recommended: { width: 2000, height: 2000 },
    // ≥ 1000 px on the longest side enables zoom; ≤ 10,000 px on the longest side.
    min: { px: 1000, side: 'longest' },
    max: { px: 10_000, side: 'longest' },
    maxBytes: 10 * MB,
    accepts: ['jpeg', 'tiff', 'png', 'gif'],
    output: 'jpeg',
    quality: 92,
    whiteTolerance: 5,
    main: { fit: 'pad', whiteBackground: true, minFill: 0.85, targetFill: 0.9 },
    additional: photo,
    manualChecks:
      'Main image: no text, logos, watermarks, borders, inset images, props or accessories not sold; the product shown whole.',
    sources: [
      'https://sellercentral.amazon.com/gp/help/external/G9FUUH87RBNXGKB7',
      'https://sellercentral.amazon.es/gp/help/external/help.html?itemID=75PWC4THA8J269P',
      'https://changethisfile.com/blog/convert-images-for-amazon-seller-central',
    ],
  },
  shopify: {
    name: 'shopify',
    label: 'Shopify',
    aspect: { width: 1, height: 1 },
    aspectTolerance: 0.01,
    recommended: { width: 2048, height: 2048 },
    // No enforced minimum; below 800 px themes switch zoom off. Uploads up to 5000 × 5000 px (25 MP).
    min: { px: 800, side: 'longest' },
    max: { px: 5000, side: 'each' },
    maxBytes: 20 * MB,
    accepts: ['jpeg', 'png', 'webp', 'gif', 'heif', 'tiff'],
    output: 'jpeg',
    quality: 88,
    whiteTolerance: 5,
    main: photo,
    additional: photo,
    manualChecks: 'Keep one aspect ratio across a product’s images so theme grids line up.',
    sources: [
      'https://www.sizemarker.com/blog/shopify-product-image-best-practices',
      'https://sellshot.ai/en/blog/shopify-product-image-size-guide',
    ],
  },
  instagram: {
    name: 'instagram',
    label: 'Instagram feed (4:5)',
    aspect: { width: 4, height: 5 },
    aspectTolerance: 0.005,
    recommended: { width: 1080, height: 1350 },
    fixedFrame: true,
    // Feed images are shown at most 1080 px wide; the publishing API takes 320–1440 px wide JPEGs ≤ 8 MB.
    min: { px: 320, side: 'width' },
    max: { px: 1440, side: 'width' },
    maxBytes: 8 * MB,
    accepts: ['jpeg'],
    output: 'jpeg',
    quality: 90,
    whiteTolerance: 5,
    main: photo,
    additional: photo,
    manualChecks: 'Product tags and captions carry the text; keep the image free of prices and promo text.',
    sources: [
      'https://www.ayrshare.com/docs/media-guidelines/instagram.md',
      'https://docs.getlate.dev/resources/media-guidelines/instagram',
      'https://recurpost.com/blog/instagram-post-size-guide',
    ],
  },
  etsy: {
    name: 'etsy',
    label: 'Etsy',
    aspect: { width: 4, height: 3 },
    aspectTolerance: 0.01,
    recommended: { width: 3000, height: 2250 },
    // 2000 px or more on the longest side (smaller photos rank lower); JPG, PNG or GIF; 10 MB per photo.
    min: { px: 2000, side: 'longest' },
    max: { px: 10_000, side: 'longest' },
    maxBytes: 10 * MB,
    accepts: ['jpeg', 'png', 'gif'],
    output: 'jpeg',
    quality: 88,
    whiteTolerance: 5,
    main: photo,
    additional: photo,
    manualChecks:
      'Etsy asks for photos of the item itself, not renderings or stock images: a rendered image may only illustrate (customisation examples), never stand in for the product photo.',
    sources: [
      'https://www.etsy.com/legal/policy/listing-image-requirements/253962679005',
      'https://hauld.app/blog/etsy-listing-photo-checklist',
      'https://www.etsyshop.ai/to-sell-on-etsy/etsys-new-thumbnail-image-format-revealed-3538',
    ],
  },
  mercadolivre: {
    name: 'mercadolivre',
    label: 'Mercado Livre',
    aspect: { width: 1, height: 1 },
    aspectTolerance: 0.01,
    recommended: { width: 1200, height: 1200 },
    // 500 × 500 px minimum (smaller images are not enlarged), 1920 × 1920 px maximum, JPG/PNG ≤ 10 MB.
    min: { px: 500, side: 'each' },
    max: { px: 1920, side: 'each' },
    maxBytes: 10 * MB,
    accepts: ['jpeg', 'png'],
    output: 'jpeg',
    quality: 90,
    whiteTolerance: 5,
    // The cover photo: one item on a digitally made pure white background, occupying 95 % of the image.
    main: { fit: 'pad', whiteBackground: true, minFill: 0.95, targetFill: 0.96 },
    additional: photo,
    manualChecks:
      'Cover photo: one unit only, no seller logos, text, badges ("Full", "Mais vendido", promotions) or watermarks.',
    sources: [
      'https://developers.mercadolivre.com.br/en_us/working-with-pictures',
      'https://www.mercadolibre.com.ar/ayuda/Fotos-en-Pagina-Principal_1024',
    ],
  },
};

export function roleRule(rule: ChannelRule, role: ChannelRole): RoleRule {
  return role === 'main' ? rule.main : rule.additional;
}

/** Channels whose main image needs a pure white background (the white-background render serves them). */
export function needsWhiteMain(channels: readonly ChannelName[]): boolean {
  return channels.some((c) => CHANNEL_RULES[c].main.whiteBackground);
}

/** "1000–10000 px on the longest side" */
export function describeSizeRule(rule: ChannelRule): string {
  const side = (s: ChannelRule['min']['side']) =>
    s === 'longest' ? 'on the longest side' : s === 'width' ? 'wide' : 'on each side';
  return rule.min.side === rule.max.side
    ? `${rule.min.px}–${rule.max.px} px ${side(rule.min.side)}`
    : `≥ ${rule.min.px} px ${side(rule.min.side)}, ≤ ${rule.max.px} px ${side(rule.max.side)}`;
}
