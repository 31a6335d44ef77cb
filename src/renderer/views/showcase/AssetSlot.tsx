// One image slot: placeholder → live preview frames with a progress bar and step counter → the
// final image (cache-busted by its sha256). The box has a fixed size, so nothing moves as frames stream.
import { memo, useState } from 'react';
import type { Asset } from '../../../shared/index.ts';
import { bridge, versionedUrl } from '../../bridge/index.ts';
import { type LiveSlot, useLive, waitChip } from '../../state/live.ts';
import { useQueue } from '../../state/queue.ts';
import { slotKey, slotLabel, useShowcase } from '../../state/showcase.ts';
import { type SlotContext, slotFailure, waitingCaption } from '../../state/slot-truth.ts';
import { IconButton } from '../../ui/Button.tsx';
import { Icon, type IconName } from '../../ui/Icon.tsx';
import { ProgressBar } from '../../ui/ProgressBar.tsx';
import { StatusChip } from '../../ui/StatusChip.tsx';

const KIND_ICON: Record<Asset['kind'], IconName> = {
  hero: 'sparkle',
  lifestyle: 'showcase',
  variation: 'wand',
  thumbnail: 'catalog',
};

function stepText(asset: Asset, live: LiveSlot | undefined): string {
  if (live?.state === 'retrying') return 'Retrying…';
  // Still in a queue (ComfyUI's, the team's) or waiting for a backend: nothing is starting yet.
  if (live?.wait && live.wait.state !== 'loading-model' && asset.status !== 'done') return '';
  if (asset.status === 'running' || live?.state === 'running') {
    return live && live.max > 0 ? `${live.value} / ${live.max}` : 'Starting…';
  }
  if (asset.status === 'queued') return '';
  if (asset.status === 'pending') return '';
  if (asset.status === 'failed') return '';
  if (asset.width && asset.height) return `${asset.width} × ${asset.height}`;
  return 'Done';
}

function caption(
  asset: Asset,
  live: LiveSlot | undefined,
  previewsOff: boolean,
  ctx: SlotContext,
  studioQueued: number,
  backend: string | null,
): string {
  if (live?.wait && (asset.status === 'running' || asset.status === 'queued')) return live.wait.detail;
  if (asset.status === 'running' || live?.state === 'running') {
    const on = backend ? ` on ${backend}` : '';
    return previewsOff ? `Rendering${on}… (no live preview)` : `Rendering${on}…`;
  }
  if (asset.status === 'pending' || asset.status === 'queued')
    return waitingCaption(asset, ctx, studioQueued);
  return '';
}

interface SlotProps {
  asset: Asset;
  productName: string;
  galleryLocked: boolean;
  /** What the slot depends on (copy, hero), so its words stay true. */
  context: SlotContext;
  /** Made from an earlier hero (the operator has not re-rendered or kept it yet). */
  stale?: boolean;
  /**
   * The gallery was rendered on another workstation: its files are not here, so no local file is
   * asked for (the UI's CSP keeps remote images out; the header links the published page).
   */
  remote?: boolean;
}

export const AssetSlot = memo(function AssetSlot({
  asset,
  productName,
  galleryLocked,
  context,
  stale = false,
  remote = false,
}: SlotProps) {
  const live = useLive((s) => s.slots[asset.id]);
  const studioQueued = useQueue((s) => s.status?.counts.queued ?? 0);
  const backend = useLive((s) => (live ? (s.jobs[live.jobId]?.backend ?? null) : null));
  // The backend rendering this slot sends no preview frames: say so where the preview would be.
  const previewsOff = useLive((s) => {
    const backend = live ? s.jobs[live.jobId]?.backend : null;
    return backend ? s.previewsOff[backend] : undefined;
  });
  const lockBusy = useShowcase((s) => Boolean(s.busy[`lock:${asset.id}`]));
  const regenBusy = useShowcase((s) => Boolean(s.busy[`regen:${asset.id}`]));
  const approveBusy = useShowcase((s) => Boolean(s.busy[`approve:${asset.id}`]));
  const [loadedSrc, setLoadedSrc] = useState<string | null>(null);

  const key = slotKey(asset);
  const label = slotLabel(asset);
  const finalSrc = remote
    ? null
    : asset.sha256
      ? versionedUrl(bridge().fileUrl(asset.filename), asset.sha256)
      : null;
  const active = asset.status === 'queued' || asset.status === 'running';
  const finalShown = finalSrc !== null && loadedSrc === finalSrc;
  // The live frame stays until the final image has actually loaded, so there is no blank flash between them.
  const preview = live?.preview && (active || !finalShown) ? live.preview : null;
  const running = asset.status === 'running' || live?.state === 'running';
  const locked = asset.seedLocked || galleryLocked;
  const failure = asset.status === 'failed' ? slotFailure(asset, context) : null;
  const isThumb = asset.kind === 'thumbnail';
  const steps = stepText(asset, live);
  // While ComfyUI still queues the prompt (or its backend is down) the slot says so, not "Rendering".
  const chip = asset.status === 'running' || asset.status === 'queued' ? waitChip(live?.wait) : null;

  return (
    <article
      className={`slot slot-${asset.kind}${active ? ' is-active' : ''}${asset.approved ? ' is-approved' : ''}`}
      data-testid={`slot-${key}`}
      data-status={asset.status}
      data-asset-id={asset.id}
      data-seed={asset.seed}
      data-locked={locked}
      data-approved={asset.approved}
      data-stale={stale}
      aria-label={`${label} image`}
      aria-busy={active}
    >
      <div className="slot-media">
        <div className={`slot-placeholder${finalShown ? ' is-covered' : ''}`} aria-hidden="true">
          <Icon name={KIND_ICON[asset.kind]} size={22} />
          {!finalSrc && (
            <span className="slot-caption" title={previewsOff?.hint} data-testid="slot-caption">
              {remote && asset.status === 'done'
                ? 'On another workstation'
                : caption(asset, live, previewsOff !== undefined, context, studioQueued, backend)}
            </span>
          )}
        </div>
        {finalSrc && (
          <img
            key={finalSrc}
            className={`slot-image${finalShown ? ' is-loaded' : ''}${active ? ' is-stale' : ''}`}
            src={finalSrc}
            alt={`${label} of ${productName}`}
            decoding="async"
            onLoad={() => setLoadedSrc(finalSrc)}
            data-testid="slot-image"
            data-sha256={asset.sha256 ?? ''}
          />
        )}
        {preview && (
          <img
            className="slot-preview"
            src={preview}
            alt={`${label} preview, rendering`}
            data-testid="slot-preview"
          />
        )}
        <div className="slot-top">
          {/* A finished image speaks for itself: its chip only shows while something is happening. */}
          {asset.status === 'done' && !active ? (
            stale ? (
              <span
                className="chip chip-warn"
                data-testid="slot-stale"
                title="Made from an earlier hero image"
              >
                Stale
              </span>
            ) : (
              <span />
            )
          ) : (
            <StatusChip
              status={
                failure?.state === 'skipped'
                  ? 'skipped'
                  : live?.state === 'retrying'
                    ? 'retrying'
                    : (chip?.status ?? asset.status)
              }
              {...(chip && live?.state !== 'retrying' && failure?.state !== 'skipped'
                ? { label: chip.label }
                : {})}
            />
          )}
          <span
            className={`slot-steps tabular${steps ? '' : ' is-empty'}`}
            data-testid="slot-steps"
            data-value={live?.value ?? 0}
            data-max={live?.max ?? 0}
          >
            {running && live && live.max > 0 && <span className="step-word">Step </span>}
            {steps}
          </span>
        </div>
        {failure && (
          <div
            className={`slot-failure${failure.state === 'skipped' ? ' is-skipped' : ''}`}
            data-testid="slot-error"
            data-code={failure.code}
            data-state={failure.state}
            title={failure.cause}
          >
            <Icon name={failure.state === 'skipped' ? 'info' : 'alert'} size={16} />
            <p className="slot-failure-title">{failure.title}</p>
            <p className="slot-failure-cause" data-testid="slot-cause">
              {failure.cause}
            </p>
            <p className="slot-failure-hint">{failure.hint}</p>
          </div>
        )}
        <div className={`slot-bar${running ? ' is-visible' : ''}`}>
          <ProgressBar
            value={live?.value ?? 0}
            max={live?.max ?? 0}
            indeterminate={!live || live.max === 0}
            label={`${label} progress`}
            testId="slot-progress"
          />
        </div>
      </div>
      <footer className="slot-foot">
        <div className="slot-line">
          <h3 className="slot-label">{label}</h3>
          <IconButton
            size="s"
            icon="check"
            className="slot-approve"
            label={
              asset.approved
                ? `Withdraw approval of ${label.toLowerCase()}`
                : `Approve ${label.toLowerCase()}`
            }
            aria-pressed={asset.approved}
            busy={approveBusy}
            disabled={asset.status !== 'done'}
            onClick={() => void useShowcase.getState().approve(!asset.approved, asset.id)}
            data-testid="slot-approve"
          />
        </div>
        <div className="slot-tools">
          {!isThumb && (
            <IconButton
              size="s"
              icon={locked ? 'lock' : 'unlock'}
              label={
                galleryLocked
                  ? 'Seeds are locked for the whole showcase'
                  : asset.seedLocked
                    ? `Unlock the ${label.toLowerCase()} seed`
                    : `Lock the ${label.toLowerCase()} seed`
              }
              aria-pressed={locked}
              busy={lockBusy}
              disabled={galleryLocked}
              onClick={() => void useShowcase.getState().lockSeed(asset.id, !asset.seedLocked)}
              data-testid="slot-lock"
            />
          )}
          {isThumb ? (
            <span className="slot-seed faint">from the hero</span>
          ) : (
            <span className="slot-seed mono" data-testid="slot-seed" title={`Seed ${asset.seed}`}>
              {asset.seed}
            </span>
          )}
          <IconButton
            size="s"
            icon="refresh"
            label={`Regenerate ${label.toLowerCase()} with the same seed`}
            busy={regenBusy}
            disabled={active}
            onClick={() => void useShowcase.getState().regenerate(asset.id, 'same')}
            data-testid="slot-regenerate-same"
          />
          {!isThumb && (
            <IconButton
              size="s"
              icon="dice"
              label={
                locked
                  ? 'Unlock the seed to regenerate with a new one'
                  : `Regenerate ${label.toLowerCase()} with a new seed`
              }
              disabled={active || locked || regenBusy}
              onClick={() => void useShowcase.getState().regenerate(asset.id, 'new')}
              data-testid="slot-regenerate-new"
            />
          )}
        </div>
      </footer>
    </article>
  );
});
