// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are absolutely positioned; a <table> cannot lay rows out independently, so the grid roles carry the semantics
// biome-ignore-all lint/a11y/useFocusableInteractive: row-focus grid — each row is the focus stop (roving tabindex), cells are read with it
// The virtualised product list: only the rows in view (plus a few) exist in the DOM, so 10,000
// products scroll as smoothly as ten. Keyboard: ↑/↓/PgUp/PgDn/Home/End move, Space selects,
// Shift+Space / Shift+click select a range, Enter opens the showcase (or starts one).
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useCallback, useEffect, useRef, useState } from 'react';
import type { CatalogListItem } from '../../../shared/index.ts';
import { rowStatus, useCatalog, visibleItems } from '../../state/catalog.ts';
import { useNav } from '../../state/nav.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { formatPrice } from '../../ui/format.ts';
import { StatusChip } from '../../ui/StatusChip.tsx';
import { ApprovalMark } from './ApprovalMark.tsx';
import { Thumb } from './Thumb.tsx';

const ROW_HEIGHT = 60;

interface RowProps {
  item: CatalogListItem;
  index: number;
  selected: boolean;
  active: boolean;
  top: number;
  onToggle(productId: string, index: number, shift: boolean): void;
  onOpen(item: CatalogListItem): void;
  onFocusRow(index: number): void;
}

const ProductRow = memo(function ProductRow({
  item,
  index,
  selected,
  active,
  top,
  onToggle,
  onOpen,
  onFocusRow,
}: RowProps) {
  const p = item.product;
  const status = rowStatus(item);
  const subtitle = [p.brand, p.category].filter(Boolean).join(' · ');
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={active ? 0 : -1}
      className={`product-row${selected ? ' is-selected' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="catalog-row"
      data-index={index}
      data-product-id={p.id}
      data-gallery-id={item.galleryId ?? ''}
      data-status={status}
      onFocus={(e) => {
        if (e.target === e.currentTarget) onFocusRow(index);
      }}
      onDoubleClick={() => onOpen(item)}
    >
      <div role="gridcell" className="cell cell-select">
        <input
          type="checkbox"
          className="checkbox"
          tabIndex={-1}
          checked={selected}
          aria-label={`Select ${p.name}`}
          data-testid="catalog-row-select"
          onClick={(e) => onToggle(p.id, index, e.shiftKey)}
          onChange={() => {}}
        />
      </div>
      <div role="gridcell" className="cell cell-thumb">
        <Thumb item={item} />
      </div>
      <div role="gridcell" className="cell cell-name">
        <span className="product-name">{p.name}</span>
        <span className="product-id mono">{p.id}</span>
      </div>
      <div role="gridcell" className="cell cell-meta">
        <span className="product-meta">{subtitle || '—'}</span>
        {p.colors.length > 0 && <span className="product-colors">{p.colors.slice(0, 3).join(', ')}</span>}
      </div>
      <div role="gridcell" className="cell cell-price tabular">
        {formatPrice(p.price)}
      </div>
      <div role="gridcell" className="cell cell-status">
        <StatusChip status={status} />
        <ApprovalMark item={item} />
      </div>
      <div role="gridcell" className="cell cell-actions">
        <Button
          size="s"
          tabIndex={-1}
          icon={item.galleryId ? 'showcase' : 'play'}
          onClick={() => onOpen(item)}
          data-testid="catalog-row-open"
        >
          {item.galleryId ? 'Open' : 'Start'}
        </Button>
      </div>
    </div>
  );
});

export function ProductList() {
  const items = useCatalog(visibleItems);
  const selected = useCatalog((s) => s.selected);
  const loaded = useCatalog((s) => s.loaded);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => items[i]?.product.id ?? i,
  });

  const activeIndex = Math.min(active, Math.max(0, items.length - 1));

  const onToggle = useCallback((productId: string, index: number, shift: boolean) => {
    const state = useCatalog.getState();
    const list = visibleItems(state);
    let range: string[] | null = null;
    if (shift && state.anchor) {
      const from = list.findIndex((i) => i.product.id === state.anchor);
      if (from !== -1) {
        const [a, b] = from < index ? [from, index] : [index, from];
        range = list.slice(a, b + 1).map((i) => i.product.id);
      }
    }
    state.toggle(productId, range);
    setActive(index);
  }, []);

  const onOpen = useCallback((item: CatalogListItem) => {
    if (item.galleryId) useNav.getState().openShowcase(item.galleryId);
    else void useCatalog.getState().start([item.product.id]);
  }, []);

  const onFocusRow = useCallback((index: number) => setActive(index), []);

  // After a keyboard move, focus the new active row once it is rendered.
  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`);
    if (row) {
      focusPending.current = false;
      row.focus({ preventScroll: true });
    }
  });

  const move = (to: number) => {
    const next = Math.max(0, Math.min(items.length - 1, to));
    setActive(next);
    focusPending.current = true;
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).getAttribute('role') !== 'row') return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    const item = items[activeIndex];
    switch (e.key) {
      case 'ArrowDown':
        move(activeIndex + 1);
        break;
      case 'ArrowUp':
        move(activeIndex - 1);
        break;
      case 'PageDown':
        move(activeIndex + page);
        break;
      case 'PageUp':
        move(activeIndex - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(items.length - 1);
        break;
      case ' ':
        if (item) onToggle(item.product.id, activeIndex, e.shiftKey);
        break;
      case 'Enter':
        if (item) onOpen(item);
        break;
      case 'a':
        if (!(e.ctrlKey || e.metaKey)) return;
        useCatalog.getState().setSelection(items.map((i) => i.product.id));
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const allSelected = items.length > 0 && items.every((i) => selected.has(i.product.id));
  const someSelected = !allSelected && items.some((i) => selected.has(i.product.id));

  if (loaded && items.length === 0) {
    return (
      <div className="product-table">
        <EmptyState icon="search" title="No products match" testId="catalog-no-match">
          Clear the search or pick another status.
        </EmptyState>
      </div>
    );
  }

  return (
    <div
      className="product-table"
      role="grid"
      aria-label="Products"
      aria-rowcount={items.length + 1}
      aria-multiselectable="true"
      data-testid="catalog-list"
    >
      <div role="row" aria-rowindex={1} className="product-head">
        <div role="columnheader" className="cell cell-select">
          <input
            type="checkbox"
            className="checkbox"
            checked={allSelected}
            ref={(el) => {
              if (el) el.indeterminate = someSelected;
            }}
            aria-label={allSelected ? 'Deselect all shown products' : 'Select all shown products'}
            data-testid="catalog-select-all"
            onChange={() => {
              const state = useCatalog.getState();
              if (allSelected) {
                const next = new Set(state.selected);
                for (const i of items) next.delete(i.product.id);
                state.setSelection(next);
              } else state.setSelection([...state.selected, ...items.map((i) => i.product.id)]);
            }}
          />
        </div>
        <div role="columnheader" className="cell cell-thumb" aria-label="Thumbnail" />
        <div role="columnheader" className="cell cell-name">
          Product
        </div>
        <div role="columnheader" className="cell cell-meta">
          Brand · category
        </div>
        <div role="columnheader" className="cell cell-price">
          Price
        </div>
        <div role="columnheader" className="cell cell-status">
          Status
        </div>
        <div role="columnheader" className="cell cell-actions">
          <span className="visually-hidden">Actions</span>
        </div>
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow-key navigation for the grid's rows is handled here, on their container */}
      <div ref={scrollRef} className="product-scroll" onKeyDown={onKeyDown} role="presentation">
        <div className="product-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((row) => {
            const item = items[row.index];
            if (!item) return null;
            return (
              <ProductRow
                key={row.key}
                item={item}
                index={row.index}
                top={row.start}
                selected={selected.has(item.product.id)}
                active={row.index === activeIndex}
                onToggle={onToggle}
                onOpen={onOpen}
                onFocusRow={onFocusRow}
              />
            );
          })}
        </div>
      </div>
      <p className="product-hint faint">
        {selected.size > 0
          ? `${selected.size.toLocaleString()} selected — Shift-click or Shift+Space extends the range, Ctrl+A selects all shown.`
          : 'Click a row’s box to select, Shift-click for a range, Enter or double-click to open. Arrow keys move.'}
      </p>
    </div>
  );
}
