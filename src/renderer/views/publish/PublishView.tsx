import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogListItem } from '../../../shared/index.ts';
import { rowStatus, useCatalog } from '../../state/catalog.ts';
import { type ChannelBadge, useChannels } from '../../state/channels.ts';
import { useNav } from '../../state/nav.ts';
import { type PublishEntry, usePublish } from '../../state/publish.ts';
import { useSettings } from '../../state/settings.ts';
import { Button } from '../../ui/Button.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { Icon } from '../../ui/Icon.tsx';
import { ProgressBar } from '../../ui/ProgressBar.tsx';
import { StatusChip } from '../../ui/StatusChip.tsx';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { ApprovalMark } from '../catalog/ApprovalMark.tsx';
import { Thumb } from '../catalog/Thumb.tsx';
import { ChannelChips } from '../channels/ChannelBadges.tsx';
import { ChannelDialog } from '../channels/ChannelDialog.tsx';
import { EmailDialog } from './EmailDialog.tsx';
import './publish.css';

const FINISHED = new Set(['complete', 'partial']);
/** Ready to publish means approved (a partial set only when it was approved as partial on purpose). */
const isReady = (item: CatalogListItem) => item.approved && FINISHED.has(rowStatus(item));

const PublishRow = memo(function PublishRow({
  item,
  entry,
  channels,
  selected,
  top,
  onEmail,
}: {
  item: CatalogListItem;
  entry: PublishEntry | undefined;
  channels: ChannelBadge[] | undefined;
  selected: boolean;
  top: number;
  onEmail(galleryId: string, name: string): void;
}) {
  const galleryId = item.galleryId ?? '';
  const status = rowStatus(item);
  const ready = isReady(item);
  const url = entry?.result?.url ?? null;
  return (
    <li
      className={`publish-row${selected ? ' is-selected' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="publish-row"
      data-gallery-id={galleryId}
      data-state={entry?.state ?? 'idle'}
    >
      <input
        type="checkbox"
        className="checkbox"
        checked={selected}
        disabled={!ready}
        aria-label={`Select ${item.product.name} for publishing`}
        onChange={() => usePublish.getState().toggle(galleryId)}
        data-testid="publish-select"
      />
      <Thumb item={item} />
      <div className="publish-name">
        <button
          type="button"
          className="link-button"
          onClick={() => useNav.getState().openShowcase(galleryId)}
        >
          {item.product.name}
        </button>
        <span className="mono faint">{item.product.id}</span>
        {channels && <ChannelChips badges={channels} />}
      </div>
      <span className="cell-status publish-status">
        <StatusChip status={status} />
        <ApprovalMark item={item} />
      </span>
      <div className="publish-result" aria-live="polite">
        {entry?.state === 'waiting' && <span className="faint">Waiting…</span>}
        {entry?.state === 'publishing' && (
          <ProgressBar value={0} max={0} indeterminate label={`Publishing ${item.product.name}`} />
        )}
        {entry?.state === 'failed' && entry.error && (
          <div
            className="publish-failed"
            role="alert"
            data-testid="publish-error"
            data-code={entry.error.code}
            title={`${entry.error.message}\n${entry.error.hint}`}
          >
            <Icon name="alert" size={14} />
            <span className="publish-failed-text">
              <span className="publish-failed-line">
                <strong>{entry.error.title}:</strong> {entry.error.message}
              </span>
              <span className="publish-failed-line publish-failed-hint">{entry.error.hint}</span>
            </span>
          </div>
        )}
        {url && entry?.state !== 'publishing' && (
          <div className="publish-url">
            <a
              href={url}
              target="_blank"
              rel="noopener noreferrer"
              className="mono"
              data-testid="publish-url"
              title={url}
            >
              {url}
            </a>
            <CopyButton text={url} label="Copy URL" testId="publish-copy-url" />
            {entry?.result && (
              <span
                className={`faint publish-stats${entry.result.access === 'presigned' ? ' is-presigned' : ''}`}
                data-testid="publish-access"
              >
                {entry.result.access === 'presigned'
                  ? `presigned link, expires ${entry.result.expiresAt ? new Date(entry.result.expiresAt).toLocaleDateString() : 'soon'}`
                  : 'public link'}{' '}
                · {entry.result.uploaded} up, {entry.result.skipped} unchanged
              </span>
            )}
          </div>
        )}
        {entry?.result?.warning && (
          <span className="publish-warning" role="status" data-testid="publish-warning">
            <Icon name="alert" size={14} /> {entry.result.warning}
          </span>
        )}
        {!entry && !ready && (
          <span className="faint" data-testid="publish-not-ready">
            {FINISHED.has(status) ? 'Approve it in the Showcase view first' : 'Finish the images first'}
          </span>
        )}
      </div>
      <div className="publish-actions">
        <Button
          size="s"
          icon="mail"
          disabled={!ready}
          onClick={() => onEmail(galleryId, item.product.name)}
          data-testid="email-open"
        >
          E-mail
        </Button>
        <Button
          size="s"
          variant={url ? 'secondary' : 'primary'}
          icon="publish"
          disabled={!ready}
          busy={entry?.state === 'publishing' || entry?.state === 'waiting'}
          onClick={() => void usePublish.getState().publish([galleryId])}
          data-testid="publish-button"
        >
          {url ? 'Republish' : 'Publish'}
        </Button>
      </div>
    </li>
  );
});

export function PublishView() {
  const items = useCatalog((s) => s.items);
  const entries = usePublish((s) => s.entries);
  const selected = usePublish((s) => s.selected);
  const batch = usePublish((s) => s.batch);
  const settings = useSettings((s) => s.settings);
  const [email, setEmail] = useState<{ galleryId: string; name: string } | null>(null);
  const [channelTargets, setChannelTargets] = useState<string[] | null>(null);
  const channelBadges = useChannels((s) => s.badges);
  const [onlyReady, setOnlyReady] = useState(true);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!useSettings.getState().settings) void useSettings.getState().load();
  }, []);

  const galleries = useMemo(
    () => items.filter((i) => i.galleryId && (!onlyReady || isReady(i))),
    [items, onlyReady],
  );
  const readyIds = galleries.filter(isReady).map((i) => i.galleryId ?? '');
  const chosen = [...selected].filter((id) => readyIds.includes(id));
  const virtualizer = useVirtualizer({
    count: galleries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 68,
    overscan: 8,
  });
  const onEmail = useMemo(() => (galleryId: string, name: string) => setEmail({ galleryId, name }), []);

  return (
    <section className="view publish" aria-labelledby="publish-title">
      <ViewHeader
        title={<span id="publish-title">Publish</span>}
        subtitle="Upload finished galleries to S3 and share the link"
      >
        <Button
          variant="ghost"
          onClick={() =>
            usePublish.getState().setSelection(chosen.length === readyIds.length ? [] : readyIds)
          }
          disabled={readyIds.length === 0}
          data-testid="publish-select-all"
        >
          {chosen.length === readyIds.length && readyIds.length > 0 ? 'Select none' : 'Select all ready'}
        </Button>
        <Button
          icon="wand"
          disabled={chosen.length === 0}
          onClick={() => setChannelTargets(chosen)}
          data-testid="channels-open"
        >
          Export for channels…
        </Button>
        <Button
          icon="file"
          disabled={chosen.length === 0}
          onClick={() => void useChannels.getState().downloadShopify(chosen)}
          data-testid="shopify-csv"
        >
          Shopify CSV
        </Button>
        <Button
          variant="primary"
          icon="publish"
          disabled={chosen.length === 0}
          busy={batch !== null}
          onClick={() => void usePublish.getState().publish(chosen)}
          data-testid="publish-selected"
        >
          Publish selected{chosen.length ? ` (${chosen.length})` : ''}
        </Button>
      </ViewHeader>
      <div className="publish-body">
        {settings && settings.s3 === null && (
          <div className="notice" role="status" data-testid="publish-s3-missing">
            <Icon name="info" size={16} />
            <p>
              S3 is not configured yet, so publishing will fail.{' '}
              <button type="button" className="link-button" onClick={() => useNav.getState().go('settings')}>
                Add the bucket in Settings
              </button>
              .
            </p>
          </div>
        )}
        {batch && (
          <div
            className="batch"
            data-testid="publish-progress"
            data-done={batch.done}
            data-total={batch.total}
          >
            <span className="tabular">
              Publishing {Math.min(batch.done + 1, batch.total)} of {batch.total}
              {batch.failed > 0 && ` · ${batch.failed} failed`}
            </span>
            <ProgressBar
              value={batch.done}
              max={batch.total}
              label="Publishing progress"
              tone={batch.failed ? 'warn' : 'accent'}
            />
          </div>
        )}
        <label className="only-ready">
          <input
            type="checkbox"
            className="checkbox"
            checked={onlyReady}
            onChange={(e) => setOnlyReady(e.currentTarget.checked)}
          />
          Only approved galleries (ready to publish)
        </label>
        {galleries.length === 0 ? (
          <EmptyState icon="publish" title="Nothing ready to publish" testId="publish-empty">
            {onlyReady
              ? 'Approved showcases appear here. Approve a complete showcase in the Showcase view, or untick the box to see every finished one.'
              : 'Finished showcases appear here. Start products in the Catalog and approve them in the Showcase view.'}
          </EmptyState>
        ) : (
          <div ref={scrollRef} className="publish-scroll">
            <ul
              className="publish-canvas"
              style={{ height: virtualizer.getTotalSize() }}
              aria-label="Galleries"
            >
              {virtualizer.getVirtualItems().map((row) => {
                const item = galleries[row.index];
                if (!item?.galleryId) return null;
                return (
                  <PublishRow
                    key={item.galleryId}
                    item={item}
                    entry={entries[item.galleryId]}
                    channels={channelBadges[item.galleryId]}
                    selected={selected.has(item.galleryId)}
                    top={row.start}
                    onEmail={onEmail}
                  />
                );
              })}
            </ul>
          </div>
        )}
      </div>
      <EmailDialog target={email} onClose={() => setEmail(null)} />
      <ChannelDialog galleryIds={channelTargets} onClose={() => setChannelTargets(null)} />
    </section>
  );
}
