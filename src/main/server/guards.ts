// Who may talk to the local API, and how each route proves it:
//   every request    the Host header must name this server (127.0.0.1, localhost or [::1] with our port):
//                    a page on another name that DNS-rebinds to 127.0.0.1 is refused before anything else;
//                    a browser's Origin, when sent, must be our own.
//   /api/*           `Authorization: Bearer <token>` only. A token in the query string is never read: URLs
//                    end up in logs, history and Referer headers.
//   WS /api/events   the Bearer header (scripts, n8n), or, from a browser (which cannot set headers on a
//                    WebSocket), the subprotocol pair `showcase.events` + `showcase.bearer.<base64url token>`.
//   GET /files/*     the Bearer header, or the files cookie that `POST /api/session` sets: HttpOnly,
//                    SameSite=Strict, Path=/files, named per port, and not the token itself but a value
//                    derived from it that opens nothing but read-only file GETs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BEARER_PROTOCOL_PREFIX, EVENTS_PROTOCOL, ShowcaseError } from '../../shared/index.ts';

export { EVENTS_PROTOCOL };

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AccessGuard {
  /** `host:port` values a request may name in its Host header. */
  readonly hosts: ReadonlySet<string>;
  readonly origins: ReadonlySet<string>;
  hostAllowed(req: IncomingMessage): boolean;
  originAllowed(req: IncomingMessage): boolean;
  bearer(req: IncomingMessage): boolean;
  /** The Bearer header or the subprotocol token of a WebSocket upgrade. */
  eventsAuthorized(req: IncomingMessage): boolean;
  /** The Bearer header or the files cookie. */
  filesAuthorized(req: IncomingMessage): boolean;
  /** The `Set-Cookie` value `POST /api/session` answers with. */
  filesCookie(): string;
}

export function createAccessGuard(options: { token: string; host: string; port: number }): AccessGuard {
  const { token, port } = options;
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', options.host.toLowerCase()]);
  const hosts = new Set([...names].map((name) => `${name}:${port}`));
  const origins = new Set([...hosts].map((h) => `http://${h}`));
  const cookieName = `showcase_files_${port}`;
  const cookieValue = createHmac('sha256', token).update('showcase files cookie v1').digest('base64url');

  const bearer = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization;
    return header?.startsWith('Bearer ') === true && tokensEqual(header.slice(7).trim(), token);
  };

  return {
    hosts,
    origins,
    hostAllowed: (req) => hosts.has((req.headers.host ?? '').toLowerCase()),
    originAllowed: (req) => req.headers.origin === undefined || origins.has(req.headers.origin),
    bearer,
    eventsAuthorized(req) {
      if (bearer(req)) return true;
      for (const offered of (req.headers['sec-websocket-protocol'] ?? '').split(',')) {
        const value = offered.trim();
        if (!value.startsWith(BEARER_PROTOCOL_PREFIX)) continue;
        const sent = Buffer.from(value.slice(BEARER_PROTOCOL_PREFIX.length), 'base64url').toString('utf8');
        if (tokensEqual(sent, token)) return true;
      }
      return false;
    },
    filesAuthorized(req) {
      if (bearer(req)) return true;
      const cookie = readCookie(req.headers.cookie, cookieName);
      return cookie !== undefined && tokensEqual(cookie, cookieValue);
    },
    filesCookie: () => `${cookieName}=${cookieValue}; Path=/files; HttpOnly; SameSite=Strict`,
  };
}

/** One cookie's raw value (our values are base64url: nothing to decode, nothing that can fail). */
function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `decodeURIComponent` that answers a malformed `%` escape with a 400, not a crash or a 500. */
export function decodePathPart(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ShowcaseError('invalid_input', `The ${what} in the URL has a malformed %-escape`, {
      hint: 'Encode "%" as %25.',
      details: { fields: [what] },
    });
  }
}

/** The error body for a request whose Host header does not name this server. */
export function hostRejected(guard: AccessGuard) {
  return {
    code: 'auth_failed',
    message: `This server answers only to ${[...guard.hosts].join(', ')} (the Host header names another; DNS rebinding protection)`,
    hint: 'Open the address `showcase serve` printed.',
  };
}

/** The 401 body: the only place the API answers 401 (a backend's own auth_failed is a 502). */
export function tokenRejected(url: URL) {
  return {
    code: 'auth_failed',
    message: 'Missing or wrong token',
    hint: url.searchParams.has('token')
      ? 'A token in the URL is not accepted: send "Authorization: Bearer <token>"'
      : 'Send "Authorization: Bearer <token>"',
  };
}
