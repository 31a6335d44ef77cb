import { useEffect } from 'react';
import { useCatalog } from '../state/catalog.ts';
import { useNav, type View } from '../state/nav.ts';
import { useQueue } from '../state/queue.ts';
import { useSync } from '../state/sync.ts';
import { CatalogView } from '../views/catalog/CatalogView.tsx';
import { ConflictsView } from '../views/conflicts/ConflictsView.tsx';
import { PresetsView } from '../views/presets/PresetsView.tsx';
import { PublishView } from '../views/publish/PublishView.tsx';
import { QueueView } from '../views/queue/QueueView.tsx';
import { SettingsView } from '../views/settings/SettingsView.tsx';
import { ShowcaseView } from '../views/showcase/ShowcaseView.tsx';
import { TeamView } from '../views/team/TeamView.tsx';
import { TemplatesView } from '../views/templates/TemplatesView.tsx';
import { DropImport } from './DropImport.tsx';
import { Sidebar } from './Sidebar.tsx';
import { Toasts } from './Toasts.tsx';
import './app.css';

function CurrentView({ view }: { view: View }) {
  switch (view) {
    case 'catalog':
      return <CatalogView />;
    case 'showcase':
      return <ShowcaseView />;
    case 'queue':
      return <QueueView />;
    case 'team':
      return <TeamView />;
    case 'templates':
      return <TemplatesView />;
    case 'presets':
      return <PresetsView />;
    case 'publish':
      return <PublishView />;
    case 'conflicts':
      return <ConflictsView />;
    case 'settings':
      return <SettingsView />;
  }
}

export function App() {
  const view = useNav((s) => s.view);

  useEffect(() => {
    void useCatalog.getState().load();
    void useSync.getState().load();
    void useQueue.getState().refresh();
  }, []);

  // Moves focus to the new view's heading so keyboard and screen-reader users land in it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on purpose whenever the view changes
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>('#main .view-title');
    if (heading && document.activeElement?.closest('nav[aria-label="Main"]')) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }, [view]);

  return (
    <div className="app">
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <Sidebar />
      <main id="main" className="app-main" tabIndex={-1} data-view={view}>
        <CurrentView view={view} />
      </main>
      <DropImport />
      <Toasts />
    </div>
  );
}
