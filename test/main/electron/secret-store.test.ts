// The encrypted secret file. Electron's safeStorage cannot run here; the cipher is a real AES-256-GCM
// key from node:crypto, which has the property that matters: ciphertext that does not reveal or
// survive tampering with the secret.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SecretCipher, SecretStore } from '../../../src/main/electron/secret-store.ts';

function aesCipher(options: { available?: boolean; key?: Buffer; rotated?: boolean } = {}): SecretCipher {
  const key = options.key ?? randomBytes(32);
  return {
    isAvailable: async () => options.available ?? true,
    encrypt: async (plain) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt: async (sealed) => {
      const buf = Buffer.from(sealed);
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      const value = Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
      return { value, reencrypt: options.rotated ?? false };
    },
  };
}

let dir: string;
let path: string;
let logs: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-secrets-'));
  path = join(dir, 'userData', 'secrets.json');
  logs = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SECRETS = {
  's3.secretKey': 'wJalrXUtnFEMI-K7MDENG',
  'smtp.url': 'smtp://mailer:hunter2-smtp@127.0.0.1:2525',
  postgresUrl: 'postgres://app:pg-s3cret@127.0.0.1/studio',
};

describe('SecretStore', () => {
  it('round-trips the secrets through a file that holds only ciphertext, readable by the owner only', async () => {
    const cipher = aesCipher();
    const store = new SecretStore(path, cipher);
    expect(await store.load()).toEqual({});
    await store.save(SECRETS);
    const text = await readFile(path, 'utf8');
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
    expect(text).not.toContain('hunter2');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await new SecretStore(path, cipher).load()).toEqual(SECRETS);
  });

  it('ignores a damaged file instead of failing the app', async () => {
    const store = new SecretStore(path, aesCipher(), (line) => logs.push(line));
    await store.save(SECRETS);
    await writeFile(path, '{"version": 1, "secrets": ');
    expect(await store.load()).toEqual({});
    await writeFile(path, JSON.stringify({ version: 9, secrets: {} }));
    expect(await store.load()).toEqual({});
    expect(logs.join('\n')).toContain('is damaged');
  });

  it('skips an entry that no longer decrypts (tampered, or the keychain key changed)', async () => {
    const cipher = aesCipher();
    await new SecretStore(path, cipher).save(SECRETS);
    const file = JSON.parse(await readFile(path, 'utf8'));
    const tampered = Buffer.from(file.secrets['s3.secretKey'], 'base64');
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    file.secrets['s3.secretKey'] = tampered.toString('base64');
    await writeFile(path, JSON.stringify(file));
    const store = new SecretStore(path, cipher, (line) => logs.push(line));
    const { 's3.secretKey': _dropped, ...rest } = SECRETS;
    expect(await store.load()).toEqual(rest);
    expect(logs.join('\n')).toContain('"s3.secretKey" no longer decrypts');
    expect(await new SecretStore(path, aesCipher(), () => {}).load()).toEqual({});
  });

  it('neither reads nor writes when encryption is unavailable', async () => {
    await new SecretStore(path, aesCipher()).save(SECRETS);
    const off = new SecretStore(path, aesCipher({ available: false }), (line) => logs.push(line));
    expect(await off.available()).toBe(false);
    expect(await off.load()).toEqual({});
    await expect(off.save(SECRETS)).rejects.toThrow(/not available/);
  });

  it('re-encrypts after a key rotation', async () => {
    const key = randomBytes(32);
    await new SecretStore(path, aesCipher({ key })).save(SECRETS);
    const before = await readFile(path, 'utf8');
    expect(await new SecretStore(path, aesCipher({ key, rotated: true })).load()).toEqual(SECRETS);
    const after = await readFile(path, 'utf8');
    expect(after).not.toBe(before);
    expect(await new SecretStore(path, aesCipher({ key })).load()).toEqual(SECRETS);
  });
});
