// The reference photo of the style-transfer family: where it may come from, what it becomes, and
// the message the operator gets when it cannot be used.
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReferenceImage, resolveReferencePath } from '../../../../src/main/engine/pipeline/reference.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';

let dir: string;
let server: Server;
let base: string;
const signal = new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-reference-'));
  server = createServer((req, res) => {
    if (req.url === '/gone.png') res.writeHead(404).end('not here');
    else res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function failure(ref: string): Promise<ShowcaseError> {
  const err = await loadReferenceImage('oak-stool', ref, signal).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShowcaseError);
  return err as ShowcaseError;
}

describe('reference photos', () => {
  it('resolves sheet-relative paths and leaves absolute paths and URLs alone', () => {
    expect(resolveReferencePath('photos/a.png', '/srv/catalog')).toBe('/srv/catalog/photos/a.png');
    expect(resolveReferencePath('../shared/a.png', '/srv/catalog')).toBe('/srv/shared/a.png');
    expect(resolveReferencePath('/abs/a.png', '/srv/catalog')).toBe('/abs/a.png');
    expect(resolveReferencePath('https://cdn.example/a.png', '/srv/catalog')).toBe(
      'https://cdn.example/a.png',
    );
    expect(resolveReferencePath('file:///abs/a.png', '/srv/catalog')).toBe('file:///abs/a.png');
  });

  it('turns a JPEG with an EXIF orientation into an upright PNG (file path and file: URL alike)', async () => {
    // 40 × 20 pixels stored, "rotate 90° clockwise" in EXIF: upright it is 20 × 40.
    const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#336699' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const path = join(dir, 'sideways.jpg');
    await writeFile(path, jpeg);
    for (const ref of [path, pathToFileURL(path).href]) {
      const png = await loadReferenceImage('oak-stool', ref, signal);
      expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 20, height: 40 });
    }
  });

  it('names the product, the reference and the problem when the photo cannot be used', async () => {
    const text = join(dir, 'notes.png');
    await writeFile(text, 'not a picture');
    const huge = join(dir, 'huge.png');
    await writeFile(huge, '');
    await truncate(huge, 51 * 1024 * 1024); // sparse: its size is checked before anything is read
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.png'), /does not exist/],
      [dir, /is not a file/],
      [huge, /is larger than 50 MB/],
      [text, /is not a PNG, JPEG or WebP image/],
      ['photos/relative.png', /is a relative path/],
      [`${base}/gone.png`, /answered HTTP 404/],
    ];
    for (const [ref, problem] of cases) {
      const err = await failure(ref);
      expect(err.code, ref).toBe('invalid_input');
      expect(err.message).toContain(`Product oak-stool: reference image ${ref}`);
      expect(err.message).toMatch(problem);
      expect(err.hint).toBeTruthy();
      expect(err.details).toMatchObject({ field: 'referenceImage', productId: 'oak-stool' });
    }
  });

  it('reports an unreachable photo host as a retryable error that does not blame ComfyUI', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(`http://127.0.0.1:${port}/a.png`);
    expect(err.code).toBe('backend_error');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('could not be downloaded');
  });
});
