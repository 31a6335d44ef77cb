// Decoding of ComfyUI's binary WebSocket frames (§8.5): a 4-byte big-endian event type, then a
// type-specific layout.
import { PreviewMetadataSchema } from './schemas.ts';

export const binaryEventTypes = {
  previewImage: 1,
  text: 3,
  previewImageWithMetadata: 4,
} as const;

export type BinaryFrame =
  | { kind: 'preview'; mime: string; bytes: Uint8Array; promptId: string | null; nodeId: string | null }
  | { kind: 'text'; nodeId: string; text: string }
  | { kind: 'unknown'; eventType: number };

const imageFormats: Record<number, string> = { 1: 'image/jpeg', 2: 'image/png' };

/** Returns null for frames too short to carry their header (the caller ignores them). */
export function decodeBinaryFrame(data: ArrayBuffer | Uint8Array): BinaryFrame | null {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eventType = view.getUint32(0, false);
  switch (eventType) {
    case binaryEventTypes.previewImage: {
      if (bytes.byteLength < 8) return null;
      const format = view.getUint32(4, false);
      return {
        kind: 'preview',
        mime: imageFormats[format] ?? 'application/octet-stream',
        // copy: the receive buffer may be reused, and callers keep previews around
        bytes: bytes.slice(8),
        promptId: null,
        nodeId: null,
      };
    }
    case binaryEventTypes.previewImageWithMetadata: {
      if (bytes.byteLength < 8) return null;
      const jsonLength = view.getUint32(4, false);
      if (8 + jsonLength > bytes.byteLength) return null;
      let metadata: unknown;
      try {
        metadata = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength)));
      } catch {
        return null;
      }
      const parsed = PreviewMetadataSchema.safeParse(metadata);
      if (!parsed.success) return null;
      return {
        kind: 'preview',
        mime: parsed.data.image_type,
        bytes: bytes.slice(8 + jsonLength),
        promptId: parsed.data.prompt_id ?? null,
        nodeId: parsed.data.node_id ?? parsed.data.display_node_id ?? null,
      };
    }
    case binaryEventTypes.text: {
      if (bytes.byteLength < 8) return null;
      const idLength = view.getUint32(4, false);
      if (8 + idLength > bytes.byteLength) return null;
      const decoder = new TextDecoder();
      return {
        kind: 'text',
        nodeId: decoder.decode(bytes.subarray(8, 8 + idLength)),
        text: decoder.decode(bytes.subarray(8 + idLength)),
      };
    }
    default:
      return { kind: 'unknown', eventType };
  }
}
