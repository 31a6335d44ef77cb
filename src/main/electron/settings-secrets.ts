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
import type { SettingsPatch } from '../../shared/index.ts';
import {
  type ClearSecretSettings,
  parseSettingUrl,
  redactSettings,
  replaceUrlSecret,
  restoreMaskedPatch,
  restoreMaskedUrl,
  SECRET_MASK,
  urlHasSecret,
} from '../../shared/secrets.ts';

export {
  type ClearSecretSettings,
  replaceUrlSecret,
  restoreMaskedPatch,
  restoreMaskedUrl,
  SECRET_MASK,
  urlHasSecret,
};
/** Last line of defence before a settings object reaches the renderer (the shared redaction). */
export const redactSettingsForRenderer = redactSettings;

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

/** True when the secret part of the value is a mask or a placeholder rather than a real secret. */
function isPlaceholder(value: string): boolean {
  const parsed = parseSettingUrl(value);
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
