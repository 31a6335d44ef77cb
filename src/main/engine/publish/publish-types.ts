// The shapes a publish returns and takes, apart from the publisher that produces them.
import type { z } from 'zod';
import type { PublishResultSchema } from '../../../shared/index.ts';
import type { GalleryDocument } from '../showcase/index.ts';
import type { GalleryAsset, GallerySource } from './assets.ts';
import type { PublishAccess, PublishProgress } from './bucket.ts';
import type { S3SettingsInput } from './settings.ts';

export type PublishResult = z.infer<typeof PublishResultSchema>;

export interface PublishedAsset {
  kind: GalleryAsset['kind'];
  idx: number;
  filename: string;
  key: string;
  /** The URL to store on the asset row (`remoteUrl`). */
  url: string;
  sha256: string;
  bytes: number;
  /** False when the bucket already held this exact file. */
  uploaded: boolean;
}

/** A file published beside the gallery's images (a channel variant), keyed under the same prefix. */
export interface ExtraFile {
  /** Path relative to the output root, also the key under the gallery's prefix. */
  filename: string;
  sha256: string;
  bytes: number;
  contentType: string;
}

export interface GalleryPublishResult extends PublishResult {
  productId: string;
  /** `url` is the page; this is the JSON document next to it. */
  jsonUrl: string;
  /** When the presigned links stop working; null for public access. */
  expiresAt: string | null;
  /** One per finished image; failed slots are not published. */
  assets: PublishedAsset[];
  /** The document as published: assets carry `remoteUrl`, the gallery its `publishedUrl`. */
  document: GalleryDocument;
  /** The extra files (channel variants) and their URLs. */
  extra: Array<{ filename: string; url: string; uploaded: boolean }>;
}

export interface CatalogPublishResult {
  /** The catalog page. */
  url: string;
  jsonUrl: string;
  access: PublishAccess;
  /** Totals over every gallery and the two index files. */
  uploaded: number;
  skipped: number;
  expiresAt: string | null;
  galleries: GalleryPublishResult[];
}

export interface GalleryPublisherOptions {
  /** `Settings['s3']`; parsed here (a missing or invalid one raises `invalid_input`). */
  s3: S3SettingsInput | null | undefined;
  /** Requests in flight at once (default 4), shared by every gallery of a catalog publish. */
  concurrency?: number;
  requestTimeoutMs?: number;
  /** The clock for presigned links (tests pin it). */
  now?: () => Date;
}

export interface PublishCommonOptions {
  outputRoot: string;
  /** Key prefix per gallery; `{id}` becomes the product id. Default `products/{id}/`. */
  prefix?: string;
  onProgress?: (progress: PublishProgress) => void;
  signal?: AbortSignal;
}

export interface PublishGalleryOptions extends PublishCommonOptions, GallerySource {
  /** A link from the page back to the catalog (publishCatalog passes the catalog's URL). */
  catalogHref?: string;
  /** Channel variants and other files to publish with the gallery. */
  extraFiles?: readonly ExtraFile[];
}

export interface PublishCatalogOptions extends PublishCommonOptions {
  /** The galleries to publish; default: those listed in `outputRoot/index.json`. */
  documents?: readonly GalleryDocument[];
  /** Where `index.html`/`index.json` go; default: the fixed part of `prefix` (`products/`). */
  catalogPrefix?: string;
  /** The catalog page's title; default: the local index's title. */
  title?: string;
}
