import { useCatalog } from '../state/catalog.ts';
import { useNav, type View } from '../state/nav.ts';
import { useQueue } from '../state/queue.ts';
import { useSync } from '../state/sync.ts';
import { Icon, type IconName } from '../ui/Icon.tsx';
import { SyncIndicator } from './SyncIndicator.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

const ITEMS: Array<{ view: View; label: string; icon: IconName }> = [
  { view: 'catalog', label: 'Catalog', icon: 'catalog' },
  { view: 'showcase', label: 'Showcase', icon: 'showcase' },
  { view: 'queue', label: 'Queue', icon: 'queue' },
  { view: 'team', label: 'Team', icon: 'gpu' },
  { view: 'templates', label: 'Templates', icon: 'templates' },
  { view: 'presets', label: 'Presets', icon: 'wand' },
  { view: 'publish', label: 'Publish', icon: 'publish' },
  { view: 'conflicts', label: 'Conflicts', icon: 'alert' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
];

function Badge({ view }: { view: View }) {
  const total = useCatalog((s) => (view === 'catalog' ? s.total : 0));
  const active = useQueue((s) =>
    view === 'queue' ? (s.status?.counts.running ?? 0) + (s.status?.counts.queued ?? 0) : 0,
  );
  const paused = useQueue((s) => view === 'queue' && (s.status?.paused ?? false));
  const conflicts = useSync((s) => (view === 'conflicts' ? (s.status?.conflicts ?? 0) : 0));
  if (view === 'catalog' && total > 0) return <span className="nav-badge">{total.toLocaleString()}</span>;
  if (view === 'queue' && paused) return <span className="nav-badge is-warn">Paused</span>;
  if (view === 'queue' && active > 0)
    return <span className="nav-badge is-accent">{active.toLocaleString()}</span>;
  if (view === 'conflicts' && conflicts > 0)
    return (
      <span className="nav-badge is-warn" data-testid="nav-conflicts-count">
        {conflicts.toLocaleString()}
      </span>
    );
  return null;
}

export function Sidebar() {
  const current = useNav((s) => s.view);
  const go = useNav((s) => s.go);
  return (
    <aside className="sidebar">
      <div className="brand">
        <div className="brand-mark" aria-hidden="true">
          <Icon name="sparkle" size={16} />
        </div>
        <div className="brand-text">
          <span className="brand-name">Showcase Studio</span>
          <span className="brand-sub">Product imagery &amp; copy</span>
        </div>
      </div>
      <nav aria-label="Main" className="nav">
        <ul>
          {ITEMS.map((item) => (
            <li key={item.view}>
              <button
                type="button"
                className="nav-item"
                aria-current={current === item.view ? 'page' : undefined}
                data-testid={`nav-${item.view}`}
                onClick={() => go(item.view)}
              >
                <Icon name={item.icon} size={17} />
                <span className="nav-label">{item.label}</span>
                <Badge view={item.view} />
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-foot">
        <SyncIndicator />
        <ThemeToggle />
      </div>
    </aside>
  );
}
