// Reading a gallery's files back for publishing and mailing. The gallery document recorded each
// image's sha256 when it was composed; a file that no longer matches was regenerated or edited since,
// and publishing it next to the old document would make the two disagree — so that is refused.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ShowcaseError } from '../../../shared/index.ts';
import {
  type GalleryDocument,
  GalleryDocumentSchema,
  readGalleryDocument,
  resolveInside,
} from '../showcase/index.ts';

export type GalleryAsset = GalleryDocument['assets'][number];

export interface GallerySource {
  /** The gallery document (e.g. from `composeGallery`); validated again here. */
  document?: GalleryDocument;
  /** Or the path of `product_{id}.json` to read it from. */
  jsonPath?: string;
}

export async function loadGalleryDocument(source: GallerySource): Promise<GalleryDocument> {
  if (source.document !== undefined) {
    const parsed = GalleryDocumentSchema.safeParse(source.document);
    if (!parsed.success) {
      throw new ShowcaseError('invalid_input', 'The gallery document is not valid', {
        hint: 'Compose the gallery again.',
        details: { fields: parsed.error.issues.map((i) => i.path.map(String).join('.')) },
      });
    }
    return parsed.data;
  }
  if (source.jsonPath !== undefined) return readGalleryDocument(source.jsonPath);
  throw new ShowcaseError('invalid_input', 'Pass either a gallery document or its jsonPath', {
    details: { fields: ['document', 'jsonPath'] },
  });
}

/** The assets that are finished images with a recorded hash: the only ones worth sending anywhere. */
export function usableAssets(document: GalleryDocument): GalleryAsset[] {
  return document.assets.filter((a) => a.status === 'done' && a.sha256 !== null && a.bytes !== null);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The file's bytes, checked against the hash the document recorded. */
export async function readAssetBytes(outputRoot: string, asset: GalleryAsset): Promise<Buffer> {
  const path = resolveInside(outputRoot, asset.filename);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShowcaseError(
      code === 'ENOENT' ? 'not_found' : 'storage_error',
      code === 'ENOENT' ? `Image file is missing: ${path}` : `Cannot read image file ${path} (${code})`,
      { hint: 'Regenerate the missing image or compose the gallery again.', details: { path }, cause: err },
    );
  }
  if (asset.sha256 !== null && sha256Hex(data) !== asset.sha256) {
    throw new ShowcaseError('conflict', `${asset.filename} changed after the gallery was composed`, {
      hint: 'Compose the gallery again so its document matches the images, then retry.',
      details: { path, expectedSha256: asset.sha256 },
    });
  }
  return data;
}

/** A file published with the gallery (a channel variant), checked against the hash it was listed with. */
export async function readExtraFile(
  outputRoot: string,
  file: { filename: string; sha256: string },
): Promise<Buffer> {
  const path = resolveInside(outputRoot, file.filename);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new ShowcaseError('not_found', `Channel file is missing: ${path}`, {
      hint: 'Export the channels again (showcase export), then publish.',
      details: { path },
      cause: err,
    });
  }
  if (sha256Hex(data) !== file.sha256) {
    throw new ShowcaseError('conflict', `${file.filename} changed after its compliance report was written`, {
      hint: 'Export the channels again so the report matches the files, then publish.',
      details: { path },
    });
  }
  return data;
}
