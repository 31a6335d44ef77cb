// What the fake "has on disk": model tags with the metadata /api/tags, /api/show and /api/ps report.
import { createHash } from 'node:crypto';

/** `llama3.2` ≡ `llama3.2:latest`: a name whose last path segment has no tag gets `:latest`. */
export function normalizeTag(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[];
  parameter_size: string;
  quantization_level: string;
}

export interface CatalogEntry {
  /** Normalised `name:tag`. */
  name: string;
  /** Bytes on disk (the weights file). */
  size: number;
  digest: string;
  modifiedAt: string;
  details: ModelDetails;
  capabilities: string[];
  contextLength: number;
  blockCount: number;
}

const knownSizes: Record<string, { size: number; parameterSize: string }> = {
  'llama3.2:latest': { size: 2_019_393_189, parameterSize: '3.2B' },
  'llama3.2:3b': { size: 2_019_393_189, parameterSize: '3.2B' },
  'llama3.2:1b': { size: 1_321_098_329, parameterSize: '1.2B' },
};

function familyOf(tag: string): string {
  const base = tag.slice(tag.lastIndexOf('/') + 1).split(':')[0] ?? tag;
  const match = /^[a-z]+/i.exec(base);
  return (match?.[0] ?? 'llama').toLowerCase();
}

/** Models whose fakes "think" (emit `thinking` before the answer and default `think` to true). */
function canThink(tag: string): boolean {
  return /qwen3|deepseek-r1|gpt-oss|magistral|think/i.test(tag);
}

export function catalogEntry(tag: string, modifiedAt: Date = new Date()): CatalogEntry {
  const name = normalizeTag(tag);
  const known = knownSizes[name];
  const family = familyOf(name);
  const digest = createHash('sha256').update(`ollama-sim:${name}`).digest('hex');
  const capabilities = ['completion', 'tools'];
  if (canThink(name)) capabilities.push('thinking');
  return {
    name,
    size: known?.size ?? 2_000_000_000 + (Number.parseInt(digest.slice(0, 6), 16) % 1_000_000_000),
    digest,
    modifiedAt: modifiedAt.toISOString(),
    details: {
      parent_model: '',
      format: 'gguf',
      family,
      families: [family],
      parameter_size: known?.parameterSize ?? '7.6B',
      quantization_level: 'Q4_K_M',
    },
    capabilities,
    contextLength: 131_072,
    blockCount: 28,
  };
}
