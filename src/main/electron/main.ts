// The desktop shell: the only module that imports 'electron'. It composes the tested plain modules:
//
//   renderer (sandboxed, contextIsolation)           main process                    engine host
//   window.showcase.invoke(m, input) ──IPC──▶ ipcMain.handle('showcase:<m>') ──port──▶ utilityProcess
//     preload (out/preload/index.cjs)          dispatch(): input schema            Engine + SQLite
//                                              EngineConnection.call()             { id, method, input }
//                                              output schema, settings redaction   { id, result|error }
//   window.showcase.onEvent(fn) ◀──'showcase:event'── event schema ◀──────────────── { event, payload }
//
// Pages load from `showcase://app` (out/renderer) and gallery files from `showcase-file://files`
// (the output root); both are privileged standard schemes served by app-protocol.ts.
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  type MessageBoxOptions,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  utilityProcess,
  type WebContents,
} from 'electron';
import { ENGINE_NODE_FLAGS } from '../engine/node-flags.ts';
import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  createStaticHandler,
  FILE_HOST,
  FILE_SCHEME,
  GALLERY_FILE_CSP,
  galleryFilePath,
  privilegedSchemes,
} from './app-protocol.ts';
import { createCspListener, desktopCsp, devCsp } from './csp.ts';
import { createRemoteHandlers, type EngineChannel, EngineConnection } from './engine-client.ts';
import type { HostInit } from './engine-protocol.ts';
import { createEventRelay, registerIpcHandlers } from './ipc-bridge.ts';
import { createNavigationGuard, type NavigationActions, originOf } from './navigation.ts';
import { type SecretCipher, SecretStore } from './secret-store.ts';
import type { SecretValues } from './settings-secrets.ts';
import { createWindowOptions } from './window-options.ts';
import { captureWindowState, fitToDisplays, loadWindowState, saveWindowState } from './window-state.ts';

// Must happen before 'ready': gives showcase:// a real origin ('self' in the CSP) and secure context.
protocol.registerSchemesAsPrivileged(
  privilegedSchemes.map((s) => ({ ...s, privileges: { ...s.privileges } })),
);

const log = (line: string) => console.log(`[showcase] ${line}`);

/** `electron-vite dev` serves the renderer over HTTP and tells us where; never honoured when packaged. */
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const devOrigin = devServerUrl ? originOf(new URL(devServerUrl)) : null;
const appOrigins = devOrigin ? [APP_ORIGIN, devOrigin] : [APP_ORIGIN];
const csp = devOrigin ? devCsp(devOrigin) : desktopCsp();

function isAppUrl(raw: string): boolean {
  try {
    return appOrigins.includes(originOf(new URL(raw)));
  } catch {
    return false;
  }
}

const paths = {
  preload: join(import.meta.dirname, '../preload/index.cjs'),
  engineHost: join(import.meta.dirname, 'engine-host.js'),
  renderer: join(import.meta.dirname, '../renderer'),
};

let mainWindow: BrowserWindow | null = null;
let engine: EngineConnection | null = null;
let outputRoot = '';
let shutdownDone = false;

const cipher: SecretCipher = {
  isAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
  encrypt: (plain) => safeStorage.encryptStringAsync(plain),
  decrypt: async (sealed) => {
    const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(sealed));
    return { value: result, reencrypt: shouldReEncrypt };
  },
};

const linkActions: NavigationActions = {
  confirmExternal: async (url) => {
    const options: MessageBoxOptions = {
      type: 'question',
      buttons: ['Open in browser', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
      title: 'Open link',
      message: 'Open this address in your web browser?',
      detail: url,
    };
    const { response } = mainWindow
      ? await dialog.showMessageBox(mainWindow, options)
      : await dialog.showMessageBox(options);
    return response === 0;
  },
  openExternal: (url) => shell.openExternal(url),
  openGalleryFile: async (url) => {
    const file = await galleryFilePath(outputRoot, url);
    if (file === null) {
      log(`not a gallery file: ${url}`);
      return;
    }
    const failure = await shell.openPath(file);
    if (failure) log(`could not open ${file}: ${failure}`);
  },
  log,
};
const navigation = createNavigationGuard({ appOrigins, fileScheme: FILE_SCHEME }, linkActions);

function hardenContents(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event) => navigation.onWillNavigate(event, event.url));
  // Sub-frames (the UI has none) and redirects may never leave the app; they are not "links".
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && !isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.setWindowOpenHandler((details) => navigation.onWindowOpen(details));
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function spawnEngineHost(): EngineChannel {
  const child = utilityProcess.fork(paths.engineHost, [], {
    serviceName: 'Product Showcase Studio engine',
    execArgv: [...ENGINE_NODE_FLAGS],
    stdio: 'inherit',
  });
  // Messages wait for 'spawn' so the init message cannot race the process start.
  let spawned = false;
  const queued: unknown[] = [];
  child.once('spawn', () => {
    spawned = true;
    for (const message of queued.splice(0)) child.postMessage(message);
  });
  return {
    postMessage: (message) => {
      if (spawned) child.postMessage(message);
      else queued.push(message);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', listener),
    kill: () => {
      child.kill();
    },
  };
}

function configureSession(): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived(createCspListener(isAppUrl, csp));
  // The UI copies URLs to the clipboard; nothing else (camera, notifications, geolocation …) is granted.
  const granted = new Set<string>(['clipboard-sanitized-write']);
  ses.setPermissionRequestHandler((contents, permission, callback) => {
    callback(granted.has(permission) && isAppUrl(contents.getURL()));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => {
    return granted.has(permission) && isAppUrl(requestingOrigin);
  });
  ses.on('will-download', (event) => event.preventDefault());
  protocol.handle(
    APP_SCHEME,
    createStaticHandler({
      root: paths.renderer,
      host: APP_HOST,
      index: 'index.html',
      // Set here as well as in onHeadersReceived: custom-protocol responses are not guaranteed to
      // pass through webRequest.
      headers: { 'content-security-policy': csp },
    }),
  );
  protocol.handle(
    FILE_SCHEME,
    createStaticHandler({
      root: () => outputRoot,
      host: FILE_HOST,
      headers: { 'content-security-policy': GALLERY_FILE_CSP },
    }),
  );
}

async function startEngine(): Promise<EngineConnection> {
  const userData = app.getPath('userData');
  const appRoot = app.getAppPath();
  outputRoot = process.env.SHOWCASE_OUTPUT_DIR || join(app.getPath('documents'), 'Product Showcase Studio');
  const secretStore = new SecretStore(join(userData, 'secrets.json'), cipher, log);
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    log('no system keychain found: secrets are encrypted with a fixed key only (basic_text backend)');
  }
  const init = async (): Promise<HostInit> => {
    const sealSecrets = await secretStore.available();
    if (!sealSecrets)
      log(
        'secret encryption is not available: S3/SMTP/Postgres secrets are kept in studio.secrets.json (mode 0600) beside the database',
      );
    const secrets: SecretValues = sealSecrets ? await secretStore.load() : {};
    return {
      type: 'init',
      options: {
        dbPath: join(userData, 'studio.db'),
        outputRoot,
        templatesDir: join(appRoot, 'workflow_templates'),
        objectInfoPath: join(appRoot, 'resources', 'object_info', 'comfyui-sim.json'),
      },
      sealSecrets,
      secrets,
    };
  };
  const relay = createEventRelay({
    send: (channel, envelope) => {
      const contents = mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
      if (contents && !contents.isDestroyed()) contents.send(channel, envelope);
    },
    log,
  });
  const connection = new EngineConnection({ spawn: spawnEngineHost, init, onEvent: relay, log });
  registerIpcHandlers({
    ipcMain,
    handlers: createRemoteHandlers(connection, { persistSecrets: (values) => secretStore.save(values) }),
    isTrustedSender: isAppUrl,
    log,
  });
  await connection.start();
  return connection;
}

async function createWindow(): Promise<void> {
  const statePath = join(app.getPath('userData'), 'window-state.json');
  const saved = await loadWindowState(statePath);
  const state = fitToDisplays(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow(
    createWindowOptions({ preloadPath: paths.preload, state, dev: !app.isPackaged }),
  );
  mainWindow = win;
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  win.on('close', () => {
    saveWindowState(statePath, captureWindowState(win)).catch((err: unknown) =>
      log(`could not save the window state: ${String(err)}`),
    );
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  await win.loadURL(devServerUrl ?? APP_ENTRY_URL);
}

async function start(): Promise<void> {
  configureSession();
  try {
    engine = await startEngine();
  } catch (err) {
    dialog.showErrorBox(
      'Product Showcase Studio cannot start',
      `The engine could not open its database: ${err instanceof Error ? err.message : String(err)}`,
    );
    app.exit(1);
    return;
  }
  await createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the database; it focuses its window on 'second-instance'.
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', focusWindow);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    // Close the engine first (SQLite checkpoint, scheduler stop), then quit for real.
    if (shutdownDone || engine === null) return;
    event.preventDefault();
    const closing = engine;
    engine = null;
    closing
      .shutdown()
      .catch((err: unknown) => log(`engine shutdown failed: ${String(err)}`))
      .finally(() => {
        shutdownDone = true;
        app.quit();
      });
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      log(`startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      app.exit(1);
    });
}
