// Secrets in settings: what the API shows instead of them, and how a masked value the renderer echoes
// back is restored. Pure (URL only), so the engine, the Electron shell and the renderer share it.
import { z } from 'zod';
import type { Settings, SettingsPatch } from './domain.ts';

/** What `settings.get` shows for a secret; the renderer sends it back for a secret it never saw. */
export const SECRET_MASK = '********';

type SealableUrl = { kind: 'url'; url: URL } | { kind: 'opaque' };

export function parseSettingUrl(value: string): SealableUrl {
  try {
    return { kind: 'url', url: new URL(value) };
  } catch {
    // A libpq keyword string (`host=… password=…`) or anything else we cannot take apart.
    return { kind: 'opaque' };
  }
}

/** True when the value carries a secret: a URL with a password, or a string we cannot parse. */
export function urlHasSecret(value: string): boolean {
  const parsed = parseSettingUrl(value);
  return parsed.kind === 'opaque' || parsed.url.password !== '';
}

/** The value with its secret replaced by `placeholder`: the password of a URL, or all of an opaque string. */
export function replaceUrlSecret(value: string, placeholder: string): string {
  const parsed = parseSettingUrl(value);
  if (parsed.kind === 'opaque') return placeholder;
  if (parsed.url.password === '') return value;
  parsed.url.password = placeholder;
  return parsed.url.toString();
}

/**
 * Puts back what the renderer could not know: it echoes `SECRET_MASK` for a secret it was never shown.
 * `current` is the clear value the engine uses now (null when there is none).
 */
export function restoreMaskedUrl(incoming: string, current: string | null): string {
  if (current === null) return incoming;
  if (incoming === SECRET_MASK) return current;
  const parsed = parseSettingUrl(incoming);
  if (parsed.kind === 'opaque' || parsed.url.password !== SECRET_MASK) return incoming;
  const old = parseSettingUrl(current);
  if (old.kind === 'opaque' || old.url.password === '') return incoming;
  // The operator kept the masked password but may have changed host, user or database.
  parsed.url.password = old.url.password;
  return parsed.url.toString();
}

/** Current clear values of the secret-bearing settings (what `Engine.settings()` returns). */
export type ClearSecretSettings = Pick<Settings, 's3' | 'smtp' | 'postgresUrl'>;

/** Replaces masks in a settings patch with the current clear values. */
export function restoreMaskedPatch(patch: SettingsPatch, current: ClearSecretSettings): SettingsPatch {
  const out: SettingsPatch = { ...patch };
  if (out.s3 && out.s3.secretKey === SECRET_MASK && current.s3) {
    out.s3 = { ...out.s3, secretKey: current.s3.secretKey };
  }
  if (out.smtp) out.smtp = { ...out.smtp, url: restoreMaskedUrl(out.smtp.url, current.smtp?.url ?? null) };
  if (typeof out.postgresUrl === 'string') {
    out.postgresUrl = restoreMaskedUrl(out.postgresUrl, current.postgresUrl);
  }
  return out;
}

/**
 * Last line of defence before a settings object reaches the renderer: the S3 secret key, URL
 * passwords and unparseable connection strings are masked whatever the engine returned.
 */
export function redactSettings(settings: Settings): Settings {
  const mask = (value: string) => (urlHasSecret(value) ? replaceUrlSecret(value, SECRET_MASK) : value);
  return {
    ...settings,
    s3: settings.s3 ? { ...settings.s3, secretKey: SECRET_MASK } : null,
    smtp: settings.smtp ? { ...settings.smtp, url: mask(settings.smtp.url) } : null,
    postgresUrl: settings.postgresUrl === null ? null : mask(settings.postgresUrl),
  };
}

// -- Sealed secrets ------------------------------------------------------------------------------
// Where a secret is kept out of SQLite (the 0600 secrets file beside the database, or the desktop
// app's OS keychain), the database stores its setting with the secret replaced by `SEALED`.

/** What the database stores in place of a sealed secret. URL-safe: no character needs escaping in userinfo. */
export const SEALED = '__sealed__';

export const secretNames = ['s3.secretKey', 'smtp.url', 'postgresUrl'] as const;
export type SecretName = (typeof secretNames)[number];

/** Clear secret values by name. `smtp.url` and `postgresUrl` hold the whole clear URL. */
export const SecretValuesSchema = z
  .object({
    's3.secretKey': z.string().min(1),
    'smtp.url': z.string().min(1),
    postgresUrl: z.string().min(1),
  })
  .partial();
export type SecretValues = z.infer<typeof SecretValuesSchema>;

/**
 * The clear values for what the database holds sealed. A secret is applied only while the stored value
 * is exactly its sealed form, so a stale secret never lands on a setting that changed since.
 */
export function unsealOverrides(
  stored: ClearSecretSettings,
  secrets: SecretValues,
): Partial<ClearSecretSettings> {
  const out: Partial<ClearSecretSettings> = {};
  const s3Secret = secrets['s3.secretKey'];
  if (stored.s3 && stored.s3.secretKey === SEALED && s3Secret) out.s3 = { ...stored.s3, secretKey: s3Secret };
  const smtpSecret = secrets['smtp.url'];
  if (stored.smtp && smtpSecret && replaceUrlSecret(smtpSecret, SEALED) === stored.smtp.url) {
    out.smtp = { ...stored.smtp, url: smtpSecret };
  }
  const pgSecret = secrets.postgresUrl;
  if (stored.postgresUrl && pgSecret && replaceUrlSecret(pgSecret, SEALED) === stored.postgresUrl) {
    out.postgresUrl = pgSecret;
  }
  return out;
}
