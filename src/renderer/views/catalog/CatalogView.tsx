import { useRef, useState } from 'react';
import { importSheets } from '../../app/DropImport.tsx';
import { useCatalog, visibleItems } from '../../state/catalog.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { plural } from '../../ui/format.ts';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { CatalogToolbar } from './CatalogToolbar.tsx';
import { ImportReports } from './ImportReports.tsx';
import { ProductList } from './ProductList.tsx';
import { StartDialog } from './StartDialog.tsx';
import './catalog.css';

function ImportButton() {
  const input = useRef<HTMLInputElement>(null);
  const importing = useCatalog((s) => s.importing);
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".csv,.tsv,.txt,.json,text/csv,application/json"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-file-input"
        onChange={(e) => {
          importSheets(Array.from(e.currentTarget.files ?? []));
          e.currentTarget.value = '';
        }}
      />
      <Button
        icon="upload"
        busy={importing !== null}
        onClick={() => input.current?.click()}
        data-testid="import-button"
      >
        {importing ? `Importing ${importing}…` : 'Import sheet'}
      </Button>
    </>
  );
}

export function CatalogView() {
  const total = useCatalog((s) => s.total);
  const items = useCatalog((s) => s.items);
  const loaded = useCatalog((s) => s.loaded);
  const error = useCatalog((s) => s.error);
  const selected = useCatalog((s) => s.selected);
  const starting = useCatalog((s) => s.starting);
  const load = useCatalog((s) => s.load);
  const visible = useCatalog(visibleItems);
  const [confirm, setConfirm] = useState<string[] | null>(null);

  // Starting always says what will happen (and takes the operator there); the dialog picks the preset
  // and this run's render parameters.
  const startMany = (ids: string[]) => setConfirm(ids);

  return (
    <section className="view catalog" aria-labelledby="catalog-title">
      <ViewHeader
        title={<span id="catalog-title">Catalog</span>}
        subtitle={
          <span
            data-testid="catalog-count"
            data-total={total}
            data-visible={visible.length}
            data-selected={selected.size}
          >
            {plural(total, 'product')}
            {visible.length !== items.length && ` · ${visible.length.toLocaleString()} shown`}
            {selected.size > 0 && ` · ${selected.size.toLocaleString()} selected`}
            {total > items.length && ` · first ${items.length.toLocaleString()} loaded`}
          </span>
        }
      >
        <ImportButton />
        <Button
          icon="play"
          disabled={selected.size === 0}
          busy={starting}
          onClick={() => startMany([...selected])}
          data-testid="catalog-start-selected"
        >
          Start selected{selected.size > 0 ? ` (${selected.size.toLocaleString()})` : ''}
        </Button>
        <Button
          variant="primary"
          icon="sparkle"
          disabled={items.length === 0}
          busy={starting}
          onClick={() => startMany(items.map((i) => i.product.id))}
          data-testid="catalog-start-all"
        >
          Start all
        </Button>
      </ViewHeader>

      <div className="catalog-body">
        <ImportReports />
        {error && <ErrorNote error={error} context="Loading the catalog" onRetry={() => void load()} />}
        {loaded && items.length === 0 && !error ? (
          <div className="catalog-dropzone">
            <EmptyState icon="upload" title="Drop a product sheet anywhere" testId="catalog-empty">
              <p>
                A plain CSV, a Shopify product export or a JSON file. Each product gets its copy, a hero, a
                lifestyle shot, four variations and a thumbnail.
              </p>
              <div className="catalog-empty-actions">
                <ImportButton />
              </div>
            </EmptyState>
          </div>
        ) : (
          <>
            <CatalogToolbar />
            <ProductList />
          </>
        )}
      </div>

      <StartDialog productIds={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
