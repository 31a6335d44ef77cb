// One publish as the operator asks for it: the chosen galleries (their images, channel variants, the
// public page and document), then the catalog page over every published gallery — and the studio's own
// copy of each gallery document updated with the links, so the e-mail pack, the UI and the JSON carry
// them. The links are public (a public base URL, a bucket policy or public-read objects) or presigned
// with an expiry the result states.
import { ShowcaseError } from '../../../shared/index.ts';
import { type GalleryDocument, readGalleryDocument, writeFileAtomic } from '../showcase/index.ts';
import { type ExtraFile, GalleryPublisher, type GalleryPublishResult } from './publisher.ts';
import type { S3SettingsInput } from './settings.ts';

export interface ChannelFiles {
  files: ExtraFile[];
  /** Records the published URLs (in the compliance report). */
  apply(urls: ReadonlyMap<string, string>): Promise<void>;
}

export interface PublishGalleriesOptions {
  s3: S3SettingsInput;
  outputRoot: string;
  galleries: ReadonlyArray<{ galleryId: string; jsonPath: string }>;
  /** The channel variants to publish with a gallery (none when it was never exported). */
  channelFiles?(document: GalleryDocument): Promise<ChannelFiles | null>;
  /** Called after each gallery, with the document as published (the store takes the URLs from it). */
  onGallery(result: GalleryPublishResult): void;
  /** Every gallery the public catalog lists now (the just-published ones included). */
  catalogDocuments(): Promise<GalleryDocument[]>;
  catalogTitle?: string;
  onProgress?(line: string): void;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface PublishGalleriesResult {
  results: GalleryPublishResult[];
  index: { url: string; jsonUrl: string; listed: number } | null;
  /** Why the catalog page could not be published (the galleries are, nonetheless). */
  indexError: string | null;
}

export async function publishGalleries(options: PublishGalleriesOptions): Promise<PublishGalleriesResult> {
  const publisher = new GalleryPublisher({ s3: options.s3, ...(options.now ? { now: options.now } : {}) });
  const results: GalleryPublishResult[] = [];
  try {
    const catalogHref = await publisher.catalogUrl();
    for (const target of options.galleries) {
      const document = await readGalleryDocument(target.jsonPath);
      const channels = (await options.channelFiles?.(document)) ?? null;
      const result = await publisher.publishGallery({
        outputRoot: options.outputRoot,
        document,
        catalogHref,
        extraFiles: channels?.files ?? [],
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress
          ? { onProgress: (p) => options.onProgress?.(`${p.action} ${p.key} (${p.done}/${p.total})`) }
          : {}),
      });
      // The studio's copy of the document now carries the links (remoteUrl, publishedUrl).
      await writeFileAtomic(target.jsonPath, `${JSON.stringify(result.document, null, 2)}\n`);
      if (channels) await channels.apply(new Map(result.extra.map((e) => [e.filename, e.url])));
      options.onGallery(result);
      results.push(result);
    }
    let index: PublishGalleriesResult['index'] = null;
    let indexError: string | null = null;
    try {
      const documents = await options.catalogDocuments();
      const published = await publisher.publishIndex({
        documents,
        ...(options.catalogTitle ? { title: options.catalogTitle } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      index = { url: published.url, jsonUrl: published.jsonUrl, listed: published.listed };
      options.onProgress?.(`catalog page: ${published.listed} published galleries listed`);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      indexError = err instanceof ShowcaseError ? err.message : String(err);
      options.onProgress?.(`catalog page not published: ${indexError}`);
    }
    return { results: results.map((r) => ({ ...r, indexUrl: index?.url ?? null })), index, indexError };
  } finally {
    publisher.close();
  }
}
