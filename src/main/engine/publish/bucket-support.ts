// What the bucket needs around its client: the presigned links' signing window and an HTTP transport
// with an idle timeout (minio has none).
import http from 'node:http';
import https from 'node:https';
import type { S3Settings } from './settings.ts';

/**
 * Presigned links are signed at the start of the current window (a quarter of their lifetime, at most
 * a day). Every publish inside one window produces the same links, so an unchanged gallery re-publishes
 * byte-identical pages and skips them, and a link handed out stays valid for at least three quarters
 * of `presignSeconds`.
 */
export function signingWindowStart(now: Date, settings: Pick<S3Settings, 'presignSeconds'>): Date {
  const windowMs = Math.min(86_400, Math.floor(settings.presignSeconds / 4)) * 1000;
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

export function expiresAt(prepared: { signedAt: Date | null }, settings: S3Settings): string | null {
  if (prepared.signedAt === null) return null;
  return new Date(prepared.signedAt.getTime() + settings.presignSeconds * 1000).toISOString();
}

/** http(s).request with an idle timeout: minio has none, and a silent server would hang a publish. */
export function timedTransport(useSSL: boolean, timeoutMs: number): Pick<typeof http, 'request'> {
  const send = useSSL ? https.request : http.request;
  const request = (options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) => {
    const req = send(options, callback);
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    return req;
  };
  return { request: request as typeof http.request };
}
