// Failures an operator can act on: what failed (product, image), why, and what to do — with the
// matching action (retry the image, open the showcase) right there.

import { bridge } from '../../bridge/index.ts';
import { itemForGallery, useCatalog } from '../../state/catalog.ts';
import { jobErrorInfo } from '../../state/errors.ts';
import { useLive } from '../../state/live.ts';
import { useNav } from '../../state/nav.ts';
import { useShowcase } from '../../state/showcase.ts';
import { notify, reportError } from '../../state/toasts.ts';
import { Button, IconButton } from '../../ui/Button.tsx';
import { relativeTime } from '../../ui/format.ts';
import { Icon } from '../../ui/Icon.tsx';

async function retry(assetId: string): Promise<void> {
  try {
    await bridge().call('showcase.regenerateAsset', { assetId, seed: 'same' });
    notify('info', 'Queued again with the same seed');
  } catch (err) {
    reportError('Retrying the image', err);
  }
}

export function FailureList() {
  const failures = useLive((s) => s.failures);
  const dismiss = useLive((s) => s.dismissFailure);
  const clearResolved = useLive((s) => s.clearResolved);
  const items = useCatalog((s) => s.items);
  const open = failures.filter((f) => !f.resolved);
  if (failures.length === 0) return null;
  const nameOf = (galleryId: string) => itemForGallery(items, galleryId)?.product.name ?? 'A product';

  return (
    <section className="queue-section" aria-labelledby="failures-title">
      <div className="section-head">
        <h2 id="failures-title" className="section-title">
          Problems <span className="faint tabular">{open.length}</span>
        </h2>
        {failures.length > open.length && (
          <Button size="s" variant="ghost" onClick={clearResolved}>
            Clear resolved
          </Button>
        )}
      </div>
      <ul className="failures" data-testid="queue-errors">
        {failures.map((f) => {
          const info = jobErrorInfo(f.error);
          return (
            <li
              key={f.jobId}
              className={`failure${f.resolved ? ' is-resolved' : ''}${f.willRetry ? ' is-retrying' : ''}`}
              data-testid="queue-error"
              data-job-id={f.jobId}
              data-code={info.code}
            >
              <Icon name={f.resolved ? 'check' : 'alert'} size={16} className="failure-icon" />
              <div className="failure-body">
                <p className="failure-title">
                  <strong>{nameOf(f.galleryId)}</strong> — {f.kind}{' '}
                  {f.willRetry ? 'failed, retrying automatically' : 'failed'}: {info.title}
                  {f.resolved && <span className="faint"> (resolved)</span>}
                </p>
                <p className="failure-message">{info.message}</p>
                {!f.resolved && !f.willRetry && (
                  <p className="failure-hint">
                    <strong>What to do:</strong> {info.hint}
                  </p>
                )}
              </div>
              <span className="faint failure-time">{relativeTime(f.at)}</span>
              <div className="failure-actions">
                {f.assetId && !f.resolved && !f.willRetry && (
                  <Button
                    size="s"
                    icon="refresh"
                    onClick={() => f.assetId && void retry(f.assetId)}
                    data-testid="queue-error-retry"
                  >
                    Retry
                  </Button>
                )}
                <Button
                  size="s"
                  variant="ghost"
                  onClick={() => {
                    useNav.getState().openShowcase(f.galleryId);
                    void useShowcase.getState().open(f.galleryId);
                  }}
                >
                  Open
                </Button>
                <IconButton icon="x" size="s" label="Dismiss" onClick={() => dismiss(f.jobId)} />
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
