// The shareable pages: a product page per gallery and the catalog index. Pure string rendering from
// the validated gallery documents — self-contained (inline CSS, no scripts, fonts or CDNs) so the page
// works from a file:// folder, an S3 bucket or an e-mail link alike. Every product string is
// HTML-escaped where it lands; JSON-LD is serialised so no string can close its <script> element.
// Shared building blocks: page-parts.ts; the CSS: page-styles.ts.
import type { UrlFor } from './gallery.ts';
import type { CatalogIndex, GalleryAsset, GalleryDocument } from './gallery-document.ts';
import { type ChannelBadge, renderChannelSection, STYLE_CHANNELS } from './page-channels.ts';
import { formatDate, localeTag, type PageLabels, pageLabels, titleWithBrand } from './page-i18n.ts';
import {
  escapeHtml,
  formatBytes,
  formatMs,
  formatPrice,
  head,
  isAbsoluteUrl,
  jsonLdScript,
  paragraphs,
  renderImage,
  usable,
} from './page-parts.ts';
import { STYLE_BASE, STYLE_CATALOG, STYLE_PRODUCT } from './page-styles.ts';

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
