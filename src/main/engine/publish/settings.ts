// The S3 and SMTP settings as the publisher and the mailer use them: the shapes come from the shared
// `SettingsSchema` (never re-declared here), tightened with the checks the clients would otherwise fail
// on later and less clearly (endpoint without a path, DNS-style bucket names, smtp:// URLs).
import type { z } from 'zod';
import { parseOrThrow, SettingsSchema, ShowcaseError } from '../../../shared/index.ts';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const S3SettingsSchema = SettingsSchema.shape.s3
  .unwrap()
  .unwrap()
  .superRefine((s3, ctx) => {
    const url = safeUrl(s3.endpoint);
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'must be an http:// or https:// URL' });
    }
    if (url && url.pathname !== '/' && url.pathname !== '') {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: 'must be the server root (no path); put the bucket name in "bucket"',
      });
    }
    if (url && (url.username !== '' || url.password !== '')) {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: 'must not carry credentials; use accessKey and secretKey',
      });
    }
    if (!BUCKET_NAME.test(s3.bucket) || s3.bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(s3.bucket)) {
      ctx.addIssue({
        code: 'custom',
        path: ['bucket'],
        message: 'must be a DNS-style bucket name: 3–63 lowercase letters, digits, "." and "-"',
      });
    }
  });
/** `Settings['s3']` once parsed (defaults applied). */
export type S3Settings = z.output<typeof S3SettingsSchema>;
/** What callers may pass: `Settings['s3']` as stored, defaults optional. */
export type S3SettingsInput = z.input<typeof S3SettingsSchema>;

export interface S3Endpoint {
  host: string;
  port: number;
  useSSL: boolean;
  /** `http(s)://host[:port]` without a trailing slash, for building path-style URLs. */
  origin: string;
}

export function parseS3Settings(value: unknown): S3Settings {
  if (value === null || value === undefined) {
    throw new ShowcaseError('invalid_input', 'S3 publishing is not configured', {
      hint: 'Set the S3 endpoint, bucket, access key and secret key in Settings.',
      details: { fields: ['s3'] },
    });
  }
  return parseOrThrow(S3SettingsSchema, value, 's3');
}

export function s3Endpoint(settings: S3Settings): S3Endpoint {
  const url = new URL(settings.endpoint);
  const useSSL = url.protocol === 'https:';
  const port = url.port === '' ? (useSSL ? 443 : 80) : Number(url.port);
  // URL keeps IPv6 literals in brackets; the minio client wants the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, useSSL, origin: url.origin };
}

/** The access key as it may appear in messages: enough to recognise, not the whole thing. */
export function maskAccessKey(accessKey: string): string {
  return accessKey.length <= 4 ? `${accessKey.slice(0, 1)}…` : `${accessKey.slice(0, 4)}…`;
}

export const SmtpSettingsSchema = SettingsSchema.shape.smtp
  .unwrap()
  .unwrap()
  .superRefine((smtp, ctx) => {
    const problem = smtpUrlProblem(smtp.url);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
  });
export type SmtpSettings = z.output<typeof SmtpSettingsSchema>;
export type SmtpSettingsInput = z.input<typeof SmtpSettingsSchema>;

export interface SmtpConnection {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (`smtps://`, usually port 465). */
  secure: boolean;
  /** Never upgrade with STARTTLS (`?ignoreTLS=true`): for local test servers only. */
  ignoreTLS: boolean;
  /** Refuse to send unless STARTTLS succeeds (`?requireTLS=true`). */
  requireTLS: boolean;
  auth: { user: string; pass: string } | null;
  /** The URL with the password replaced, safe for messages and logs. */
  redacted: string;
}

const SMTP_FLAGS = ['ignoreTLS', 'requireTLS'] as const;

function smtpUrlProblem(raw: string): string | null {
  const url = safeUrl(raw);
  if (!url) return 'must be a URL like smtp://host:587 or smtps://user:pass@host:465';
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return 'must start with smtp:// or smtps://';
  if (url.hostname === '') return 'must name a host';
  if (url.pathname !== '' && url.pathname !== '/') return 'must not have a path';
  for (const [key, value] of url.searchParams) {
    if (!(SMTP_FLAGS as readonly string[]).includes(key)) {
      return `unknown option "${key}" (allowed: ${SMTP_FLAGS.join(', ')})`;
    }
    if (value !== 'true' && value !== 'false') return `option "${key}" must be true or false`;
  }
  return null;
}

export function parseSmtpSettings(value: unknown): SmtpSettings {
  if (value === null || value === undefined) {
    throw new ShowcaseError('invalid_input', 'E-mail (SMTP) is not configured', {
      hint: 'Set the SMTP URL and the sender address in Settings.',
      details: { fields: ['smtp'] },
    });
  }
  return parseOrThrow(SmtpSettingsSchema, value, 'smtp');
}

export function smtpConnection(settings: SmtpSettings): SmtpConnection {
  const url = new URL(settings.url);
  const secure = url.protocol === 'smtps:';
  const port = url.port === '' ? (secure ? 465 : 587) : Number(url.port);
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const flag = (name: (typeof SMTP_FLAGS)[number]) => url.searchParams.get(name) === 'true';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const who = user === '' ? '' : `${encodeURIComponent(user)}${pass === '' ? '' : ':***'}@`;
  return {
    host,
    port,
    secure,
    ignoreTLS: flag('ignoreTLS'),
    requireTLS: flag('requireTLS'),
    auth: user === '' ? null : { user, pass },
    redacted: `${url.protocol}//${who}${url.hostname}:${port}`,
  };
}

function safeUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}
