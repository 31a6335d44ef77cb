// The local API's token and the callback signing secret: generated on first run into
// `api-secrets.json` beside the database (mode 0600), printed once. SHOWCASE_API_TOKEN overrides the
// token for automation; it is checked before anything starts (a one-letter token is refused, not saved)
// and never written to the file.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { describeZodError, ShowcaseError } from '../../shared/index.ts';
import { tightenFile } from '../engine/store/private-files.ts';

export const API_TOKEN_MIN_LENGTH = 32;

/** What a token must be: long enough not to be guessed, and sendable as-is in an Authorization header. */
export const ApiTokenSchema = z
  .string()
  .min(API_TOKEN_MIN_LENGTH, `is too short: use at least ${API_TOKEN_MIN_LENGTH} characters`)
  .max(512, 'is too long: use at most 512 characters')
  .regex(/^[\x21-\x7e]+$/, 'may hold only printable ASCII characters, no spaces');

const SecretsSchema = z.object({ token: ApiTokenSchema, webhookSecret: z.string().min(32) });
export type ApiSecrets = z.infer<typeof SecretsSchema>;

const TOKEN_HINT = 'Generate one with: openssl rand -base64 32';

/** The token SHOWCASE_API_TOKEN sets, checked; undefined when the variable is unset or empty. */
export function tokenFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.SHOWCASE_API_TOKEN;
  if (value === undefined || value === '') return undefined;
  const parsed = ApiTokenSchema.safeParse(value);
  if (!parsed.success) {
    throw new ShowcaseError(
      'invalid_input',
      `SHOWCASE_API_TOKEN ${parsed.error.issues[0]?.message ?? 'is not a valid token'} (it has ${value.length})`,
      { hint: TOKEN_HINT, details: { fields: ['SHOWCASE_API_TOKEN'] } },
    );
  }
  return parsed.data;
}

export function apiSecretsPath(dbPath: string): string {
  return join(dirname(resolve(dbPath)), 'api-secrets.json');
}

/**
 * Reads (or creates) the API secrets beside `dbPath`. `token` is the value the server uses: the
 * environment's when set, else the file's. `fromEnvironment` says which.
 */
export async function loadOrCreateSecrets(
  dbPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ secrets: ApiSecrets; created: boolean; path: string; fromEnvironment: boolean }> {
  const override = tokenFromEnvironment(env);
  const path = apiSecretsPath(dbPath);
  let stored: ApiSecrets;
  let created = false;
  if (existsSync(path)) {
    tightenFile(path);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      throw damaged(path, 'it is not valid JSON');
    }
    const parsed = SecretsSchema.safeParse(json);
    if (!parsed.success) throw damaged(path, describeZodError(parsed.error));
    stored = parsed.data;
  } else {
    stored = {
      token: randomBytes(24).toString('base64url'),
      webhookSecret: randomBytes(32).toString('base64url'),
    };
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    tightenFile(tmp);
    await rename(tmp, path);
    created = true;
  }
  return {
    secrets: { ...stored, token: override ?? stored.token },
    created,
    path,
    fromEnvironment: override !== undefined,
  };
}

function damaged(path: string, why: string): ShowcaseError {
  return new ShowcaseError('invalid_input', `${path} is damaged (${why})`, {
    hint: 'Delete it to generate a new token (API clients then need the new one), or fix the field named.',
    details: { fields: ['api-secrets.json'] },
  });
}
