// The window's CSP: derived from the served UI's policy, strict for packaged pages, and set on the
// app's own responses only.
import { describe, expect, it } from 'vitest';
import { UI_CSP } from '../../../src/main/contract/index.ts';
import { APP_ORIGIN } from '../../../src/main/electron/app-protocol.ts';
import { createCspListener, desktopCsp, devCsp, parseCsp, withCsp } from '../../../src/main/electron/csp.ts';

describe('desktop CSP', () => {
  const policy = parseCsp(desktopCsp());

  it('allows scripts from the app only, never eval or inline', () => {
    expect(desktopCsp()).not.toContain('unsafe-eval');
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it('blocks plugins, base rewriting, framing and form posts', () => {
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('frame-src')).toEqual(["'none'"]);
  });

  it('talks to nothing but itself (IPC carries the API) and shows gallery files and previews', () => {
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'showcase-file:']);
  });

  it('keeps every directive of the served UI policy', () => {
    for (const name of parseCsp(UI_CSP).keys()) expect(policy.has(name)).toBe(true);
  });

  it('relaxes only what the Vite dev server needs, still without eval', () => {
    const dev = parseCsp(devCsp('http://localhost:5173'));
    expect(devCsp('http://localhost:5173')).not.toContain('unsafe-eval');
    expect(dev.get('connect-src')).toEqual(["'self'", 'http://localhost:5173', 'ws://localhost:5173']);
    expect(dev.get('object-src')).toEqual(["'none'"]);
  });
});

describe('CSP header', () => {
  it('replaces any CSP header, whatever its casing, and keeps the others', () => {
    const headers = withCsp(
      {
        'content-security-policy': ['default-src *'],
        'Content-Security-Policy-Report-Only': 'default-src *',
        'Content-Type': ['text/html'],
      },
      'default-src none',
    );
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': ['default-src none'],
    });
  });

  it('is applied to the app origin only (onHeadersReceived listener)', () => {
    const isApp = (url: string) => url.startsWith(`${APP_ORIGIN}/`);
    const listener = createCspListener(isApp, 'the-policy');
    const answers: unknown[] = [];
    listener({ url: `${APP_ORIGIN}/index.html`, responseHeaders: { 'Content-Type': ['text/html'] } }, (r) =>
      answers.push(r),
    );
    listener(
      { url: 'https://cdn.example/x.js', responseHeaders: { 'Content-Type': ['text/javascript'] } },
      (r) => answers.push(r),
    );
    expect(answers).toEqual([
      { responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ['the-policy'] } },
      {},
    ]);
  });
});
