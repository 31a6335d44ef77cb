import { useEffect } from 'react';
import { useChannels } from '../../state/channels.ts';
import { useDerived } from '../../state/derived.ts';
import { useNav } from '../../state/nav.ts';
import { orderedAssets, useShowcase } from '../../state/showcase.ts';
import { slotContext } from '../../state/slot-truth.ts';
import { Spinner } from '../../ui/Button.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ChannelReport } from '../channels/ChannelBadges.tsx';
import { VersionHistory } from '../presets/VersionHistory.tsx';
import { AssetSlot } from './AssetSlot.tsx';
import { CopyEditor } from './CopyEditor.tsx';
import { GalleryPicker } from './GalleryPicker.tsx';
import { SetCard } from './SetCard.tsx';
import { ShowcaseHeader } from './ShowcaseHeader.tsx';
import { StaleBanner } from './StaleBanner.tsx';
import './showcase.css';

export function ShowcaseView() {
  const galleryId = useNav((s) => s.galleryId);
  const open = useShowcase((s) => s.open);
  const data = useShowcase((s) => (s.galleryId === galleryId ? s.data : null));
  const error = useShowcase((s) => s.error);
  const refresh = useShowcase((s) => s.refresh);
  const report = useChannels((s) => (galleryId ? s.reports[galleryId] : undefined));

  const staleIds = useDerived((s) => (s.galleryId === galleryId ? s.state?.stale : undefined));
  useEffect(() => {
    if (galleryId) void open(galleryId);
    if (galleryId) void useDerived.getState().load(galleryId);
  }, [galleryId, open]);
  useEffect(() => {
    // The compliance report of the last channel export (none before the first one).
    if (galleryId && report === undefined) void useChannels.getState().loadReport(galleryId);
  }, [galleryId, report]);

  if (!galleryId) return <GalleryPicker />;

  if (!data) {
    return (
      <section className="view showcase" aria-label="Showcase">
        <div className="showcase-loading">
          {error ? (
            <ErrorNote error={error} context="Opening the showcase" onRetry={() => void refresh()} />
          ) : (
            <Spinner label="Opening showcase…" />
          )}
        </div>
      </section>
    );
  }

  const assets = orderedAssets(data.assets);
  const context = slotContext(data.gallery, data.assets);
  return (
    <section
      className="view showcase"
      aria-labelledby="showcase-title"
      data-testid="showcase"
      data-gallery-id={data.gallery.id}
    >
      <ShowcaseHeader data={data} />
      <div className="showcase-body">
        <section className="slots" aria-label="Images">
          {error && <ErrorNote error={error} context="Refreshing" compact onRetry={() => void refresh()} />}
          <StaleBanner />
          <div className="slot-grid">
            {assets.map((asset) => (
              <AssetSlot
                key={asset.id}
                asset={asset}
                productName={data.product.name}
                galleryLocked={data.gallery.seedLocked}
                context={context}
                stale={staleIds?.some((s) => s.assetId === asset.id) ?? false}
                remote={data.locality !== undefined && data.locality !== 'local'}
              />
            ))}
            <SetCard data={data} />
          </div>
          {report && (
            <ChannelReport
              report={report}
              heroSha256={data.assets.find((a) => a.kind === 'hero')?.sha256 ?? null}
            />
          )}
          {data.gallery.copy && (
            <details className="prompt-history" data-testid="prompt-history">
              <summary>Prompt history</summary>
              <VersionHistory
                subject={{ kind: 'prompt', galleryId: data.gallery.id }}
                revision={data.gallery.updatedAt}
              />
            </details>
          )}
        </section>
        <CopyEditor />
      </div>
    </section>
  );
}
