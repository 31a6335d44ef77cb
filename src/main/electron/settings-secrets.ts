// Keeping S3/SMTP/Postgres secrets out of SQLite and out of the renderer.
//
// When the main process can encrypt (safeStorage), the engine host rewrites every `settings.update`
// so the database only ever holds a placeholder (`SEALED`) where a secret was; the clear values live
// encrypted in the secret store (secret-store.ts, main process) and, in memory only, in the engine's
// per-process `overrides` (EngineOptions.overrides: "settings for this process only, not persisted").
// Independently, every settings reply is redacted once more before it reaches the renderer.
//
// This module is pure (no electron, no engine import) so both processes and the tests can use it.
import { z } from 'zod';
import type { Settings, SettingsPatch } from '../../shared/index.ts';

/** What the engine's `settings.get` shows for a secret (src/main/engine/engine.ts `SECRET_MASK`). */
export const SECRET_MASK = '********';
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

type SealableUrl = { kind: 'url'; url: URL } | { kind: 'opaque' };

function parseUrl(value: string): SealableUrl {
  try {
    return { kind: 'url', url: new URL(value) };
  } catch {
    // A libpq keyword string (`host=… password=…`) or anything else we cannot take apart.
    return { kind: 'opaque' };
  }
}

/** True when the value carries a secret: a URL with a password, or a string we cannot parse. */
export function urlHasSecret(value: string): boolean {
  const parsed = parseUrl(value);
  return parsed.kind === 'opaque' || parsed.url.password !== '';
}

/** The value with its secret replaced by `placeholder`: the password of a URL, or all of an opaque string. */
export function replaceUrlSecret(value: string, placeholder: string): string {
  const parsed = parseUrl(value);
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
  const parsed = parseUrl(incoming);
  if (parsed.kind === 'opaque' || parsed.url.password !== SECRET_MASK) return incoming;
  const old = parseUrl(current);
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

/** True when the secret part of the value is a mask or a placeholder rather than a real secret. */
function isPlaceholder(value: string): boolean {
  const parsed = parseUrl(value);
  const secret = parsed.kind === 'opaque' ? value : parsed.url.password;
  return secret === SECRET_MASK || secret === SEALED;
}

/** What the database stores for a URL setting, and the secret to keep (undefined: none any more). */
function sealUrl(url: string, previous: string | undefined): { stored: string; secret: string | undefined } {
  if (!urlHasSecret(url)) return { stored: url, secret: undefined };
  // A mask that could not be restored, or a placeholder echoed back: never taken for a new secret.
  return { stored: replaceUrlSecret(url, SEALED), secret: isPlaceholder(url) ? previous : url };
}

/**
 * Splits a (mask-restored) patch into what the database may store and the secrets to keep elsewhere.
 * `previous` are the secrets held before this patch; keys the patch does not touch are kept.
 */
export function sealPatch(
  patch: SettingsPatch,
  previous: SecretValues,
): { patch: SettingsPatch; secrets: SecretValues } {
  const out: SettingsPatch = { ...patch };
  const secrets: SecretValues = { ...previous };
  const keep = (name: SecretName, value: string | undefined) => {
    if (value === undefined) delete secrets[name];
    else secrets[name] = value;
  };
  if (out.s3 === null) keep('s3.secretKey', undefined);
  else if (out.s3) {
    if (!isPlaceholder(out.s3.secretKey)) keep('s3.secretKey', out.s3.secretKey);
    out.s3 = { ...out.s3, secretKey: SEALED };
  }
  if (out.smtp === null) keep('smtp.url', undefined);
  else if (out.smtp) {
    const sealed = sealUrl(out.smtp.url, previous['smtp.url']);
    keep('smtp.url', sealed.secret);
    out.smtp = { ...out.smtp, url: sealed.stored };
  }
  if (out.postgresUrl === null) keep('postgresUrl', undefined);
  else if (typeof out.postgresUrl === 'string') {
    const sealed = sealUrl(out.postgresUrl, previous.postgresUrl);
    keep('postgresUrl', sealed.secret);
    out.postgresUrl = sealed.stored;
  }
  return { patch: out, secrets };
}

/**
 * The in-memory overrides that give the engine the clear values for what the database holds sealed.
 * A secret is applied only while the stored value is exactly its sealed form, so a stale secret never
 * lands on a setting that changed since.
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

/**
 * Last line of defence before a settings object reaches the renderer: the S3 secret key, URL
 * passwords and unparseable connection strings are masked whatever the engine returned.
 */
export function redactSettingsForRenderer(settings: Settings): Settings {
  const mask = (value: string) => (urlHasSecret(value) ? replaceUrlSecret(value, SECRET_MASK) : value);
  return {
    ...settings,
    s3: settings.s3 ? { ...settings.s3, secretKey: SECRET_MASK } : null,
    smtp: settings.smtp ? { ...settings.smtp, url: mask(settings.smtp.url) } : null,
    postgresUrl: settings.postgresUrl === null ? null : mask(settings.postgresUrl),
  };
}
