// The shareable pages: a product page per gallery and the catalog index. Pure string rendering from
// the validated gallery documents — self-contained (inline CSS, no scripts, fonts or CDNs) so the page
// works from a file:// folder, an S3 bucket or an e-mail link alike. Every product string is
// HTML-escaped where it lands; JSON-LD is serialised so no string can close its <script> element.
import type { CatalogIndex, GalleryAsset, GalleryDocument, UrlFor } from './gallery.ts';
import { type ChannelBadge, renderChannelSection, STYLE_CHANNELS } from './page-channels.ts';
import { formatDate, localeTag, type PageLabels, pageLabels, titleWithBrand } from './page-i18n.ts';

/**
 * `internal`: the studio's own page (status, seeds, templates, prompts, channel compliance);
 * `public`: what is published — the product, its copy and images, nothing about how they were made.
 */
export type PageAudience = 'internal' | 'public';

export interface RenderGalleryOptions {
  urlFor: UrlFor;
  /** Link back to the catalog page; omitted when the page is shared on its own. */
  catalogHref?: string;
  /** Default `internal`. */
  audience?: PageAudience;
  /** Channel compliance badges (internal page only). */
  channels?: readonly ChannelBadge[];
}

export interface RenderCatalogOptions {
  urlFor: UrlFor;
  /** Default `internal` (status badges on the cards); `public` leaves them out. */
  audience?: PageAudience;
}

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

function jsonLdScript(value: unknown): string {
  return `<script type="application/ld+json">${serializeJsonLd(value)}</script>`;
}

function isAbsoluteUrl(url: string): boolean {
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

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function usable(asset: GalleryAsset | undefined): asset is GalleryAsset & { width: number; height: number } {
  return asset !== undefined && asset.status === 'done' && asset.width !== null && asset.height !== null;
}

/** The aspect ratio a missing image's placeholder keeps: the template's size when known, else square. */
function placeholderRatio(asset: GalleryAsset | undefined): [number, number] {
  const w = asset?.params.width;
  const h = asset?.params.height;
  if (typeof w === 'number' && typeof h === 'number' && w > 0 && h > 0) return [w, h];
  return [1, 1];
}

const placeholderIcon =
  '<svg viewBox="0 0 24 24" width="40" height="40" aria-hidden="true" focusable="false" fill="none" ' +
  'stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round">' +
  '<rect x="3" y="4" width="18" height="16" rx="2.5"/><circle cx="9" cy="9.5" r="1.8"/>' +
  '<path d="M21 16l-5.2-5.2a1.5 1.5 0 0 0-2.1 0L5 19.5"/></svg>';

interface ImageOptions {
  alt: string;
  lazy: boolean;
  urlFor: UrlFor;
  labels: PageLabels;
  sizes?: string;
}

function renderImage(asset: GalleryAsset | undefined, options: ImageOptions): string {
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

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

const STYLE_BASE = `
:root {
  color-scheme: light dark;
  --bg: #f7f5f1; --surface: #ffffff; --text: #1d1b18; --muted: #6d675e; --faint: #9a948a;
  --line: #e6e1d8; --accent: #9b5f2a; --accent-soft: #f3e8dc;
  --ph-a: #efebe4; --ph-b: #e7e2d9; --shadow: 0 28px 60px -32px rgba(40, 30, 20, .45);
  --ok: #2f7a4b; --ok-bg: #e3f2e8; --warn: #8a5a00; --warn-bg: #fbefd3; --bad: #a23a32; --bad-bg: #f8e1de;
  --radius: 18px; --radius-sm: 12px;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  --serif: "Iowan Old Style", "Palatino Linotype", Palatino, "Book Antiqua", Georgia, "DejaVu Serif", serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121110; --surface: #1b1a18; --text: #f1ede6; --muted: #aaa398; --faint: #7c766c;
    --line: #2e2b27; --accent: #e0a86f; --accent-soft: #2c2219;
    --ph-a: #22201d; --ph-b: #1c1a18; --shadow: 0 28px 60px -32px rgba(0, 0, 0, .9);
    --ok: #8fd3a6; --ok-bg: #183325; --warn: #f0c46b; --warn-bg: #3a2d10; --bad: #f0a098; --bad-bg: #3d1b18;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 17px/1.65 var(--sans); -webkit-font-smoothing: antialiased; text-rendering: optimizeLegibility;
}
a { color: inherit; }
img { display: block; max-width: 100%; height: auto; }
.page { max-width: 1200px; margin: 0 auto; padding: clamp(20px, 4vw, 56px) clamp(18px, 4vw, 48px) 40px; }
.eyebrow {
  margin: 0; font-size: .78rem; font-weight: 600; letter-spacing: .14em; text-transform: uppercase; color: var(--accent);
}
h1, h2 { font-family: var(--serif); font-weight: 600; letter-spacing: -.015em; color: var(--text); overflow-wrap: anywhere; }
h2 { font-size: clamp(1.45rem, 2.4vw, 1.9rem); line-height: 1.2; margin: 0 0 .8rem; }
.placeholder {
  width: 100%; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: .6rem;
  color: var(--faint); font-size: .85rem; letter-spacing: .02em; border-radius: var(--radius);
  background: repeating-linear-gradient(135deg, var(--ph-a) 0 14px, var(--ph-b) 14px 28px);
  border: 1px dashed var(--line);
}
`;

const STYLE_PRODUCT = `
.topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; margin-bottom: clamp(20px, 3vw, 36px); font-size: .9rem; color: var(--muted); }
.topbar a { text-decoration: none; padding: .35rem .8rem; border: 1px solid var(--line); border-radius: 999px; background: var(--surface); }
.topbar a:hover { border-color: var(--muted); }
.intro { display: grid; grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr); gap: clamp(28px, 5vw, 72px); align-items: center; }
.hero-media img, .hero-media .placeholder { border-radius: var(--radius); box-shadow: var(--shadow); }
.summary h1 { font-size: clamp(2.2rem, 4.2vw, 3.4rem); line-height: 1.04; margin: .35rem 0 .9rem; }
.tagline { margin: 0 0 1.4rem; font-size: clamp(1.1rem, 1.6vw, 1.3rem); line-height: 1.5; color: var(--muted); }
.price { margin: 0 0 1.6rem; font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.bullets { list-style: none; margin: 0; padding: 1.4rem 0 0; border-top: 1px solid var(--line); display: grid; gap: .75rem; }
.bullets li { position: relative; padding-left: 2rem; }
.bullets li::before {
  content: ""; position: absolute; left: 0; top: .3em; width: 1.15rem; height: 1.15rem; border-radius: 50%;
  background: var(--accent-soft) url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M4 8.5l2.6 2.5L12 5.5' fill='none' stroke='%239b5f2a' stroke-width='1.8' stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E") center / 80% no-repeat;
}
section { margin-top: clamp(56px, 8vw, 104px); }
.story { display: grid; grid-template-columns: minmax(0, 1.6fr) minmax(0, 1fr); gap: clamp(28px, 5vw, 72px); align-items: start; }
.description p { margin: 0 0 1.1em; max-width: 62ch; }
.description p:first-of-type { font-size: 1.12rem; }
.facts { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.5rem 1.6rem; }
.facts h2 { font-family: var(--sans); font-size: .78rem; font-weight: 600; letter-spacing: .14em; text-transform: uppercase; color: var(--muted); margin-bottom: 1rem; }
.facts dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: .7rem 1.2rem; font-size: .95rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 500; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; }
.chip { display: inline-block; padding: .1rem .6rem; border-radius: 999px; background: var(--accent-soft); font-size: .85rem; font-weight: 500; }
.lifestyle figure { margin: 0; }
.lifestyle img, .lifestyle .placeholder { width: 100%; border-radius: var(--radius); box-shadow: var(--shadow); }
.lifestyle .placeholder { max-height: 320px; box-shadow: none; }
.variations-head { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; }
.grid { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: clamp(12px, 1.6vw, 20px); margin: 0; padding: 0; list-style: none; }
.grid img, .grid .placeholder { width: 100%; aspect-ratio: 1 / 1; object-fit: cover; border-radius: var(--radius-sm); }
.grid .placeholder span { display: none; }
.grid figure { margin: 0; }
.grid figcaption { margin-top: .5rem; font-size: .82rem; color: var(--muted); }
footer { margin-top: clamp(64px, 9vw, 112px); padding-top: 1.4rem; border-top: 1px solid var(--line); font-size: .82rem; color: var(--faint); }
footer summary { cursor: pointer; width: max-content; color: var(--muted); }
footer summary:hover { color: var(--text); }
.meta { margin: 1rem 0; display: flex; flex-wrap: wrap; gap: .4rem 1.6rem; }
.meta b { font-weight: 600; color: var(--muted); }
.table-wrap { overflow-x: auto; }
footer table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
footer th, footer td { text-align: left; padding: .45rem .8rem .45rem 0; border-bottom: 1px solid var(--line); white-space: nowrap; }
footer th { font-weight: 600; color: var(--muted); }
footer code { font-family: ui-monospace, "SFMono-Regular", Menlo, "DejaVu Sans Mono", monospace; font-size: .95em; }
.prompt { white-space: normal; min-width: 18rem; max-width: 32rem; }
.colophon { margin-top: 1.2rem; }
@media (max-width: 880px) {
  .intro, .story { grid-template-columns: minmax(0, 1fr); }
  .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@media print { .topbar, footer details { display: none; } .hero-media img { box-shadow: none; } }
`;

const STYLE_CATALOG = `
.catalog-head { display: flex; align-items: end; justify-content: space-between; gap: 1rem; flex-wrap: wrap; margin-bottom: clamp(28px, 4vw, 48px); padding-bottom: 1.4rem; border-bottom: 1px solid var(--line); }
.catalog-head h1 { font-size: clamp(2.2rem, 4.4vw, 3.4rem); line-height: 1.05; margin: .35rem 0 0; }
.count { margin: 0; color: var(--muted); font-size: .95rem; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: clamp(18px, 2.4vw, 32px); }
.card { display: flex; flex-direction: column; height: 100%; text-decoration: none; background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); overflow: hidden; transition: transform .18s ease, box-shadow .18s ease; }
.card:hover, .card:focus-visible { transform: translateY(-3px); box-shadow: var(--shadow); }
.card-media { position: relative; }
.card-media img, .card-media .placeholder { width: 100%; aspect-ratio: 1 / 1; object-fit: cover; border-radius: 0; border: 0; }
.badge { position: absolute; top: .8rem; left: .8rem; padding: .2rem .65rem; border-radius: 999px; font-size: .72rem; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; }
.badge-complete { color: var(--ok); background: var(--ok-bg); }
.badge-partial { color: var(--warn); background: var(--warn-bg); }
.stale, .stale-note { color: var(--warn); font-size: 0.85rem; margin: 0.25rem 0 0; }
.badge-failed { color: var(--bad); background: var(--bad-bg); }
.card-body { padding: 1.1rem 1.2rem 1.3rem; display: flex; flex-direction: column; gap: .35rem; flex: 1; }
.card-body h2 { font-size: 1.3rem; margin: 0; line-height: 1.25; }
.card-body p { margin: 0; color: var(--muted); font-size: .95rem; line-height: 1.5; }
.card-meta { margin-top: auto !important; padding-top: .6rem; font-size: .85rem !important; color: var(--faint) !important; display: flex; justify-content: space-between; gap: .8rem; }
.card-meta .card-price { color: var(--text); font-weight: 600; }
.empty { padding: 4rem 0; text-align: center; color: var(--muted); }
footer { margin-top: clamp(56px, 8vw, 96px); padding-top: 1.2rem; border-top: 1px solid var(--line); font-size: .82rem; color: var(--faint); }
`;

function head(parts: {
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

function productJsonLd(doc: GalleryDocument, urlFor: UrlFor): Record<string, unknown> {
  const { product, copy } = doc;
  const images = doc.assets.filter((a) => a.kind !== 'thumbnail' && usable(a)).map((a) => urlFor(a.filename));
  const description = copy?.description ?? product.description;
  const ld: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.name,
    sku: product.attributes.sku ?? product.id,
  };
  if (description) ld.description = description;
  if (images.length > 0) ld.image = images;
  if (product.brand) ld.brand = { '@type': 'Brand', name: product.brand };
  if (product.category) ld.category = product.category;
  if (product.colors.length > 0) ld.color = product.colors.join(', ');
  if (product.materials.length > 0) ld.material = product.materials.join(', ');
  if (doc.publishedUrl) ld.url = doc.publishedUrl;
  if (product.price) {
    ld.offers = {
      '@type': 'Offer',
      price: product.price.amount,
      priceCurrency: product.price.currency,
      ...(doc.publishedUrl ? { url: doc.publishedUrl } : {}),
    };
  }
  return ld;
}

function factsList(doc: GalleryDocument, price: string | null, t: PageLabels): string {
  const { product } = doc;
  const rows: Array<[string, string]> = [];
  const chips = (items: string[]) =>
    `<span class="chips">${items.map((i) => `<span class="chip">${escapeHtml(i)}</span>`).join('')}</span>`;
  if (price) rows.push([t.price, escapeHtml(price)]);
  if (product.brand) rows.push([t.brand, escapeHtml(product.brand)]);
  if (product.category) rows.push([t.category, escapeHtml(product.category)]);
  if (product.materials.length > 0) rows.push([t.materials, chips(product.materials)]);
  if (product.colors.length > 0) rows.push([t.colours, chips(product.colors)]);
  if (product.audience) rows.push([t.madeFor, escapeHtml(product.audience)]);
  for (const [key, value] of Object.entries(product.attributes)) {
    if (value.trim() !== '') rows.push([attributeLabel(key), escapeHtml(value)]);
  }
  if (rows.length === 0) return '';
  const dl = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('\n');
  return `<aside class="facts" aria-labelledby="facts-title"><h2 id="facts-title">${escapeHtml(t.atAGlance)}</h2><dl>\n${dl}\n</dl></aside>`;
}

const acronyms = new Set(['sku', 'gtin', 'ean', 'upc', 'mpn', 'isbn']);

/** Sheet column names as labels: `sku` → `SKU`, `care_instructions` → `Care instructions`. */
function attributeLabel(key: string): string {
  if (acronyms.has(key.toLowerCase())) return key.toUpperCase();
  const words = key.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const kindLabel = (a: GalleryAsset): string =>
  a.kind === 'variation' ? `Variation ${a.idx}` : a.kind.charAt(0).toUpperCase() + a.kind.slice(1);

/** The published page's footer: when and with what, nothing about how. */
function publicFooter(doc: GalleryDocument, language: string): string {
  const t = pageLabels(language);
  return `<footer>\n<p class="colophon">${escapeHtml(t.generated(formatDate(doc.generatedAt, language), `${doc.app.name} ${doc.app.version}`))}</p>\n</footer>`;
}

function detailsFooter(doc: GalleryDocument, language: string): string {
  const meta: Array<[string, string]> = [
    ['Base seed', `<code>${doc.seeds.base}</code>${doc.seeds.locked ? ' (locked)' : ''}`],
    ['Model family', escapeHtml(doc.family)],
  ];
  if (doc.prompt.presetId) meta.push(['Preset', escapeHtml(doc.prompt.presetId)]);
  if (doc.prompt.prefix) meta.push(['Style prefix', escapeHtml(doc.prompt.prefix)]);
  if (doc.copy) {
    const by = doc.copy.source === 'llm' && doc.copy.model ? `llm (${doc.copy.model})` : doc.copy.source;
    meta.push(['Copy', escapeHtml(by)]);
  }
  if (doc.timings.totalMs !== null) meta.push(['Total time', escapeHtml(formatMs(doc.timings.totalMs))]);
  const rows = doc.assets
    .map((a) => {
      const ms = doc.timings.assets[a.filename];
      const size = a.width && a.height ? `${a.width}×${a.height}` : '—';
      return (
        `<tr><td>${escapeHtml(kindLabel(a))}</td><td><code>${escapeHtml(a.templateId)}</code></td>` +
        `<td><code>${a.seed}</code>${a.seedLocked ? ' · locked' : ''}</td><td>${size}</td>` +
        `<td>${a.bytes === null ? '—' : escapeHtml(formatBytes(a.bytes))}</td>` +
        `<td>${ms === undefined ? '—' : escapeHtml(formatMs(ms))}</td><td>${escapeHtml(a.status)}</td>` +
        `<td class="prompt">${escapeHtml(a.prompt) || '—'}</td></tr>`
      );
    })
    .join('\n');
  return `<footer>
<details>
<summary>Details</summary>
<div class="meta">${meta.map(([k, v]) => `<span><b>${escapeHtml(k)}</b> ${v}</span>`).join('')}</div>
<div class="table-wrap"><table>
<thead><tr><th>Image</th><th>Template</th><th>Seed</th><th>Size</th><th>File</th><th>Time</th><th>Status</th><th>Prompt</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
</details>
<p class="colophon">${escapeHtml(pageLabels(language).generated(formatDate(doc.generatedAt, language), `${doc.app.name} ${doc.app.version}`))}</p>
</footer>`;
}

/** The product page for one gallery document. */
export function renderGalleryHtml(doc: GalleryDocument, options: RenderGalleryOptions): string {
  const { product, copy } = doc;
  const { urlFor } = options;
  const language = localeTag(copy?.language ?? product.language ?? 'en');
  const t = pageLabels(language);
  const internal = (options.audience ?? 'internal') === 'internal';
  const title = copy?.title ?? product.name;
  const tagline = copy?.tagline ?? '';
  const description = copy?.description ?? product.description ?? '';
  const bullets = copy?.bullets ?? [];
  const price = formatPrice(product.price, language);
  const find = (kind: GalleryAsset['kind'], idx = 0) =>
    doc.assets.find((a) => a.kind === kind && a.idx === idx);
  const hero = find('hero');
  const lifestyle = find('lifestyle');
  const variations = doc.assets.filter((a) => a.kind === 'variation');
  const eyebrow = [product.brand, product.category].filter((s): s is string => Boolean(s));

  const og: string[] = [
    `<meta property="og:type" content="product">`,
    `<meta property="og:title" content="${escapeHtml(title)}">`,
  ];
  if (tagline) og.push(`<meta property="og:description" content="${escapeHtml(tagline)}">`);
  if (usable(hero) && isAbsoluteUrl(urlFor(hero.filename))) {
    og.push(`<meta property="og:image" content="${escapeHtml(urlFor(hero.filename))}">`);
  }
  if (doc.publishedUrl) {
    og.push(`<meta property="og:url" content="${escapeHtml(doc.publishedUrl)}">`);
    og.push(`<link rel="canonical" href="${escapeHtml(doc.publishedUrl)}">`);
  }

  const topbar =
    options.catalogHref === undefined
      ? ''
      : `<nav class="topbar"><a href="${escapeHtml(options.catalogHref)}">${escapeHtml(t.allProducts)}</a></nav>\n`;

  const variationGrid =
    variations.length === 0
      ? ''
      : `<section class="variations" aria-labelledby="variations-title">
<div class="variations-head"><h2 id="variations-title">${escapeHtml(t.variations)}</h2>${
          variations.some((v) => v.stale)
            ? '<p class="stale-note" data-stale="true">Some variations were made from an earlier hero image.</p>'
            : ''
        }</div>
<ul class="grid">
${variations
  .map(
    (v) =>
      `<li><figure>${renderImage(v, {
        alt: `${title}, ${t.variation(v.idx)}`,
        lazy: true,
        urlFor,
        labels: t,
        sizes: '(max-width: 880px) 50vw, 300px',
      })}${v.stale ? '<figcaption class="stale" data-stale="true">Made from an earlier hero</figcaption>' : ''}</figure></li>`,
  )
  .join('\n')}
</ul>
</section>`;

  const facts = factsList(doc, price, t);
  const story =
    description || facts
      ? `<section class="story">
<div class="description">
<h2>${escapeHtml(t.about)}</h2>
${paragraphs(description)}
</div>
${facts}
</section>`
      : '';

  return `${head({
    lang: language,
    title: titleWithBrand(title, product.brand),
    description: tagline || description.slice(0, 160),
    style: STYLE_BASE + STYLE_PRODUCT + (internal ? STYLE_CHANNELS : ''),
    generator: `${doc.app.name} ${doc.app.version}`,
    extra: `${og.join('\n')}\n`,
  })}${jsonLdScript(productJsonLd(doc, urlFor))}
</head>
<body>
<main class="page">
${topbar}<header class="intro">
<div class="hero-media">${renderImage(hero, {
    alt: title,
    lazy: false,
    urlFor,
    labels: t,
    sizes: '(max-width: 880px) 100vw, 680px',
  })}</div>
<div class="summary">
${eyebrow.length > 0 ? `<p class="eyebrow">${escapeHtml(eyebrow.join(' · '))}</p>\n` : ''}<h1>${escapeHtml(title)}</h1>
${tagline ? `<p class="tagline">${escapeHtml(tagline)}</p>\n` : ''}${price ? `<p class="price">${escapeHtml(price)}</p>\n` : ''}${
  bullets.length > 0
    ? `<ul class="bullets">\n${bullets.map((b) => `<li>${escapeHtml(b)}</li>`).join('\n')}\n</ul>\n`
    : ''
}</div>
</header>
${story}
${
  lifestyle
    ? `<section class="lifestyle"><figure>${renderImage(lifestyle, {
        alt: tagline ? `${title}: ${tagline}` : title,
        lazy: true,
        urlFor,
        labels: t,
      })}</figure></section>`
    : ''
}
${variationGrid}
${internal ? renderChannelSection(options.channels) : ''}
${internal ? detailsFooter(doc, language) : publicFooter(doc, language)}
</main>
</body>
</html>
`;
}

const statusLabel = { complete: 'Complete', partial: 'Partial', failed: 'Failed' } as const;

/** The catalog page speaks the language most of its products are written in. */
function catalogLanguage(documents: readonly GalleryDocument[]): string {
  const counts = new Map<string, number>();
  for (const d of documents) {
    const tag = localeTag(d.copy?.language ?? d.product.language ?? 'en');
    counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'en';
}

/** The catalog page: one card per product, linking its page. */
export function renderCatalogIndexHtml(
  index: CatalogIndex,
  documents: readonly GalleryDocument[],
  options: RenderCatalogOptions,
): string {
  const { urlFor } = options;
  const internal = (options.audience ?? 'internal') === 'internal';
  const language = catalogLanguage(documents);
  const t = pageLabels(language);
  const cards = index.products.map((entry, i) => {
    const doc = documents[i];
    const image = doc?.assets.find((a) => a.filename === entry.image);
    const price = doc
      ? formatPrice(doc.product.price, localeTag(doc.copy?.language ?? doc.product.language ?? language))
      : null;
    const brand = doc?.product.brand ?? '';
    const badge = internal
      ? `<span class="badge badge-${entry.status}">${statusLabel[entry.status]}</span>`
      : '';
    return `<li><a class="card" href="${escapeHtml(urlFor(entry.html))}">
<div class="card-media">${renderImage(image, { alt: entry.title, lazy: i >= 8, urlFor, labels: t, sizes: '(max-width: 600px) 100vw, 300px' })}${badge}</div>
<div class="card-body"><h2>${escapeHtml(entry.title)}</h2>${entry.tagline ? `<p>${escapeHtml(entry.tagline)}</p>` : ''}
<p class="card-meta"><span>${escapeHtml(brand)}</span>${price ? `<span class="card-price">${escapeHtml(price)}</span>` : ''}</p></div>
</a></li>`;
  });
  const itemList = {
    '@context': 'https://schema.org',
    '@type': 'ItemList',
    name: index.title,
    numberOfItems: index.products.length,
    itemListElement: index.products.map((entry, i) => ({
      '@type': 'ListItem',
      position: i + 1,
      url: urlFor(entry.html),
      name: entry.title,
      ...(entry.image ? { image: urlFor(entry.image) } : {}),
    })),
  };
  const count = t.products(index.products.length);
  return `${head({
    lang: language,
    title: index.title,
    description: `${index.title}: ${count}`,
    style: STYLE_BASE + STYLE_CATALOG,
    generator: `${index.app.name} ${index.app.version}`,
  })}${jsonLdScript(itemList)}
</head>
<body>
<main class="page">
<header class="catalog-head"><div><p class="eyebrow">${escapeHtml(t.catalog)}</p><h1>${escapeHtml(index.title)}</h1></div><p class="count">${escapeHtml(count)}</p></header>
${cards.length > 0 ? `<ul class="cards">\n${cards.join('\n')}\n</ul>` : `<p class="empty">${escapeHtml(t.noProducts)}</p>`}
<footer>${escapeHtml(t.generated(formatDate(index.generatedAt, language), `${index.app.name} ${index.app.version}`))}</footer>
</main>
</body>
</html>
`;
}
