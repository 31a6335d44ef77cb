// What every adapter (the HTTP server, the Electron main process and its engine host, the CLI) shares
// on the main side: contract dispatch, the UI's CSP, quoting client input in errors.
export { UI_CSP } from './csp.ts';
export { dispatch, isMethodName } from './dispatch.ts';
export { quoteForError } from './quote.ts';
