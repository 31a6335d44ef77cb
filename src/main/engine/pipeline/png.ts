// Small, dependency-free PNG helpers for the hot path of every image job.
// ComfyUI embeds the prompt graph (including the job's filename prefix) as text chunks, so two
// renders with identical pixels differ in bytes. Dropping the metadata chunks makes a locked seed
// reproduce byte-identical files, and keeps prompts out of published images.
import { createHash } from 'node:crypto';
import { ShowcaseError } from '../../../shared/index.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const METADATA_CHUNKS = new Set(['tEXt', 'iTXt', 'zTXt', 'tIME']);

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 24 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).equals(SIGNATURE);
}

export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (!isPng(bytes))
    throw new ShowcaseError('backend_error', 'The backend returned a file that is not a PNG');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
}

/** Returns the PNG without text/time chunks (pixels and colour information untouched). */
export function stripPngMetadata(bytes: Uint8Array): Buffer {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isPng(view)) throw new ShowcaseError('backend_error', 'The backend returned a file that is not a PNG');
  const parts: Buffer[] = [SIGNATURE];
  let offset = 8;
  while (offset + 12 <= view.length) {
    const length = view.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > view.length) throw new ShowcaseError('backend_error', 'The backend returned a truncated PNG');
    const type = view.toString('latin1', offset + 4, offset + 8);
    if (!METADATA_CHUNKS.has(type)) parts.push(view.subarray(offset, end));
    offset = end;
    if (type === 'IEND') break;
  }
  return Buffer.concat(parts);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
