// Dropping a sheet anywhere on the window imports it. Listens on the window itself, so the drop
// works on every view and over every element; only drags that carry files are taken.
import { useEffect, useState } from 'react';
import { useCatalog } from '../state/catalog.ts';
import { useNav } from '../state/nav.ts';
import { notify } from '../state/toasts.ts';
import { Icon } from '../ui/Icon.tsx';

const SHEET = /\.(csv|tsv|txt|json)$/i;

function hasFiles(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes('Files') ?? false;
}

export function importSheets(files: readonly File[]): void {
  const sheets = files.filter((f) => SHEET.test(f.name));
  const refused = files.filter((f) => !SHEET.test(f.name));
  if (refused.length > 0) {
    notify(
      'error',
      `Not a product sheet: ${refused.map((f) => f.name).join(', ')}`,
      'Drop a .csv (plain or Shopify export) or a .json file.',
    );
  }
  if (sheets.length === 0) return;
  useNav.getState().go('catalog');
  void useCatalog.getState().importFiles(sheets);
}

export function DropImport() {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    // dragenter/dragleave fire for every child crossed; a counter tells when the pointer left the window.
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      importSheets(Array.from(e.dataTransfer?.files ?? []));
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  return (
    <div
      className={`drop-overlay${dragging ? ' is-active' : ''}`}
      aria-hidden={!dragging}
      data-testid="drop-overlay"
      data-active={dragging}
    >
      <div className="drop-card">
        <div className="drop-icon">
          <Icon name="upload" size={30} />
        </div>
        <p className="drop-title">Drop to import products</p>
        <p className="drop-sub">CSV, Shopify product export or JSON — one showcase per product</p>
      </div>
    </div>
  );
}
