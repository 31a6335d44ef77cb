// The published catalog page and index.json: composed by the gallery composer in a scratch folder, with
// every link pointing at a published object and no internal status badges, and uploaded as a pair; and
// the local catalog a publish starts from when it is given no documents.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShowcaseError } from '../../../shared/index.ts';
import {
  CatalogIndexSchema,
  composeCatalogIndex,
  type GalleryDocument,
  readGalleryDocument,
  resolveInside,
} from '../showcase/index.ts';
import { sha256Hex } from './assets.ts';
import { type Bucket, CACHE_CONTROL, type Progress } from './bucket.ts';

export async function composePublicCatalog(
  documents: readonly GalleryDocument[],
  urlByFile: ReadonlyMap<string, string>,
  title: string,
): Promise<{ html: Buffer; json: Buffer }> {
  // The index is as new as its newest gallery, so an unchanged catalog re-publishes byte-identical.
  const newest = documents
    .map((d) => d.generatedAt)
    .sort()
    .at(-1);
  const temp = await mkdtemp(join(tmpdir(), 'showcase-catalog-'));
  try {
    const composed = await composeCatalogIndex({
      outputRoot: temp,
      documents,
      urlFor: (file) => urlByFile.get(file) ?? encodeURI(file),
      title,
      audience: 'public',
      ...(newest === undefined ? {} : { now: () => new Date(newest) }),
    });
    return { html: await readFile(composed.htmlPath), json: await readFile(composed.jsonPath) };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** The catalog as composed locally: its title and every gallery document `index.json` lists. */
export async function readLocalCatalog(
  outputRoot: string,
): Promise<{ title: string; documents: GalleryDocument[] }> {
  const path = resolveInside(outputRoot, 'index.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShowcaseError(
      code === 'ENOENT' ? 'not_found' : 'invalid_input',
      code === 'ENOENT' ? `No catalog index at ${path}` : `Cannot read the catalog index ${path}`,
      {
        hint: 'Compose the catalog first, or pass the gallery documents to publish.',
        details: { path },
        cause: err,
      },
    );
  }
  const parsed = CatalogIndexSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ShowcaseError('invalid_input', `The catalog index ${path} is not valid`, {
      hint: 'Compose the catalog again.',
      details: { path, fields: parsed.error.issues.map((i) => i.path.map(String).join('.')) },
    });
  }
  const documents: GalleryDocument[] = [];
  for (const entry of parsed.data.products) {
    documents.push(await readGalleryDocument(resolveInside(outputRoot, entry.json)));
  }
  return { title: parsed.data.title, documents };
}

/** Composes the public catalog page over `documents` and uploads it with `index.json`. */
export async function uploadCatalogIndex(
  bucket: Bucket,
  options: {
    documents: readonly GalleryDocument[];
    urlByFile: ReadonlyMap<string, string>;
    title: string;
    indexKeys: { html: string; json: string };
    progress: Progress;
    signal?: AbortSignal;
  },
): Promise<{ uploaded: number; skipped: number }> {
  const files = await composePublicCatalog(options.documents, options.urlByFile, options.title);
  let uploaded = 0;
  let skipped = 0;
  for (const kind of ['json', 'html'] as const) {
    const body = files[kind];
    const action = await bucket.upload(
      {
        galleryId: null,
        file: kind === 'html' ? 'index.html' : 'index.json',
        key: options.indexKeys[kind],
        sha256: sha256Hex(body),
        bytes: body.byteLength,
        contentType: kind === 'html' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
        cacheControl: CACHE_CONTROL.page,
        load: async () => body,
      },
      options.progress,
      options.signal,
    );
    if (action === 'uploaded') uploaded++;
    else skipped++;
  }
  return { uploaded, skipped };
}
