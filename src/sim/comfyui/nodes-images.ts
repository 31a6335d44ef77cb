// Model-free image nodes (see catalog-images.ts): they run on a CPU-only real ComfyUI too, so the
// conformance suite can compare what both servers do with the same graph. Pixels are real.
import sharp from 'sharp';
import type { ImageItem, NodeResult, NodeRuntime, SimValue } from './nodes.ts';
import { PyError } from './pyjson.ts';

type Inputs = Record<string, unknown>;

/**
 * ImageInvert on 8-bit pixels as the server computes it: pixels are float32 v/255, inverted as
 * 1 − x in float32, and SaveImage writes trunc(255·x) (numpy float32, astype uint8). So 0x99 becomes
 * 0x65, not 0x66 (checked against a real 0.3.64).
 */
const invertTable = Uint8Array.from({ length: 256 }, (_, v) => {
  const f = Math.fround;
  return Math.trunc(f(255 * f(1 - f(v / 255))));
});

const int = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;

function imageInput(value: unknown): ImageItem[] {
  const v = value as SimValue | undefined;
  if (!v || typeof v !== 'object' || v.kind !== 'IMAGE')
    throw new PyError('AttributeError', 'expected IMAGE input');
  return v.items;
}

export const imageNodeImpls: Record<string, (inputs: Inputs, rt: NodeRuntime) => Promise<NodeResult>> = {
  /** A batch of flat images; `color` is 0xRRGGBB. */
  async EmptyImage(inputs, rt) {
    const width = Math.max(1, int(inputs.width, 512));
    const height = Math.max(1, int(inputs.height, 512));
    const batch = Math.max(1, int(inputs.batch_size, 1));
    const color = int(inputs.color, 0);
    const background = { r: (color >> 16) & 0xff, g: (color >> 8) & 0xff, b: color & 0xff };
    const png = await sharp({ create: { width, height, channels: 3, background } })
      .png({ compressionLevel: 4 })
      .toBuffer();
    await rt.work(rt.nodeMs / 10);
    return {
      outputs: [{ kind: 'IMAGE', items: Array.from({ length: batch }, () => ({ png, width, height })) }],
    };
  },
  /** 1 − pixel, per channel (see invertTable). */
  async ImageInvert(inputs, rt) {
    const items = await Promise.all(
      imageInput(inputs.image).map(async (item) => {
        const { data, info } = await sharp(item.png)
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        for (let i = 0; i < data.length; i++) data[i] = invertTable[data[i] as number] as number;
        const raw = { width: info.width, height: info.height, channels: info.channels };
        return { ...item, png: await sharp(data, { raw }).png({ compressionLevel: 4 }).toBuffer() };
      }),
    );
    await rt.work(rt.nodeMs / 10);
    return { outputs: [{ kind: 'IMAGE', items }] };
  },
};
