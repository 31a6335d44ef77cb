import './zod-csp.ts';
import './styles/tokens.css';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { StartupError } from './app/StartupError.tsx';
import { pickBridge, setBridge } from './bridge/index.ts';
import { errorInfo } from './state/errors.ts';
import { startEvents } from './state/events.ts';
import { startNavigation } from './state/nav.ts';
import { startTheme } from './state/theme.ts';

startTheme();
const container = document.getElementById('root');
if (container) {
  const root = createRoot(container);
  try {
    const bridge = pickBridge();
    setBridge(bridge);
    document.documentElement.dataset.bridge = bridge.mode;
    startNavigation();
    startEvents(bridge);
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  } catch (err) {
    root.render(<StartupError error={errorInfo(err)} />);
  }
}
