// The per-server upload cache against the ComfyUI simulator over real sockets: one POST /upload/image
// per content hash however many jobs ask at once, a cancelled job only stops waiting, and a failed
// upload is not remembered.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComfyClient, ComfyUploads } from '../../../../src/main/engine/comfy/index.ts';
import { ShowcaseError } from '../../../../src/shared/errors.ts';
import { type ComfySim, startComfySim } from '../../../../src/sim/comfyui/index.ts';

let sim: ComfySim;
let client: ComfyClient;

beforeAll(async () => {
  sim = await startComfySim({ timeScale: 0.0005 });
  client = new ComfyClient({ url: sim.url });
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

function png(color: string): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: color } })
    .png()
    .toBuffer();
}

function uploadsSoFar(): number {
  return sim.transcript.filter(
    (e) => e.channel === 'http' && e.kind === 'request' && /\/upload\/image$/.test(e.path ?? ''),
  ).length;
}

describe('ComfyUploads', () => {
  it('uploads once per content hash, however many jobs ask at the same time', async () => {
    const uploads = new ComfyUploads(client);
    const before = uploadsSoFar();
    const red = await png('#c00');
    const names = await Promise.all(
      [1, 2, 3].map(() => uploads.once('sha-red', 'red.png', async () => red, new AbortController().signal)),
    );
    expect(names).toEqual(['showcase/red.png', 'showcase/red.png', 'showcase/red.png']);
    expect(uploadsSoFar() - before).toBe(1);

    const blue = await png('#00c');
    expect(await uploads.once('sha-blue', 'blue.png', async () => blue, new AbortController().signal)).toBe(
      'showcase/blue.png',
    );
    expect(await uploads.once('sha-red', 'red.png', async () => red, new AbortController().signal)).toBe(
      'showcase/red.png',
    );
    expect(uploadsSoFar() - before).toBe(2);
  });

  it('lets a cancelled job stop waiting while the others get the upload', async () => {
    const uploads = new ComfyUploads(client);
    const before = uploadsSoFar();
    const bytes = await png('#0c0');
    let release: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cancelled = new AbortController();
    const first = uploads.once(
      'sha-green',
      'green.png',
      async () => {
        await ready;
        return bytes;
      },
      cancelled.signal,
    );
    const second = uploads.once('sha-green', 'green.png', async () => bytes, new AbortController().signal);
    cancelled.abort();
    await expect(first).rejects.toMatchObject({ code: 'interrupted' });
    release();
    expect(await second).toBe('showcase/green.png');
    expect(uploadsSoFar() - before).toBe(1);
  });

  it('forgets a failed upload, so the next job uploads again', async () => {
    const uploads = new ComfyUploads(client);
    const bytes = await png('#cc0');
    sim.faults.httpError('/upload/image', 1);
    const failed = await uploads
      .once('sha-yellow', 'yellow.png', async () => bytes, new AbortController().signal)
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ShowcaseError);
    const before = uploadsSoFar();
    expect(
      await uploads.once('sha-yellow', 'yellow.png', async () => bytes, new AbortController().signal),
    ).toBe('showcase/yellow.png');
    expect(uploadsSoFar() - before).toBe(1);
  });
});
