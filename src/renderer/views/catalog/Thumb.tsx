import { useState } from 'react';
import type { CatalogListItem } from '../../../shared/index.ts';
import { bridge } from '../../bridge/index.ts';

/** `thumbnailUrl` may be a file name under the output root (served through the bridge) or a full URL. */
export function thumbnailSrc(thumbnailUrl: string | null): string | null {
  if (!thumbnailUrl) return null;
  if (/^(https?:|data:|blob:|showcase-file:)/.test(thumbnailUrl)) return thumbnailUrl;
  return bridge().fileUrl(thumbnailUrl.replace(/^\/?files\//, ''));
}

export function Thumb({ item }: { item: CatalogListItem }) {
  const src = thumbnailSrc(item.thumbnailUrl);
  const [failed, setFailed] = useState<string | null>(null);
  const initial = item.product.name.trim().charAt(0).toUpperCase() || '?';
  return (
    <div className="thumb">
      {src && failed !== src ? (
        <img
          src={src}
          alt=""
          loading="lazy"
          decoding="async"
          width={40}
          height={40}
          onError={() => setFailed(src)}
        />
      ) : (
        <span aria-hidden="true">{initial}</span>
      )}
    </div>
  );
}
