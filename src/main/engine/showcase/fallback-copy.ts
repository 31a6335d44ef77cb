// The deterministic copy used when the LLM's output is unusable: built from the product facts alone,
// in the product's language (en, pt-BR, es, de, fr; other tags fall back to their base language, then
// English). The image prompts stay English: that is what the image models were trained on.
import type { CopyDraft, Product } from '../../../shared/index.ts';
import { type PageLanguage, pageLanguage } from './page-i18n.ts';

interface Phrases {
  madeFrom: (materials: string) => string;
  designed: (category: string) => string;
  availableIn: (colors: string) => string;
  timeless: string;
  madeFor: (audience: string) => string;
  everyday: string;
  by: (brand: string) => string;
  tagline: (category: string) => string;
  description: (name: string, category: string) => string;
  product: string;
}

const PHRASES: Record<PageLanguage, Phrases> = {
  en: {
    madeFrom: (m) => `Made from ${m}`,
    designed: (c) => `Thoughtfully designed ${c}`,
    availableIn: (c) => `Available in ${c}`,
    timeless: 'Clean, timeless look',
    madeFor: (a) => `Made for ${a}`,
    everyday: 'Built for everyday use',
    by: (b) => `By ${b}`,
    tagline: (c) => `The ${c} you'll reach for every day`,
    description: (n, c) => `${n}: a ${c} made to be used and loved.`,
    product: 'product',
  },
  'pt-BR': {
    madeFrom: (m) => `Feito de ${m}`,
    designed: (c) => `${c} pensado em cada detalhe`,
    availableIn: (c) => `Disponível em ${c}`,
    timeless: 'Visual limpo e atemporal',
    madeFor: (a) => `Feito para ${a}`,
    everyday: 'Resistente para o uso diário',
    by: (b) => `Por ${b}`,
    tagline: (c) => `O ${c} que você vai querer usar todos os dias`,
    description: (n, c) => `${n}: ${c} feito para ser usado e amado.`,
    product: 'produto',
  },
  es: {
    madeFrom: (m) => `Hecho de ${m}`,
    designed: (c) => `${c} diseñado con cuidado`,
    availableIn: (c) => `Disponible en ${c}`,
    timeless: 'Un estilo limpio y atemporal',
    madeFor: (a) => `Pensado para ${a}`,
    everyday: 'Hecho para el uso diario',
    by: (b) => `De ${b}`,
    tagline: (c) => `El ${c} que usarás todos los días`,
    description: (n, c) => `${n}: un ${c} hecho para usarse y disfrutarse.`,
    product: 'producto',
  },
  de: {
    madeFrom: (m) => `Aus ${m}`,
    designed: (c) => `Durchdacht gestaltet: ${c}`,
    availableIn: (c) => `Erhältlich in ${c}`,
    timeless: 'Klares, zeitloses Design',
    madeFor: (a) => `Gemacht für ${a}`,
    everyday: 'Gebaut für den Alltag',
    by: (b) => `Von ${b}`,
    tagline: (c) => `${c} für jeden Tag`,
    description: (n, c) => `${n}: ${c}, gemacht, um benutzt und geliebt zu werden.`,
    product: 'Produkt',
  },
  fr: {
    madeFrom: (m) => `Fabriqué en ${m}`,
    designed: (c) => `${c} pensé dans les moindres détails`,
    availableIn: (c) => `Disponible en ${c}`,
    timeless: 'Un style épuré et intemporel',
    madeFor: (a) => `Conçu pour ${a}`,
    everyday: 'Fait pour le quotidien',
    by: (b) => `Par ${b}`,
    tagline: (c) => `Le ${c} que vous utiliserez chaque jour`,
    description: (n, c) => `${n} : un ${c} fait pour être utilisé et aimé.`,
    product: 'produit',
  },
};

const VARIATION_THEMES = [
  'three-quarter view on a seamless backdrop',
  'close-up detail of the material and finish',
  'top-down flat lay with subtle props',
  'side profile with soft rim light',
  'on a textured stone surface',
  'against a bold complementary colour',
  'in soft morning window light',
  'floating with a gentle shadow',
];

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Deterministic copy from the product facts alone, in `language` (default: the product's, else English). */
export function fallbackCopy(product: Product, variations: number, language?: string): CopyDraft {
  const t = PHRASES[pageLanguage(language ?? product.language)];
  const material = product.materials[0];
  const color = product.colors[0];
  const descriptor = [color, material].filter(Boolean).join(' ');
  const subject = descriptor ? `${descriptor} ${product.name}` : product.name;
  // The category as written in the sheet (in the sheet's language); the generic word otherwise.
  const category = product.category ? product.category.toLowerCase() : t.product;
  const bullets = [
    material ? t.madeFrom(product.materials.join(', ')) : capitalise(t.designed(category)),
    product.colors.length > 0 ? t.availableIn(product.colors.join(', ')) : t.timeless,
    product.audience ? t.madeFor(product.audience) : t.everyday,
  ];
  if (product.brand) bullets.push(t.by(product.brand));
  const firstSentence = product.description?.split(/(?<=[.!?])\s/)[0]?.trim();
  return {
    title: product.name.slice(0, 200),
    tagline: (firstSentence && firstSentence.length <= 300
      ? firstSentence
      : capitalise(t.tagline(category))
    ).slice(0, 300),
    bullets,
    description: (product.description?.trim() || t.description(product.name, category)).slice(0, 5000),
    prompts: {
      hero: `studio product photo of a ${subject}, centered, seamless background, soft diffused light, sharp focus, high detail`,
      lifestyle: `lifestyle photo of a ${subject} in use in a natural, fitting setting, shallow depth of field, warm natural light`,
      variations: Array.from(
        { length: Math.max(1, variations) },
        (_, i) => VARIATION_THEMES[i % VARIATION_THEMES.length] ?? '',
      ),
      negative: 'text, watermark, logo, blurry, distorted, low quality',
    },
  };
}
