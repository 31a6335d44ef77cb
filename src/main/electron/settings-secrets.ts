// Keeping S3/SMTP/Postgres secrets out of SQLite and out of the renderer.
//
// When the main process can encrypt (safeStorage), the engine host rewrites every `settings.update`
// so the database only ever holds a placeholder (`SEALED`) where a secret was; the clear values live
// encrypted in the secret store (secret-store.ts, main process) and, in memory only, in the engine's
// per-process `overrides` (EngineOptions.overrides: "settings for this process only, not persisted").
// Independently, every settings reply is redacted once more before it reaches the renderer.
// Without safeStorage the engine's own store keeps the secrets in a 0600 file beside the database
// (src/main/engine/store/secrets-file.ts); a `SEALED` value tells that file the keychain holds it.
//
// This module is pure (no electron, no engine import) so both processes and the tests can use it.
import type { SettingsPatch } from '../../shared/index.ts';
import {
  type ClearSecretSettings,
  parseSettingUrl,
  redactSettings,
  replaceUrlSecret,
  restoreMaskedPatch,
  restoreMaskedUrl,
  SEALED,
  SECRET_MASK,
  type SecretName,
  type SecretValues,
  SecretValuesSchema,
  secretNames,
  unsealOverrides,
  urlHasSecret,
} from '../../shared/secrets.ts';

export {
  type ClearSecretSettings,
  replaceUrlSecret,
  restoreMaskedPatch,
  restoreMaskedUrl,
  SEALED,
  SECRET_MASK,
  type SecretName,
  type SecretValues,
  SecretValuesSchema,
  secretNames,
  unsealOverrides,
  urlHasSecret,
};
/** Last line of defence before a settings object reaches the renderer (the shared redaction). */
export const redactSettingsForRenderer = redactSettings;

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
