// How a browser authenticates the local API's event stream: a WebSocket cannot carry an Authorization
// header, and a token in the URL would end up in logs and history, so the token rides in the
// subprotocol list (`Sec-WebSocket-Protocol`) next to the protocol the server answers with. Pure
// (TextEncoder + btoa), for the renderer and the server alike.

/** The subprotocol of the event stream; the server selects it. */
export const EVENTS_PROTOCOL = 'showcase.events';
/** Prefix of the subprotocol that carries the token (base64url: only characters a subprotocol may hold). */
export const BEARER_PROTOCOL_PREFIX = 'showcase.bearer.';

function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** What a browser passes to `new WebSocket(url, protocols)` for `/api/events`. */
export function eventsProtocols(token: string): string[] {
  return [EVENTS_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${base64url(token)}`];
}
