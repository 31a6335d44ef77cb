import { describe, expect, it } from 'vitest';
import { decodeBinaryFrame } from '../../../../src/main/engine/comfy/frames.ts';

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

const jpegHead = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

describe('decodeBinaryFrame', () => {
  it('decodes a type-1 JPEG preview', () => {
    const frame = decodeBinaryFrame(concat(u32(1), u32(1), jpegHead).buffer as ArrayBuffer);
    expect(frame).toEqual({
      kind: 'preview',
      mime: 'image/jpeg',
      bytes: jpegHead,
      promptId: null,
      nodeId: null,
    });
  });

  it('decodes a type-4 preview with its metadata', () => {
    const meta = new TextEncoder().encode(
      JSON.stringify({ node_id: '8', prompt_id: 'abc', display_node_id: '8', image_type: 'image/png' }),
    );
    const frame = decodeBinaryFrame(concat(u32(4), u32(meta.byteLength), meta, jpegHead));
    expect(frame).toEqual({
      kind: 'preview',
      mime: 'image/png',
      bytes: jpegHead,
      promptId: 'abc',
      nodeId: '8',
    });
  });

  it('decodes a type-3 text frame', () => {
    const id = new TextEncoder().encode('12');
    const frame = decodeBinaryFrame(
      concat(u32(3), u32(id.byteLength), id, new TextEncoder().encode('hello')),
    );
    expect(frame).toEqual({ kind: 'text', nodeId: '12', text: 'hello' });
  });

  it('rejects truncated frames and flags unknown types', () => {
    expect(decodeBinaryFrame(new Uint8Array([0, 0]))).toBeNull();
    expect(decodeBinaryFrame(concat(u32(4), u32(999), jpegHead))).toBeNull();
    expect(decodeBinaryFrame(concat(u32(9), jpegHead))).toEqual({ kind: 'unknown', eventType: 9 });
  });
});
