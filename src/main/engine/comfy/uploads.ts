// The images a ComfyUI server already holds: one upload per server and content hash. The jobs that
// need an image start together (the four variations of a hero; the hero and lifestyle restyled from
// one photo) and share it: a second upload with `overwrite` would rewrite the file while the first
// prompt's LoadImage reads it (an empty image).
import { abortedBy, raceAbort } from '../../../shared/index.ts';
import type { ComfyClient } from './client.ts';

/** The subfolder of ComfyUI's `input/` the studio uploads into. */
export const UPLOAD_SUBFOLDER = 'showcase';

export class ComfyUploads {
  readonly #client: Pick<ComfyClient, 'uploadImage'>;
  /** Uploads done or under way, by content hash → the name to use in LoadImage. */
  readonly #byHash = new Map<string, Promise<string>>();

  constructor(client: Pick<ComfyClient, 'uploadImage'>) {
    this.#client = client;
  }

  /**
   * The LoadImage name of the image with content hash `sha`, uploaded as `filename` the first time.
   * A failed upload is forgotten (the next job tries again). Shared by several jobs, so not aborted
   * with one of them: a cancelled job just stops waiting.
   */
  once(sha: string, filename: string, bytes: () => Promise<Buffer>, signal: AbortSignal): Promise<string> {
    let upload = this.#byHash.get(sha);
    if (!upload) {
      upload = (async () => {
        const uploaded = await this.#client.uploadImage(await bytes(), filename, {
          subfolder: UPLOAD_SUBFOLDER,
          overwrite: true,
        });
        return uploaded.path;
      })();
      this.#byHash.set(sha, upload);
      upload.catch(() => this.#byHash.delete(sha));
    }
    return raceAbort(upload, signal, () =>
      abortedBy(signal, 'The job was stopped while its source image uploaded'),
    );
  }
}
