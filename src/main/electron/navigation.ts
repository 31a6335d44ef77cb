// Where the window may go. The app is a single page: it never navigates away and never opens
// windows. Links the UI offers anyway (a published gallery URL, a generated gallery page) are
// routed outside the app: http(s) to the system browser after the operator confirms, gallery files
// to the OS's default handler. Everything else (javascript:, file:, data:, other custom schemes) is
// dropped.

export type LinkDecision =
  | { kind: 'app' }
  | { kind: 'external'; url: string }
  | { kind: 'gallery-file'; url: string }
  | { kind: 'blocked'; reason: string };

export interface NavigationPolicy {
  /** Origins of the app's own pages: `showcase://app`, plus the Vite dev server in development. */
  appOrigins: readonly string[];
  /** Scheme (without colon) of gallery files, e.g. `showcase-file`. */
  fileScheme: string;
}

/**
 * `scheme://host[:port]` of a URL. WHATWG `URL.origin` is "null" for schemes Node does not know
 * (like `showcase:`), so it is rebuilt from the parts, which are normalised for every scheme.
 */
export function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

export function classifyUrl(raw: string, policy: NavigationPolicy): LinkDecision {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'blocked', reason: 'not a URL' };
  }
  if (policy.appOrigins.includes(originOf(url))) return { kind: 'app' };
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (url.hostname === '') return { kind: 'blocked', reason: 'no host' };
    return { kind: 'external', url: url.href };
  }
  if (url.protocol === `${policy.fileScheme}:`) return { kind: 'gallery-file', url: url.href };
  return { kind: 'blocked', reason: `scheme ${url.protocol} is not allowed` };
}

export interface NavigationActions {
  /** Asks the operator (a modal dialog in the app); resolves true to proceed. */
  confirmExternal: (url: string) => Promise<boolean>;
  /** `shell.openExternal`. */
  openExternal: (url: string) => Promise<void>;
  /** Opens a gallery file with the OS's default app (`shell.openPath` on the resolved file). */
  openGalleryFile: (url: string) => Promise<void>;
  log?: (line: string) => void;
}

/** Carries out a non-app decision. Returns what was done, for logs and tests. */
export async function followLink(
  decision: LinkDecision,
  actions: NavigationActions,
): Promise<'opened-external' | 'declined' | 'opened-file' | 'ignored'> {
  switch (decision.kind) {
    case 'external': {
      if (!(await actions.confirmExternal(decision.url))) return 'declined';
      await actions.openExternal(decision.url);
      return 'opened-external';
    }
    case 'gallery-file':
      await actions.openGalleryFile(decision.url);
      return 'opened-file';
    case 'blocked':
      actions.log?.(`blocked a link: ${decision.reason}`);
      return 'ignored';
    case 'app':
      return 'ignored';
  }
}

export interface NavigationGuard {
  /** For `webContents.on('will-navigate' | 'will-redirect' | 'will-frame-navigate')`. */
  onWillNavigate(event: { preventDefault(): void }, url: string): void;
  /** For `webContents.setWindowOpenHandler`: never opens a window. */
  onWindowOpen(details: { url: string }): { action: 'deny' };
  /** Settles when every link action started so far is done (tests). */
  idle(): Promise<void>;
}

export function createNavigationGuard(policy: NavigationPolicy, actions: NavigationActions): NavigationGuard {
  const inFlight = new Set<Promise<unknown>>();
  const follow = (decision: LinkDecision) => {
    const run = followLink(decision, actions).catch((err: unknown) => {
      actions.log?.(`could not open a link: ${err instanceof Error ? err.message : String(err)}`);
    });
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };
  return {
    onWillNavigate(event, url) {
      const decision = classifyUrl(url, policy);
      // Reloads and in-app URLs stay; anything else leaves the app, if it may go anywhere.
      if (decision.kind === 'app') return;
      event.preventDefault();
      follow(decision);
    },
    onWindowOpen({ url }) {
      const decision = classifyUrl(url, policy);
      if (decision.kind !== 'app') follow(decision);
      else actions.log?.('blocked a new window for an app URL');
      return { action: 'deny' };
    },
    async idle() {
      await Promise.all([...inFlight]);
    },
  };
}
