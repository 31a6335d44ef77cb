// Names a render leaves on a ComfyUI server, and fetching its image back.
//
// - The SaveImage prefix is unique to the job and its attempt. ComfyUI caches identical graphs:
//   submitting the same graph again replays the cached outputs — the old file names — without
//   writing anything, and when that file was deleted meanwhile `/view` 404s forever. A unique prefix
//   makes the SaveImage node differ, so it runs again (the sampler above it may still come from the
//   cache: same seed, same pixels) and writes a file that exists. The seed is never touched.
// - An uploaded source image (the hero for variations and the thumbnail) is named after its content
//   hash: two runs on one server — or two versions of a hero — never share an upload name, so no run
//   renders from another run's hero.
// - `/view` is retried on its own for transient errors (the image is downloaded again, not rendered
//   again); a 404 means the file is gone and the job renders again under a new prefix.
import { basename } from 'node:path';
import { ShowcaseError, toShowcaseError } from '../../../shared/index.ts';
import type { ComfyImageRef } from '../comfy/index.ts';
import { classifyFault } from '../jobs/index.ts';
import type { ComfyBackend } from './backends.ts';

export function renderPrefix(productId: string, slot: string, jobId: string, attempt: number): string {
  return `showcase/${productId}_${slot}_${jobId.slice(0, 8)}-${Math.max(1, attempt)}`;
}

export function uploadName(filename: string, sha256: string): string {
  const stem = basename(filename).replace(/\.png$/i, '');
  return `${stem}_${sha256.slice(0, 12)}.png`;
}

const DOWNLOAD_TRIES = 4;

export async function downloadImage(
  backend: ComfyBackend,
  image: ComfyImageRef,
  signal: AbortSignal,
): Promise<Uint8Array> {
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await backend.client.download(image, { signal });
    } catch (raw) {
      const error = toShowcaseError(raw);
      if (error.details?.status === 404) {
        throw new ShowcaseError(
          'backend_error',
          `ComfyUI at ${backend.url} no longer has ${image.subfolder ? `${image.subfolder}/` : ''}${image.filename} (deleted from its output folder?): rendering it again`,
          { details: { ...error.details, reason: 'output_missing' }, retryable: true, cause: error },
        );
      }
      const fault = classifyFault(error);
      if (attempt >= DOWNLOAD_TRIES || (fault !== 'transient' && fault !== 'backend_down')) throw error;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      if (signal.aborted) throw error;
      delay *= 2;
    }
  }
}
