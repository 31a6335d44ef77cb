// URL fields of the contract. Every adapter (HTTP, IPC, CLI flags) parses settings and callback URLs with
// these, so a `file:` or `javascript:` backend URL, or a Postgres URL sync cannot use, never gets stored.
// Messages never repeat the value: it may hold a password.
import { z } from 'zod';
import { SECRET_MASK } from './secrets.ts';

function tryUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** An `http://` or `https://` URL with a host (ComfyUI, Ollama, S3 endpoints, webhooks). */
export const HttpUrlSchema = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const url = tryUrl(value);
    if (url === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8188',
      });
    } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        message: `must be an http:// or https:// URL (not ${url.protocol.slice(0, 20)}//)`,
      });
    } else if (url.hostname === '') {
      ctx.addIssue({ code: 'custom', message: 'must name a host, e.g. http://127.0.0.1:8188' });
    }
  });

export const POSTGRES_URL_EXAMPLE = 'postgres://user:password@host:5432/database';

/**
 * A Postgres URL team sync can use: `postgres://` or `postgresql://`, parseable, the password (if any)
 * in the user-info part where it can be kept out of the database. The renderer's mask alone is
 * accepted too: it stands for "keep the current value" and is restored before anything is stored.
 */
export const PostgresUrlSchema = z
  .string()
  .max(4096)
  .superRefine((value, ctx) => {
    if (value === SECRET_MASK) return;
    const url = tryUrl(value);
    if (url === null) {
      ctx.addIssue({ code: 'custom', message: `must be a URL like ${POSTGRES_URL_EXAMPLE}` });
    } else if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      ctx.addIssue({
        code: 'custom',
        message: `must start with postgres:// or postgresql:// (like ${POSTGRES_URL_EXAMPLE})`,
      });
    } else if (url.searchParams.has('password')) {
      ctx.addIssue({
        code: 'custom',
        message: `put the password in the user part (${POSTGRES_URL_EXAMPLE}), not in ?password=`,
      });
    }
  });
