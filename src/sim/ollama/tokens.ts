// Deterministic randomness and token counts for the fake model: a seeded generator per request key,
// how an answer is cut into streamed tokens, and the prompt's token count.
import { createHash } from 'node:crypto';

export type Rng = () => number;

/** mulberry32 seeded from a sha256 of `key`: small, fast and deterministic. */
export function rngFor(key: string): Rng {
  let state = createHash('sha256').update(key).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)] ?? items[0];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/**
 * Splits text into "tokens": words with their leading space, single punctuation marks, and long
 * words broken into 2–5 code-point pieces. Never splits a code point; concatenation is the input.
 */
export function tokenize(text: string, rng: Rng): string[] {
  const pieces = text.match(/\s*[\p{L}\p{N}]+|\s*[^\s\p{L}\p{N}]|\s+/gu) ?? [];
  const tokens: string[] = [];
  for (const piece of pieces) {
    const chars = Array.from(piece);
    if (chars.length <= 6) {
      tokens.push(piece);
      continue;
    }
    let index = 0;
    while (index < chars.length) {
      const size = 2 + Math.floor(rng() * 4);
      tokens.push(chars.slice(index, index + size).join(''));
      index += size;
    }
  }
  return tokens;
}

/** A rough prompt token count (≈ 4 characters per token plus per-message template overhead). */
export function countPromptTokens(texts: readonly string[]): number {
  let total = 0;
  for (const text of texts) total += Math.ceil(Array.from(text).length / 4) + 4;
  return Math.max(1, total);
}
