// Derived images made from an earlier hero: said above the slots, with the operator's one click
// either way (re-render them from the new hero, or keep them as they are).
import { useDerived } from '../../state/derived.ts';
import { Button } from '../../ui/Button.tsx';
import { Icon } from '../../ui/Icon.tsx';

export function StaleBanner() {
  // The selector returns the stored array itself: a fresh `[]` per call would re-render forever.
  const stale = useDerived((s) => s.state?.stale);
  const busy = useDerived((s) => s.busy);
  if (!stale || stale.length === 0) return null;
  const names = stale.map((s) => (s.kind === 'variation' ? `variation ${s.idx}` : s.kind));
  return (
    <div className="stale-banner" role="status" data-testid="stale-banner" data-count={stale.length}>
      <Icon name="alert" size={16} />
      <p>
        <strong>
          {names.length === 1 ? '1 image was' : `${names.length} images were`} made from an earlier hero
        </strong>
        <span className="faint">
          {' '}
          — {names.join(', ')}. Publishing or e-mailing now says the set is stale.
        </span>
      </p>
      <div className="stale-actions">
        <Button
          size="s"
          variant="primary"
          icon="refresh"
          busy={busy === 'rerender'}
          disabled={busy !== null}
          onClick={() => void useDerived.getState().resolve('rerender')}
          data-testid="stale-rerender"
        >
          Re-render from the new hero
        </Button>
        <Button
          size="s"
          icon="check"
          busy={busy === 'keep'}
          disabled={busy !== null}
          onClick={() => void useDerived.getState().resolve('keep')}
          data-testid="stale-keep"
        >
          Keep these
        </Button>
      </div>
    </div>
  );
}
