// Shown when the Showcase view is opened without a gallery: pick one of the started showcases.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { rowStatus, useCatalog } from '../../state/catalog.ts';
import { useNav } from '../../state/nav.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { Icon } from '../../ui/Icon.tsx';
import { StatusChip } from '../../ui/StatusChip.tsx';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { Thumb } from '../catalog/Thumb.tsx';

export function GalleryPicker() {
  const items = useCatalog((s) => s.items);
  const [search, setSearch] = useState('');
  const started = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return items.filter(
      (i) =>
        i.galleryId &&
        (!needle ||
          i.product.name.toLowerCase().includes(needle) ||
          i.product.id.toLowerCase().includes(needle)),
    );
  }, [items, search]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: started.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 60,
    overscan: 8,
  });

  return (
    <section className="view" aria-labelledby="picker-title">
      <ViewHeader
        title={<span id="picker-title">Showcase</span>}
        subtitle="Pick a product to review its copy and images"
      />
      {items.every((i) => !i.galleryId) ? (
        <EmptyState icon="showcase" title="No showcases yet" testId="showcase-picker-empty">
          <p>Start products from the Catalog; each one opens here with live progress.</p>
          <p style={{ marginTop: 12 }}>
            <Button icon="catalog" onClick={() => useNav.getState().go('catalog')}>
              Go to the catalog
            </Button>
          </p>
        </EmptyState>
      ) : (
        <div className="picker">
          <label className="search picker-search">
            <Icon name="search" size={15} />
            <span className="visually-hidden">Search showcases</span>
            <input
              type="search"
              className="search-input"
              placeholder="Search showcases…"
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              data-testid="picker-search"
            />
          </label>
          <div ref={scrollRef} className="picker-scroll" data-testid="showcase-picker">
            <ul className="picker-canvas" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((row) => {
                const item = started[row.index];
                if (!item?.galleryId) return null;
                const galleryId = item.galleryId;
                return (
                  <li
                    key={galleryId}
                    className="picker-row"
                    style={{ transform: `translateY(${row.start}px)` }}
                  >
                    <button
                      type="button"
                      className="picker-button"
                      onClick={() => useNav.getState().openShowcase(galleryId)}
                      data-testid="picker-open"
                      data-gallery-id={galleryId}
                    >
                      <Thumb item={item} />
                      <span className="picker-name">
                        <strong>{item.product.name}</strong>
                        <span className="mono faint">{item.product.id}</span>
                      </span>
                      <StatusChip status={rowStatus(item)} />
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}
