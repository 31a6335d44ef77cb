// S3/SMTP/Postgres secrets, encrypted at rest in the userData folder. The cipher is injected: main.ts
// passes Electron's safeStorage async API (OS keychain / DPAPI / libsecret), the tests a real
// AES-GCM key.
// The file holds only ciphertext; a damaged file or an entry that no longer decrypts (the keychain
// was reset) is skipped with a log line, never a crash: the operator re-enters the secret.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { type SecretValues, SecretValuesSchema, secretNames } from './settings-secrets.ts';

export interface SecretCipher {
  isAvailable(): Promise<boolean>;
  encrypt(plain: string): Promise<Uint8Array>;
  /** `reencrypt`: the key was rotated; the value should be sealed again with the current one. */
  decrypt(sealed: Uint8Array): Promise<{ value: string; reencrypt?: boolean }>;
}

const SecretFileSchema = z.object({
  version: z.literal(1),
  /** name → base64 ciphertext */
  secrets: z.record(z.string(), z.string()),
});

export class SecretStore {
  readonly path: string;
  readonly #cipher: SecretCipher;
  readonly #log: (line: string) => void;
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string, cipher: SecretCipher, log: (line: string) => void = () => {}) {
    this.path = path;
    this.#cipher = cipher;
    this.#log = log;
  }

  /** Whether secrets can be sealed on this machine right now. */
  async available(): Promise<boolean> {
    try {
      return await this.#cipher.isAvailable();
    } catch {
      return false;
    }
  }

  async load(): Promise<SecretValues> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#log(`cannot read ${this.path}: ${String(err)}`);
      return {};
    }
    let file: z.infer<typeof SecretFileSchema>;
    try {
      file = SecretFileSchema.parse(JSON.parse(text));
    } catch {
      this.#log(`${this.path} is damaged; its secrets are ignored (re-enter them in Settings)`);
      return {};
    }
    if (!(await this.available())) {
      this.#log('secrets cannot be decrypted: the system keychain is not available');
      return {};
    }
    const clear: Record<string, string> = {};
    let reencrypt = false;
    for (const name of secretNames) {
      const sealed = file.secrets[name];
      if (sealed === undefined) continue;
      try {
        const opened = await this.#cipher.decrypt(Buffer.from(sealed, 'base64'));
        clear[name] = opened.value;
        reencrypt ||= opened.reencrypt === true;
      } catch {
        this.#log(`secret "${name}" no longer decrypts; re-enter it in Settings`);
      }
    }
    const parsed = SecretValuesSchema.safeParse(clear);
    const values = parsed.success ? parsed.data : {};
    if (reencrypt) {
      await this.save(values).catch((err: unknown) =>
        this.#log(`could not re-encrypt secrets: ${String(err)}`),
      );
    }
    return values;
  }

  /** Replaces the stored secrets with `values` (atomically: a crash leaves the old file or the new one). */
  save(values: SecretValues): Promise<void> {
    const run = this.#writing.then(() => this.#write(values));
    this.#writing = run.catch(() => undefined);
    return run;
  }

  async #write(values: SecretValues): Promise<void> {
    if (!(await this.available())) {
      throw new Error('secrets cannot be encrypted: the system keychain is not available');
    }
    const secrets: Record<string, string> = {};
    for (const name of secretNames) {
      const value = values[name];
      if (value) secrets[name] = Buffer.from(await this.#cipher.encrypt(value)).toString('base64');
    }
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ version: 1, secrets }, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
  }
}
