// The building blocks both shareable pages use: HTML escaping, JSON-LD that cannot close its
// <script>, prices, sizes, images with placeholders of the right ratio, paragraphs, the document head.
import type { UrlFor } from './gallery.ts';
import type { GalleryAsset } from './gallery-document.ts';
import type { PageLabels } from './page-i18n.ts';

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => htmlEscapes[ch] ?? ch);
}

/**
 * JSON for an inline `<script type="application/ld+json">`: `<`, `>` and `&` become JSON unicode
 * escapes, so `</script>` and `<!--` cannot appear in the element, yet `JSON.parse` returns the
 * original strings.
 */
export function serializeJsonLd(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function jsonLdScript(value: unknown): string {
  return `<script type="application/ld+json">${serializeJsonLd(value)}</script>`;
}

export function isAbsoluteUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** Localised price, falling back to English and then to `12.00 EUR`. */
export function formatPrice(
  price: { amount: number; currency: string } | undefined,
  language: string,
): string | null {
  if (!price) return null;
  for (const locale of [language, 'en']) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: price.currency }).format(
        price.amount,
      );
    } catch {
      // An unknown locale tag from the copy: try the next one.
    }
  }
  return `${price.amount.toFixed(2)} ${price.currency}`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function usable(
  asset: GalleryAsset | undefined,
): asset is GalleryAsset & { width: number; height: number } {
  return asset !== undefined && asset.status === 'done' && asset.width !== null && asset.height !== null;
}

/** The aspect ratio a missing image's placeholder keeps: the template's size when known, else square. */
export function placeholderRatio(asset: GalleryAsset | undefined): [number, number] {
  const w = asset?.params.width;
  const h = asset?.params.height;
  if (typeof w === 'number' && typeof h === 'number' && w > 0 && h > 0) return [w, h];
  return [1, 1];
}

export const placeholderIcon =
  '<svg viewBox="0 0 24 24" width="40" height="40" aria-hidden="true" focusable="false" fill="none" ' +
  'stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round">' +
  '<rect x="3" y="4" width="18" height="16" rx="2.5"/><circle cx="9" cy="9.5" r="1.8"/>' +
  '<path d="M21 16l-5.2-5.2a1.5 1.5 0 0 0-2.1 0L5 19.5"/></svg>';

export interface ImageOptions {
  alt: string;
  lazy: boolean;
  urlFor: UrlFor;
  labels: PageLabels;
  sizes?: string;
}

export function renderImage(asset: GalleryAsset | undefined, options: ImageOptions): string {
  if (usable(asset)) {
    const loading = options.lazy ? ' loading="lazy"' : ' fetchpriority="high"';
    const sizes = options.sizes ? ` sizes="${escapeHtml(options.sizes)}"` : '';
    return (
      `<img src="${escapeHtml(options.urlFor(asset.filename))}" alt="${escapeHtml(options.alt)}" ` +
      `width="${asset.width}" height="${asset.height}"${sizes}${loading} decoding="async">`
    );
  }
  const [w, h] = placeholderRatio(asset);
  return (
    `<div class="placeholder" role="img" aria-label="${escapeHtml(`${options.alt} (${options.labels.imageUnavailable})`)}" ` +
    `style="aspect-ratio: ${w} / ${h}">${placeholderIcon}<span>${escapeHtml(options.labels.imageComingSoon)}</span></div>`
  );
}

export function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

export function head(parts: {
  lang: string;
  title: string;
  description: string;
  style: string;
  generator: string;
  extra?: string;
}): string {
  return `<!doctype html>
<html lang="${escapeHtml(parts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(parts.title)}</title>
<meta name="description" content="${escapeHtml(parts.description)}">
<meta name="generator" content="${escapeHtml(parts.generator)}">
${parts.extra ?? ''}<style>${parts.style}</style>
`;
}
