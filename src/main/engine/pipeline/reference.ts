// The product's reference photo for the style-transfer (`edit`) family: read from a local path or a
// file:/http(s) URL, checked to be a real image, and normalised to an upright PNG before it is uploaded
// to ComfyUI (LoadImage reads PNG, JPEG and WebP alike; one format keeps the uploaded names simple).
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { type Dispatcher, getGlobalDispatcher, interceptors, request } from 'undici';
import { abortedBy, ShowcaseError } from '../../../shared/index.ts';

/** Largest reference accepted, download or file (a 24 MP JPEG is well below). */
export const MAX_REFERENCE_BYTES = 50 * 1024 * 1024;
const REFERENCE_FORMATS = new Set(['png', 'jpeg', 'webp']);
const DOWNLOAD_TIMEOUT_MS = 60_000;

let downloader: Dispatcher | undefined;
/** Shop CDNs redirect (http → https, old → new paths): follow a few hops. */
function referenceDownloader(): Dispatcher {
  downloader ??= getGlobalDispatcher().compose(interceptors.redirect({ maxRedirections: 5 }));
  return downloader;
}

function isHttpUrl(ref: string): boolean {
  return /^https?:\/\//i.test(ref);
}

/**
 * Makes a sheet's relative reference path absolute against the sheet's folder. URLs, `file:` URLs and
 * absolute paths are returned as they are.
 */
export function resolveReferencePath(ref: string, sheetDir: string): string {
  if (isHttpUrl(ref) || /^file:/i.test(ref) || isAbsolute(ref)) return ref;
  return resolve(sheetDir, ref);
}

function referenceError(productId: string, ref: string, problem: string, hint: string): ShowcaseError {
  return new ShowcaseError('invalid_input', `Product ${productId}: reference image ${ref} ${problem}`, {
    hint,
    details: { field: 'referenceImage', productId, reference: ref },
  });
}

async function readReference(productId: string, ref: string, signal: AbortSignal): Promise<Buffer> {
  if (isHttpUrl(ref)) {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(ref, {
        dispatcher: referenceDownloader(),
        signal,
        headersTimeout: DOWNLOAD_TIMEOUT_MS,
        bodyTimeout: DOWNLOAD_TIMEOUT_MS,
      });
    } catch (err) {
      if (signal.aborted) throw abortedBy(signal, 'The job was stopped while its reference image downloaded');
      // Not `backend_unreachable`: that would mark the ComfyUI lane running this job offline.
      throw new ShowcaseError(
        'backend_error',
        `Product ${productId}: reference image ${ref} could not be downloaded (${(err as Error).message})`,
        { retryable: true, cause: err, details: { field: 'referenceImage', productId, reference: ref } },
      );
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw referenceError(
        productId,
        ref,
        `answered HTTP ${response.statusCode}`,
        'Check the URL in the sheet, or save the photo next to the sheet and give its file name',
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_REFERENCE_BYTES) {
        response.body.destroy();
        throw referenceError(
          productId,
          ref,
          'is larger than 50 MB',
          'Use a smaller photo (a few MB is plenty)',
        );
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }
  if (!/^file:/i.test(ref) && !isAbsolute(ref)) {
    throw referenceError(
      productId,
      ref,
      'is a relative path, and the folder it is relative to is not known',
      'Import the sheet from a file (bin/showcase generate <sheet>) so paths resolve against its folder, or give an absolute path or a URL',
    );
  }
  const path = /^file:/i.test(ref) ? fileURLToPath(ref) : ref;
  try {
    // Size first: a mistaken column (a video, a disk image) must not be read into memory.
    const info = await stat(path);
    if (!info.isFile())
      throw referenceError(productId, ref, 'is not a file', 'Check the reference_image column of the sheet');
    if (info.size > MAX_REFERENCE_BYTES)
      throw referenceError(
        productId,
        ref,
        'is larger than 50 MB',
        'Use a smaller photo (a few MB is plenty)',
      );
    return await readFile(path);
  } catch (err) {
    if (err instanceof ShowcaseError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw referenceError(
      productId,
      ref,
      code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`,
      'Check the reference_image column of the sheet',
    );
  }
}

/**
 * The reference photo of `productId` as an upright PNG. Throws `invalid_input` (naming the product and
 * the reference) for a missing file, an HTTP error or bytes that are not a PNG/JPEG/WebP image.
 */
export async function loadReferenceImage(
  productId: string,
  ref: string,
  signal: AbortSignal,
): Promise<Buffer> {
  const bytes = await readReference(productId, ref, signal);
  let format: string | undefined;
  try {
    format = (await sharp(bytes).metadata()).format;
  } catch {
    format = undefined;
  }
  if (!format || !REFERENCE_FORMATS.has(format)) {
    throw referenceError(
      productId,
      ref,
      `is not a PNG, JPEG or WebP image${format ? ` (it is ${format})` : ''}`,
      'Export the product photo as PNG or JPEG',
    );
  }
  // `rotate()` applies the EXIF orientation, as ComfyUI's LoadImage would: the product stays upright.
  return sharp(bytes).rotate().png().toBuffer();
}
