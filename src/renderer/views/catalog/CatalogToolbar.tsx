import { statusCounts, statusOrder, useCatalog } from '../../state/catalog.ts';
import { Icon } from '../../ui/Icon.tsx';
import { statusLabel } from '../../ui/StatusChip.tsx';

export function CatalogToolbar() {
  const search = useCatalog((s) => s.search);
  const status = useCatalog((s) => s.status);
  const items = useCatalog((s) => s.items);
  const setSearch = useCatalog((s) => s.setSearch);
  const setStatus = useCatalog((s) => s.setStatus);
  const counts = statusCounts(items);
  // Known statuses always show (stable layout); unknown ones the engine sends are appended.
  const extra = [...counts.keys()].filter((s) => !(statusOrder as readonly string[]).includes(s));
  const filters = ['all', ...statusOrder.filter((s) => s !== 'draft' || counts.has('draft')), ...extra];

  return (
    <div className="catalog-toolbar">
      <label className="search">
        <Icon name="search" size={15} />
        <span className="visually-hidden">Search products</span>
        <input
          type="search"
          className="search-input"
          placeholder="Search name, id, brand, category…"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          data-testid="catalog-search"
        />
      </label>
      <fieldset className="segmented status-filter" aria-label="Filter by status">
        {filters.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={status === s}
            onClick={() => setStatus(s)}
            data-testid={`catalog-filter-${s}`}
          >
            {s === 'all' ? 'All' : statusLabel(s)}
            <span className="count">
              {(s === 'all' ? items.length : (counts.get(s) ?? 0)).toLocaleString()}
            </span>
          </button>
        ))}
      </fieldset>
    </div>
  );
}
