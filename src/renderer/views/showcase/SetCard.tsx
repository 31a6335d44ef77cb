// The eighth cell of the grid: the set as a whole — base seed, showcase-wide lock, prompt prefix.
import type { Showcase } from '../../../shared/index.ts';
import { useShowcase } from '../../state/showcase.ts';
import { Button } from '../../ui/Button.tsx';

export function SetCard({ data }: { data: Showcase }) {
  const { gallery } = data;
  const busy = useShowcase((s) => Boolean(s.busy['lock-all']));
  const lockSeed = useShowcase((s) => s.lockSeed);
  const approved = data.assets.filter((a) => a.approved).length;
  return (
    <section className="slot set-card" aria-label="Image set" data-testid="set-card">
      <div className="set-body">
        <h3 className="set-title">Image set</h3>
        <dl className="set-facts">
          <dt>Base seed</dt>
          <dd className="mono" data-testid="showcase-base-seed">
            {gallery.baseSeed}
          </dd>
          <dt>Preset</dt>
          <dd>{gallery.presetId ?? 'none'}</dd>
          <dt>Approved</dt>
          <dd className="tabular">
            {approved} / {data.assets.length}
          </dd>
        </dl>
        {gallery.promptPrefix && (
          <p className="set-prefix" title={gallery.promptPrefix}>
            “{gallery.promptPrefix}”
          </p>
        )}
      </div>
      <footer className="slot-foot set-foot">
        <Button
          size="s"
          icon={gallery.seedLocked ? 'lock' : 'unlock'}
          aria-pressed={gallery.seedLocked}
          busy={busy}
          className={gallery.seedLocked ? 'is-on' : undefined}
          onClick={() => void lockSeed(null, !gallery.seedLocked)}
          data-testid="showcase-lock-all"
          data-locked={gallery.seedLocked}
        >
          {gallery.seedLocked ? 'All seeds locked' : 'Lock all seeds'}
        </Button>
      </footer>
    </section>
  );
}
