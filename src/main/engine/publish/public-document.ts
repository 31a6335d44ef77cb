// The gallery document as the public reads it next to the published page: the product, its copy,
// its images and their URLs. How the images were made — seeds, prompts, templates, parameters,
// timings, failures, the style prefix — stays in the studio's own copy of the document.
import { type GalleryDocument, GalleryDocumentSchema } from '../showcase/index.ts';

export function publicGalleryDocument(document: GalleryDocument): GalleryDocument {
  const { failed: _failed, ...status } = document.status;
  return GalleryDocumentSchema.parse({
    ...document,
    assets: document.assets
      .filter((a) => a.status === 'done')
      .map((a) => ({
        ...a,
        seed: 0,
        seedLocked: false,
        prompt: '',
        negative: undefined,
        templateId: '',
        params: {},
        error: null,
      })),
    seeds: { base: 0, locked: false },
    prompt: { prefix: '', presetId: null },
    timings: { assets: {}, totalMs: null },
    status: { ...status, failed: [] },
    copy: document.copy === null ? null : { ...document.copy, model: undefined },
  } satisfies GalleryDocument);
}
