import { useEffect, useRef, useState } from 'react';
import { useNav } from '../state/nav.ts';
import { useSync } from '../state/sync.ts';
import { Button } from '../ui/Button.tsx';
import { relativeTime } from '../ui/format.ts';
import { Icon } from '../ui/Icon.tsx';

/** Always visible: Postgres sync (online, pending ops, conflicts) and the live event stream. */
export function SyncIndicator() {
  const status = useSync((s) => s.status);
  const connection = useSync((s) => s.connection);
  const syncing = useSync((s) => s.syncing);
  const syncNow = useSync((s) => s.syncNow);
  const [open, setOpen] = useState(false);
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (boxRef.current && !boxRef.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  let tone = 'neutral';
  let headline = 'Sync status unknown';
  if (status && !status.configured) headline = 'Local only';
  else if (status && !status.online) {
    tone = 'warn';
    headline = 'Offline';
  } else if (status) {
    tone = status.conflicts > 0 ? 'danger' : status.pendingOps > 0 ? 'info' : 'ok';
    headline = status.pendingOps > 0 ? 'Syncing changes' : 'Synced';
  }
  const detail = !status
    ? '—'
    : !status.configured
      ? 'No Postgres configured'
      : `${status.pendingOps.toLocaleString()} pending${status.conflicts ? ` · ${status.conflicts} conflict${status.conflicts === 1 ? '' : 's'}` : ''}`;

  return (
    <div className="sync" ref={boxRef}>
      <button
        type="button"
        className={`sync-button tone-${tone}`}
        aria-expanded={open}
        aria-controls="sync-details"
        onClick={() => setOpen(!open)}
        data-testid="sync-indicator"
        data-configured={status?.configured ?? 'unknown'}
        data-online={status?.online ?? 'unknown'}
        data-pending={status?.pendingOps ?? 0}
        data-conflicts={status?.conflicts ?? 0}
        data-connection={connection}
      >
        <span className="sync-icon">
          <Icon name={status?.configured && !status.online ? 'cloudOff' : 'cloud'} size={16} />
          <span className={`sync-dot tone-${tone}`} aria-hidden="true" />
        </span>
        <span className="sync-text">
          <span className="sync-headline">{headline}</span>
          <span className="sync-detail tabular">{detail}</span>
        </span>
        {status && status.conflicts > 0 && (
          <span className="sync-conflicts" aria-hidden="true">
            {status.conflicts}
          </span>
        )}
      </button>
      <div
        className={`live-line conn-${connection}`}
        data-testid="connection-state"
        data-state={connection}
        role="status"
      >
        <span className="live-dot" aria-hidden="true" />
        {connection === 'open'
          ? 'Live updates on'
          : connection === 'reconnecting'
            ? 'Reconnecting…'
            : 'Connecting…'}
      </div>
      {open && (
        <div className="sync-pop" id="sync-details" role="dialog" aria-label="Sync details">
          <dl className="sync-facts">
            <dt>Postgres</dt>
            <dd>
              {!status
                ? 'unknown'
                : !status.configured
                  ? 'not configured'
                  : status.online
                    ? 'online'
                    : 'offline'}
            </dd>
            <dt>Pending changes</dt>
            <dd className="tabular">{status?.pendingOps.toLocaleString() ?? '—'}</dd>
            <dt>Conflicts kept</dt>
            <dd className="tabular">{status?.conflicts ?? '—'}</dd>
            <dt>Last sync</dt>
            <dd>{status?.lastSyncAt ? relativeTime(status.lastSyncAt) : 'never'}</dd>
          </dl>
          {status?.error && <p className="sync-error">{status.error}</p>}
          {status && !status.configured && (
            <p className="muted">Add a Postgres URL in Settings to share work with your team.</p>
          )}
          <Button
            size="s"
            variant={status && status.conflicts > 0 ? 'primary' : 'secondary'}
            icon="alert"
            onClick={() => {
              setOpen(false);
              useNav.getState().go('conflicts');
            }}
            data-testid="sync-open-conflicts"
          >
            {status && status.conflicts > 0 ? 'Review conflicts' : 'Conflict history'}
          </Button>
          <Button
            size="s"
            icon="refresh"
            busy={syncing}
            disabled={!status?.configured}
            onClick={() => void syncNow()}
            data-testid="sync-now"
          >
            Sync now
          </Button>
        </div>
      )}
    </div>
  );
}
