// The published catalog page and index.json: composed by the gallery composer in a scratch folder, with
// every link pointing at a published object and no internal status badges.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeCatalogIndex, type GalleryDocument } from '../showcase/index.ts';

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
