// The secrets of the settings (S3 secret key, SMTP and Postgres passwords) never enter the SQLite file:
// they live in a small JSON file beside it, mode 0600 (`studio.db` → `studio.secrets.json`), and the
// database stores each setting with its secret replaced by `SEALED`. The settings repository puts the
// clear values back when it reads. Settings are never synced, so no secret reaches Postgres either.
//
// The desktop app may hold a secret in the OS keychain instead (src/main/electron/settings-secrets.ts):
// it stores `SEALED` itself, which here means "held elsewhere", so this file drops its own copy.
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  isRecord,
  parseSettingUrl,
  replaceUrlSecret,
  SEALED,
  SECRET_MASK,
  type SecretName,
  type SecretValues,
  SecretValuesSchema,
  type Settings,
  type SettingsPatch,
  ShowcaseError,
  secretNames,
  unsealOverrides,
} from '../../../shared/index.ts';
import { PRIVATE_FILE_MODE, tightenFile } from './private-files.ts';

/** `<dir>/<name>.secrets.json` beside the database, or null for an in-memory store. */
export function secretsPathFor(dbPath: string): string | null {
  if (dbPath === ':memory:' || dbPath === '') return null;
  const abs = resolve(dbPath);
  return join(dirname(abs), `${basename(abs, extname(abs))}.secrets.json`);
}

const SecretsFileSchema = z.object({
  version: z.literal(1),
  secrets: SecretValuesSchema,
});

const FILE_NOTE =
  'Secrets of the Product Showcase Studio settings (kept out of the database). Keep this file private (mode 0600).';

/** The secrets file of one store (in memory for `:memory:` stores). */
export class SecretsFile {
  readonly path: string | null;
  #memory: SecretValues = {};

  constructor(path: string | null) {
    this.path = path;
  }

  /** Tightens an existing file that group or others can read (an older version, a copy, a restore). */
  tighten(): void {
    if (this.path) tightenFile(this.path);
  }

  read(): SecretValues {
    if (this.path === null) return { ...this.#memory };
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new ShowcaseError('storage_error', `Cannot read the secrets file ${this.path}`, {
        hint: 'Check its owner and permissions (it should be readable by this user only).',
        cause: err,
      });
    }
    try {
      return SecretsFileSchema.parse(JSON.parse(text)).secrets;
    } catch {
      throw new ShowcaseError('storage_error', `The secrets file ${this.path} is damaged`, {
        hint: 'Repair it, or delete it and enter the S3, SMTP and Postgres passwords again in Settings.',
      });
    }
  }

  /** Replaces the stored secrets (atomically: a crash leaves the old file or the new one, never half). */
  write(values: SecretValues): void {
    const clean = Object.fromEntries(secretNames.flatMap((n) => (values[n] ? [[n, values[n]]] : [])));
    if (this.path === null) {
      this.#memory = clean;
      return;
    }
    if (Object.keys(clean).length === 0) {
      if (existsSync(this.path)) unlinkSync(this.path);
      return;
    }
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify({ version: 1, note: FILE_NOTE, secrets: clean }, null, 2)}\n`, {
        mode: PRIVATE_FILE_MODE,
      });
      tightenFile(tmp); // an existing tmp file keeps its old mode
      renameSync(tmp, this.path);
    } catch (err) {
      throw new ShowcaseError('storage_error', `Cannot write the secrets file ${this.path}`, {
        hint: 'Check free disk space and the permissions of the folder that holds the database.',
        cause: err,
      });
    }
  }
}

/** The secret part of a setting value: a URL's password, all of an unparseable string, or null. */
function secretPart(value: string): string | null {
  const parsed = parseSettingUrl(value);
  if (parsed.kind === 'opaque') return value;
  return parsed.url.password === '' ? null : parsed.url.password;
}

/**
 * Splits a settings patch (clear values, masks already restored) into what the database may store and
 * the secrets to keep in the file. `previous` are the file's secrets before the patch.
 */
export function sealForStore(
  patch: SettingsPatch,
  previous: SecretValues,
): { patch: SettingsPatch; secrets: SecretValues } {
  const out: SettingsPatch = { ...patch };
  const secrets: SecretValues = { ...previous };
  /** What to store for `value` (whose secret is `secret`), updating the kept secret `name`. */
  const seal = (name: SecretName, secret: string | null, clear: string, sealed: () => string): string => {
    if (secret === null || secret === SEALED) {
      // No secret, or one the desktop app keeps in the OS keychain: nothing of it belongs here.
      delete secrets[name];
      return clear;
    }
    // A mask that could not be restored is never taken for a new secret.
    if (secret !== SECRET_MASK) secrets[name] = clear;
    return sealed();
  };
  if (out.s3 === null) delete secrets['s3.secretKey'];
  else if (out.s3) {
    const s3 = out.s3;
    const kept = seal('s3.secretKey', s3.secretKey, s3.secretKey, () => SEALED);
    out.s3 = { ...s3, secretKey: kept };
  }
  if (out.smtp === null) delete secrets['smtp.url'];
  else if (out.smtp) {
    const url = out.smtp.url;
    out.smtp = {
      ...out.smtp,
      url: seal('smtp.url', secretPart(url), url, () => replaceUrlSecret(url, SEALED)),
    };
  }
  if (out.postgresUrl === null) delete secrets.postgresUrl;
  else if (typeof out.postgresUrl === 'string') {
    const url = out.postgresUrl;
    out.postgresUrl = seal('postgresUrl', secretPart(url), url, () => replaceUrlSecret(url, SEALED));
  }
  return { patch: out, secrets };
}

/** Puts the file's secrets back into stored (raw JSON) settings, where the stored value is their sealed form. */
export function unsealStored(stored: Record<string, unknown>, secrets: SecretValues): void {
  const view = {
    s3: isRecord(stored.s3) && typeof stored.s3.secretKey === 'string' ? (stored.s3 as Settings['s3']) : null,
    smtp:
      isRecord(stored.smtp) && typeof stored.smtp.url === 'string' ? (stored.smtp as Settings['smtp']) : null,
    postgresUrl: typeof stored.postgresUrl === 'string' ? stored.postgresUrl : null,
  };
  Object.assign(stored, unsealOverrides(view, secrets));
}

/** The secret-bearing settings of a stored (raw JSON) map that still hold a clear secret. */
export function clearSecretsIn(stored: Record<string, unknown>): SettingsPatch {
  const out: SettingsPatch = {};
  const s3 = stored.s3;
  if (isRecord(s3) && typeof s3.secretKey === 'string' && s3.secretKey !== SEALED) {
    out.s3 = s3 as NonNullable<Settings['s3']>;
  }
  const smtp = stored.smtp;
  if (isRecord(smtp) && typeof smtp.url === 'string' && !isSealedOrPlain(smtp.url)) {
    out.smtp = smtp as NonNullable<Settings['smtp']>;
  }
  const pg = stored.postgresUrl;
  if (typeof pg === 'string' && !isSealedOrPlain(pg)) out.postgresUrl = pg;
  return out;
}

function isSealedOrPlain(value: string): boolean {
  const secret = secretPart(value);
  return secret === null || secret === SEALED;
}
