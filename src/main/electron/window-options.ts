// The one BrowserWindow's options. Every web preference that matters for security is spelled out,
// even where it equals Electron's default, so a default changing upstream cannot loosen the window
// and the test can check the exact values.
import type { BrowserWindowConstructorOptions } from 'electron';
import { MIN_HEIGHT, MIN_WIDTH, type WindowState } from './window-state.ts';

export interface WindowOptionsInput {
  /** Absolute path of the built preload (out/preload/index.cjs). */
  preloadPath: string;
  state: WindowState;
  /** Development build: devtools allowed. */
  dev: boolean;
  backgroundColor?: string;
}

export function createWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const { state } = input;
  return {
    title: 'Product Showcase Studio',
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    // Shown on 'ready-to-show' so the first paint is the UI, not a white frame.
    show: false,
    backgroundColor: input.backgroundColor ?? '#111318',
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Dropping a sheet on the window must reach the drop zone, not navigate to file://.
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: true,
      devTools: input.dev,
    },
  };
}
