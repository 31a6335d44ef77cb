import type { Showcase } from '../../../shared/index.ts';
import { basename, bridge, versionedUrl } from '../../bridge/index.ts';
import { useNav } from '../../state/nav.ts';
import { useQueue } from '../../state/queue.ts';
import { useShowcase } from '../../state/showcase.ts';
import { Button, IconButton } from '../../ui/Button.tsx';
import { Icon } from '../../ui/Icon.tsx';
import { ProgressBar } from '../../ui/ProgressBar.tsx';
import { StatusChip } from '../../ui/StatusChip.tsx';

const ACTIVE = new Set(['queued', 'running']);

export function ShowcaseHeader({ data }: { data: Showcase }) {
  const { gallery, product, assets } = data;
  const busy = useShowcase((s) => s.busy);
  const approve = useShowcase((s) => s.approve);
  const cancelBusy = useQueue((s) => Boolean(s.busy[`cancel:${gallery.id}`]));
  const go = useNav((s) => s.go);
  const done = assets.filter((a) => a.status === 'done').length;
  const failed = assets.filter((a) => a.status === 'failed').length;
  const running = ACTIVE.has(gallery.status);
  const approvalBlocker = gallery.approved
    ? null
    : gallery.status === 'complete'
      ? null
      : gallery.status === 'partial'
        ? `Partial: ${assets.length - done} image(s) missing — re-render them or approve the partial set on purpose`
        : gallery.status === 'failed'
          ? 'Failed: nothing to approve until it is rendered again'
          : running
            ? 'Still rendering: approve once every image is done'
            : `Not complete (${gallery.status})`;
  // A colleague's gallery is opened from its published page; a local one from the app's files.
  const elsewhere = data.locality !== undefined && data.locality !== 'local';
  const pageFile = data.pageFile ?? (gallery.htmlPath ? basename(gallery.htmlPath) : null);
  const galleryHref = elsewhere
    ? gallery.publishedUrl
    : pageFile
      ? versionedUrl(bridge().fileUrl(pageFile), gallery.updatedAt)
      : null;

  return (
    <header className="showcase-header">
      <div className="showcase-header-main">
        <IconButton
          icon="back"
          label="Back to the catalog"
          onClick={() => go('catalog')}
          data-testid="showcase-back"
        />
        <div className="showcase-titles">
          <h1 className="view-title" id="showcase-title">
            {product.name}
          </h1>
          <p className="view-subtitle">
            <span className="mono">{product.id}</span>
            {product.brand && <> · {product.brand}</>}
            {' · '}
            {gallery.family}
            {elsewhere && (
              <span className="chip" data-testid="showcase-elsewhere">
                {data.locality === 'published'
                  ? ' · on another workstation (shown from its published files)'
                  : ' · on another workstation'}
              </span>
            )}
          </p>
        </div>
        {/* Complete with the fallback copy is not plainly complete: the LLM's answers were unusable. */}
        <StatusChip
          status={
            gallery.status === 'complete' && gallery.copy?.source === 'fallback'
              ? 'complete-fallback'
              : gallery.status
          }
          testId="showcase-status"
        />
        <div className="showcase-actions">
          {running && (
            <Button
              variant="danger"
              icon="stop"
              busy={cancelBusy}
              onClick={() => void useQueue.getState().cancel({ galleryId: gallery.id })}
              data-testid="showcase-cancel"
            >
              Cancel
            </Button>
          )}
          {galleryHref ? (
            <a
              className="btn btn-secondary btn-m"
              href={galleryHref}
              target="_blank"
              rel="noopener noreferrer"
              data-testid="showcase-open-gallery"
            >
              <Icon name="external" />
              Gallery page
            </a>
          ) : (
            <Button
              icon="external"
              disabled
              title="The gallery page is written when the images are done"
              data-testid="showcase-open-gallery"
            >
              Gallery page
            </Button>
          )}
          {!gallery.approved && gallery.status === 'partial' && (
            <Button
              icon="star"
              busy={Boolean(busy.approve)}
              title={`Approve although ${assets.length - done} image(s) are missing`}
              onClick={() => void approve(true, undefined, true)}
              data-testid="showcase-approve-partial"
            >
              Approve partial set
            </Button>
          )}
          <Button
            variant={gallery.approved ? 'secondary' : 'primary'}
            icon={gallery.approved ? 'check' : 'star'}
            busy={Boolean(busy.approve)}
            aria-pressed={gallery.approved}
            className={gallery.approved ? 'is-approved' : undefined}
            // Approval is a gate: only a complete set (withdrawing is always possible).
            disabled={!gallery.approved && gallery.status !== 'complete'}
            title={approvalBlocker ?? undefined}
            aria-describedby={approvalBlocker ? 'approve-blocker' : undefined}
            onClick={() => void approve(!gallery.approved)}
            data-testid="showcase-approve"
            data-approved={gallery.approved}
          >
            {gallery.approved ? 'Approved' : 'Approve'}
          </Button>
        </div>
      </div>
      <div
        className="showcase-progress"
        data-testid="showcase-progress"
        data-done={done}
        data-total={assets.length}
      >
        <ProgressBar
          value={done}
          max={assets.length}
          label="Images finished"
          tone={failed ? 'warn' : done === assets.length ? 'ok' : 'accent'}
        />
        <span className="tabular">
          {done} of {assets.length} images
          {failed > 0 && <span className="showcase-failed"> · {failed} failed</span>}
        </span>
        {approvalBlocker && (
          <span className="approve-blocker faint" id="approve-blocker" data-testid="approve-blocker">
            {approvalBlocker}
          </span>
        )}
        {gallery.error && (
          <span className="showcase-error" title={gallery.error}>
            {gallery.error}
          </span>
        )}
      </div>
    </header>
  );
}
