// The words we send to the LLM, and the deterministic copy we fall back to when it fails: the
// fallback is built only from the product facts, so images still render with sensible prompts.
import type { CopyDraft, Product } from '../../../shared/index.ts';

export function productFacts(product: Product): string {
  const lines = [`Name: ${product.name}`];
  if (product.brand) lines.push(`Brand: ${product.brand}`);
  if (product.category) lines.push(`Category: ${product.category}`);
  if (product.materials.length > 0) lines.push(`Materials: ${product.materials.join(', ')}`);
  if (product.colors.length > 0) lines.push(`Colors: ${product.colors.join(', ')}`);
  if (product.audience) lines.push(`Audience: ${product.audience}`);
  if (product.price) lines.push(`Price: ${product.price.amount.toFixed(2)} ${product.price.currency}`);
  if (product.tags.length > 0) lines.push(`Tags: ${product.tags.join(', ')}`);
  for (const [key, value] of Object.entries(product.attributes)) lines.push(`${key}: ${value}`);
  if (product.description) lines.push(`Description: ${product.description}`);
  return lines.join('\n');
}

export interface CopyMessages {
  system: string;
  user: string;
}

export function copyMessages(product: Product, language: string, variations: number): CopyMessages {
  const system = [
    'You are a senior e-commerce copywriter and art director.',
    `Write in the language with code "${language}".`,
    'Answer with one JSON object only, matching the given schema.',
    'Be concrete and truthful: use only the facts given; never invent certifications, prices or sizes.',
  ].join(' ');
  const user = [
    'Write showcase copy for this product:',
    productFacts(product),
    '',
    'Return: title (max 70 characters), tagline (one line), 3 to 5 benefit bullets, a description of',
    '2 to 4 sentences, and image prompts for a text-to-image model:',
    '- prompts.hero: the product alone, studio product photo, describing shape, material and colour;',
    '- prompts.lifestyle: the product in use in a fitting real-world scene;',
    `- prompts.variations: ${Math.max(1, variations)} short themes for alternative shots (angle, colourway, detail, setting);`,
    '- prompts.negative: what to avoid (e.g. text, watermark, blurry).',
  ].join('\n');
  return { system, user };
}

export { fallbackCopy } from './fallback-copy.ts';

/** The image prompt for one asset: brand prefix + the copy's prompt (+ the variation theme). */
export function imagePrompt(
  copy: Pick<CopyDraft, 'prompts'>,
  prefix: string,
  kind: 'hero' | 'lifestyle' | 'variation',
  idx: number,
): string {
  const parts = [prefix.trim()];
  if (kind === 'lifestyle') parts.push(copy.prompts.lifestyle);
  else parts.push(copy.prompts.hero);
  if (kind === 'variation') {
    const themes = copy.prompts.variations;
    parts.push(themes[(idx - 1) % themes.length] ?? '');
  }
  return parts.filter((p) => p.length > 0).join(', ');
}

/**
 * The edit instruction that restyles the reference photo (the `edit` family's hero and lifestyle):
 * the scene comes from the copy and the brand prefix, and the product itself must stay as photographed.
 */
export function restylePrompt(
  copy: Pick<CopyDraft, 'prompts'>,
  prefix: string,
  kind: 'hero' | 'lifestyle',
): string {
  const scene = imagePrompt(copy, prefix, kind, 0);
  return `Restage the product in this photo as: ${scene}. Keep the product itself exactly as photographed: its shape, proportions, colours, materials, logo and text.`;
}
