import type { BackendStatus } from '../../../shared/index.ts';
import { formatBytes, relativeTime } from '../../ui/format.ts';
import { Icon } from '../../ui/Icon.tsx';

export function BackendCard({ backend: b }: { backend: BackendStatus }) {
  const total = b.vramTotal;
  const free = b.vramFree;
  const used = total !== null && free !== null ? Math.max(0, total - free) : null;
  const ratio = total && used !== null ? used / total : 0;
  const tone = ratio > 0.9 ? 'danger' : ratio > 0.7 ? 'warn' : 'ok';
  return (
    <article
      className={`backend panel${b.online ? '' : ' is-offline'}`}
      data-testid="backend-card"
      data-backend-id={b.id}
      data-online={b.online}
      aria-label={`${b.kind} backend ${b.id}`}
    >
      <header className="backend-head">
        <span className={`backend-kind kind-${b.kind}`}>
          <Icon name={b.kind === 'comfyui' ? 'gpu' : 'sparkle'} size={16} />
        </span>
        <div className="backend-titles">
          <h3 className="backend-name">{b.id}</h3>
          <p className="backend-url mono">{b.url}</p>
        </div>
        <span className={`backend-state ${b.online ? 'is-online' : 'is-offline'}`}>
          {b.online ? 'Online' : 'Offline'}
        </span>
      </header>
      <div className="backend-body">
        <div className="vram" data-testid="backend-vram" data-used={used ?? ''} data-total={total ?? ''}>
          <div className="vram-line">
            <span>VRAM</span>
            <span className="tabular">
              {total === null
                ? 'not reported'
                : `${formatBytes(used)} used · ${formatBytes(free)} free of ${formatBytes(total)}`}
            </span>
          </div>
          <meter
            className="visually-hidden"
            min={0}
            max={1}
            value={ratio}
            aria-label={`VRAM used on ${b.id}`}
          >
            {Math.round(ratio * 100)}%
          </meter>
          <div className={`vram-bar tone-${tone}`} aria-hidden="true">
            <div className="vram-fill" style={{ transform: `scaleX(${ratio})` }} />
          </div>
        </div>
        <dl className="backend-facts">
          <dt>Queue</dt>
          <dd className="tabular" data-testid="backend-queue">
            {b.queueRemaining}
          </dd>
          <dt>Loaded</dt>
          <dd className="models">
            {b.loadedModels.length === 0 ? (
              <span className="faint">nothing loaded</span>
            ) : (
              b.loadedModels.map((m) => (
                <span key={m} className="model-chip mono" title={m}>
                  {m}
                </span>
              ))
            )}
          </dd>
          <dt>Checked</dt>
          <dd>{relativeTime(b.checkedAt)}</dd>
        </dl>
        {b.error && (
          <p className="backend-error" role="status">
            <Icon name="alert" size={14} /> {b.error}
            {!b.online && (
              <span className="backend-hint">
                {' '}
                Start the server at {b.url} or correct the URL in Settings.
              </span>
            )}
          </p>
        )}
      </div>
    </article>
  );
}
