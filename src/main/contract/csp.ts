// The UI's Content-Security-Policy: the HTTP server sends it with the served UI, and the desktop
// window's policy is derived from it (electron/csp.ts), so the two stay in step.

/** Strict CSP for the UI: same-origin scripts and connections only. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* http://127.0.0.1:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
