import { describe, expect, it } from 'vitest';
import { createWindowOptions } from '../../../src/main/electron/window-options.ts';
import { MIN_HEIGHT, MIN_WIDTH } from '../../../src/main/electron/window-state.ts';

describe('BrowserWindow options', () => {
  const options = createWindowOptions({
    preloadPath: '/app/out/preload/index.cjs',
    state: { x: 10, y: 20, width: 1200, height: 800, maximized: false },
    dev: false,
  });

  it('has every security flag set explicitly', () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      devTools: false,
    });
    expect(options.webPreferences?.enableBlinkFeatures).toBeUndefined();
  });

  it('points at the CommonJS preload and applies the remembered bounds', () => {
    expect(options.webPreferences?.preload).toBe('/app/out/preload/index.cjs');
    expect(options).toMatchObject({ x: 10, y: 20, width: 1200, height: 800, show: false });
    expect(options.minWidth).toBe(MIN_WIDTH);
    expect(options.minHeight).toBe(MIN_HEIGHT);
  });

  it('leaves the position to Electron (centred) when none is remembered, and allows devtools in dev', () => {
    const dev = createWindowOptions({
      preloadPath: '/p.cjs',
      state: { width: 1200, height: 800, maximized: true },
      dev: true,
    });
    expect(dev).not.toHaveProperty('x');
    expect(dev).not.toHaveProperty('y');
    expect(dev.webPreferences?.devTools).toBe(true);
    expect(dev.webPreferences?.sandbox).toBe(true);
  });
});
