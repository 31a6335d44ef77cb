// The words of the gallery pages and the e-mail in the shop's language, and its dates and prices
// through Intl. A page is written in its copy's language (the product's `language`, else the setting);
// a tag we have no words for falls back to its base language ("pt-PT" → "pt-BR" words), then English.

export const PAGE_LANGUAGES = ['en', 'pt-BR', 'es', 'de', 'fr'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

export interface PageLabels {
  allProducts: string;
  about: string;
  atAGlance: string;
  variations: string;
  variation: (n: number) => string;
  imageComingSoon: string;
  imageUnavailable: string;
  price: string;
  brand: string;
  category: string;
  materials: string;
  colours: string;
  madeFor: string;
  catalog: string;
  products: (n: number) => string;
  noProducts: string;
  generated: (date: string, app: string) => string;
  viewShowcase: string;
  orOpen: string;
  images: string;
  channelImages: string;
  notPublished: string;
  sentWith: (app: string) => string;
  subject: (title: string) => string;
}

const en: PageLabels = {
  allProducts: '← All products',
  about: 'About this product',
  atAGlance: 'At a glance',
  variations: 'Variations',
  variation: (n) => `variation ${n}`,
  imageComingSoon: 'Image coming soon',
  imageUnavailable: 'image not available',
  price: 'Price',
  brand: 'Brand',
  category: 'Category',
  materials: 'Materials',
  colours: 'Colours',
  madeFor: 'Made for',
  catalog: 'Catalog',
  products: (n) => `${n} ${n === 1 ? 'product' : 'products'}`,
  noProducts: 'No products yet.',
  generated: (date, app) => `Generated ${date} with ${app}`,
  viewShowcase: 'View the showcase',
  orOpen: 'Or open',
  images: 'Images',
  channelImages: 'Channel-ready images',
  notPublished: 'This gallery is not published yet, so there are no public links to share.',
  sentWith: (app) => `Sent with ${app}`,
  subject: (title) => `Product showcase: ${title}`,
};

const ptBR: PageLabels = {
  allProducts: '← Todos os produtos',
  about: 'Sobre este produto',
  atAGlance: 'Em resumo',
  variations: 'Variações',
  variation: (n) => `variação ${n}`,
  imageComingSoon: 'Imagem em breve',
  imageUnavailable: 'imagem indisponível',
  price: 'Preço',
  brand: 'Marca',
  category: 'Categoria',
  materials: 'Materiais',
  colours: 'Cores',
  madeFor: 'Feito para',
  catalog: 'Catálogo',
  products: (n) => `${n} ${n === 1 ? 'produto' : 'produtos'}`,
  noProducts: 'Nenhum produto ainda.',
  generated: (date, app) => `Gerado em ${date} com ${app}`,
  viewShowcase: 'Ver a vitrine',
  orOpen: 'Ou abra',
  images: 'Imagens',
  channelImages: 'Imagens prontas para os canais',
  notPublished: 'Esta galeria ainda não foi publicada, então não há links públicos para compartilhar.',
  sentWith: (app) => `Enviado com ${app}`,
  subject: (title) => `Vitrine do produto: ${title}`,
};

const es: PageLabels = {
  allProducts: '← Todos los productos',
  about: 'Sobre este producto',
  atAGlance: 'De un vistazo',
  variations: 'Variaciones',
  variation: (n) => `variación ${n}`,
  imageComingSoon: 'Imagen próximamente',
  imageUnavailable: 'imagen no disponible',
  price: 'Precio',
  brand: 'Marca',
  category: 'Categoría',
  materials: 'Materiales',
  colours: 'Colores',
  madeFor: 'Pensado para',
  catalog: 'Catálogo',
  products: (n) => `${n} ${n === 1 ? 'producto' : 'productos'}`,
  noProducts: 'Todavía no hay productos.',
  generated: (date, app) => `Generado el ${date} con ${app}`,
  viewShowcase: 'Ver el escaparate',
  orOpen: 'O abre',
  images: 'Imágenes',
  channelImages: 'Imágenes listas para cada canal',
  notPublished: 'Esta galería aún no está publicada, así que no hay enlaces públicos para compartir.',
  sentWith: (app) => `Enviado con ${app}`,
  subject: (title) => `Escaparate del producto: ${title}`,
};

const de: PageLabels = {
  allProducts: '← Alle Produkte',
  about: 'Über dieses Produkt',
  atAGlance: 'Auf einen Blick',
  variations: 'Varianten',
  variation: (n) => `Variante ${n}`,
  imageComingSoon: 'Bild folgt in Kürze',
  imageUnavailable: 'Bild nicht verfügbar',
  price: 'Preis',
  brand: 'Marke',
  category: 'Kategorie',
  materials: 'Materialien',
  colours: 'Farben',
  madeFor: 'Gemacht für',
  catalog: 'Katalog',
  products: (n) => `${n} ${n === 1 ? 'Produkt' : 'Produkte'}`,
  noProducts: 'Noch keine Produkte.',
  generated: (date, app) => `Erstellt am ${date} mit ${app}`,
  viewShowcase: 'Showcase ansehen',
  orOpen: 'Oder öffnen Sie',
  images: 'Bilder',
  channelImages: 'Bilder für die Verkaufskanäle',
  notPublished: 'Diese Galerie ist noch nicht veröffentlicht, daher gibt es noch keine öffentlichen Links.',
  sentWith: (app) => `Gesendet mit ${app}`,
  subject: (title) => `Produkt-Showcase: ${title}`,
};

const fr: PageLabels = {
  allProducts: '← Tous les produits',
  about: 'À propos de ce produit',
  atAGlance: 'En bref',
  variations: 'Variantes',
  variation: (n) => `variante ${n}`,
  imageComingSoon: 'Image bientôt disponible',
  imageUnavailable: 'image indisponible',
  price: 'Prix',
  brand: 'Marque',
  category: 'Catégorie',
  materials: 'Matières',
  colours: 'Couleurs',
  madeFor: 'Conçu pour',
  catalog: 'Catalogue',
  products: (n) => `${n} ${n <= 1 ? 'produit' : 'produits'}`,
  noProducts: 'Aucun produit pour le moment.',
  generated: (date, app) => `Généré le ${date} avec ${app}`,
  viewShowcase: 'Voir la vitrine',
  orOpen: 'Ou ouvrez',
  images: 'Images',
  channelImages: 'Images prêtes pour les canaux',
  notPublished: 'Cette galerie n’est pas encore publiée : il n’y a pas encore de liens publics à partager.',
  sentWith: (app) => `Envoyé avec ${app}`,
  subject: (title) => `Vitrine produit : ${title}`,
};

const LABELS: Record<PageLanguage, PageLabels> = { en, 'pt-BR': ptBR, es, de, fr };

/** The language we have words for that best matches a BCP 47 tag ("pt" and "pt-PT" → pt-BR, "de-AT" → de). */
export function pageLanguage(tag: string | null | undefined): PageLanguage {
  if (!tag) return 'en';
  const lower = tag.trim().toLowerCase().replace(/_/g, '-');
  const exact = PAGE_LANGUAGES.find((l) => l.toLowerCase() === lower);
  if (exact) return exact;
  const base = lower.split('-')[0];
  return PAGE_LANGUAGES.find((l) => l.toLowerCase().split('-')[0] === base) ?? 'en';
}

export function pageLabels(tag: string | null | undefined): PageLabels {
  return LABELS[pageLanguage(tag)];
}

/** A valid BCP 47 tag for Intl and `<html lang>`, or `en`. */
export function localeTag(tag: string | null | undefined): string {
  if (!tag) return 'en';
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** A date for the page's reader: "4 de março de 2025", "4. März 2025", "March 4, 2025". */
export function formatDate(iso: string, tag: string | null | undefined): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso.slice(0, 10);
  return new Intl.DateTimeFormat(localeTag(tag), { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** "Aurora Mug · Northwind", unless the title already names the brand. */
export function titleWithBrand(title: string, brand: string | undefined): string {
  if (!brand || title.toLowerCase().includes(brand.trim().toLowerCase())) return title;
  return `${title} · ${brand}`;
}
