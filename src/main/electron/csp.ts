// The window's Content-Security-Policy, derived from the served UI's (`UI_CSP`) so the two stay in
// step. Differences, all tightening or scheme adaptation:
//  - connect-src 'self' only: the desktop renderer talks to the engine over IPC, never over sockets;
//  - img-src adds the `showcase-file:` scheme that serves gallery images from the output root;
//  - frame-src/worker-src 'none': the UI has neither.
// 'self' is the app's own origin (`showcase://app`), a privileged standard scheme (app-protocol.ts).
import { UI_CSP } from '../contract/index.ts';
import { FILE_SCHEME } from './app-protocol.ts';

export type CspDirectives = Map<string, string[]>;

export function parseCsp(policy: string): CspDirectives {
  const directives: CspDirectives = new Map();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

export function serializeCsp(directives: CspDirectives): string {
  return [...directives].map(([name, values]) => [name, ...values].join(' ')).join('; ');
}

/** The policy for the packaged app's pages. */
export function desktopCsp(): string {
  const d = parseCsp(UI_CSP);
  d.set('connect-src', ["'self'"]);
  d.set('img-src', ["'self'", 'data:', 'blob:', `${FILE_SCHEME}:`]);
  d.set('frame-src', ["'none'"]);
  d.set('worker-src', ["'none'"]);
  return serializeCsp(d);
}

/**
 * Development only (`electron-vite dev`, renderer on the Vite server): Vite's React refresh preamble
 * is an inline script and HMR needs the server's WebSocket. Never used for packaged pages.
 */
export function devCsp(devServerOrigin: string): string {
  const d = parseCsp(desktopCsp());
  const ws = devServerOrigin.replace(/^http/, 'ws');
  d.set('script-src', ["'self'", "'unsafe-inline'", devServerOrigin]);
  d.set('connect-src', ["'self'", devServerOrigin, ws]);
  return serializeCsp(d);
}

export type HeaderMap = Record<string, string[] | string>;

/** `responseHeaders` with every CSP header (any casing, report-only included) replaced by `csp`. */
export function withCsp(headers: HeaderMap | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}

export interface HeadersReceivedDetails {
  url: string;
  responseHeaders?: HeaderMap;
}

/**
 * The listener for `session.webRequest.onHeadersReceived`: the app's own pages get `csp`; every
 * other response passes through untouched (the renderer loads nothing else, and what it might is
 * governed by this very policy).
 */
export function createCspListener(
  isAppUrl: (url: string) => boolean,
  csp: string,
): (details: HeadersReceivedDetails, callback: (response: { responseHeaders?: HeaderMap }) => void) => void {
  return (details, callback) => {
    if (!isAppUrl(details.url)) {
      callback({});
      return;
    }
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) });
  };
}
