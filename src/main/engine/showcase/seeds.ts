// Seeds are derived, never random: the same product always gets the same base seed, and each asset
// gets a stable seed from (base seed, kind, index). That is what makes a locked showcase re-render
// byte-identical images, and what keeps a catalog visually consistent between runs.
import { createHash } from 'node:crypto';
import type { AssetKind } from '../../../shared/index.ts';

/** 48 bits: comfortably inside JS safe integers and ComfyUI's 0..2^64-1 seed range. */
function hashToSeed(text: string): number {
  const digest = createHash('sha256').update(text).digest();
  return digest.readUIntBE(0, 6);
}

export function baseSeedFor(productId: string): number {
  return hashToSeed(`showcase:${productId}`);
}

export function assetSeed(baseSeed: number, kind: AssetKind, idx: number): number {
  return hashToSeed(`${baseSeed}:${kind}:${idx}`);
}

/** A fresh seed for "regenerate with a new seed": derived from the old seed and the attempt count. */
export function rerollSeed(previous: number, attempt: number): number {
  return hashToSeed(`reroll:${previous}:${attempt}`);
}
