import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  redactSettingsForRenderer,
  replaceUrlSecret,
  restoreMaskedPatch,
  restoreMaskedUrl,
  SEALED,
  SECRET_MASK,
  sealPatch,
  unsealOverrides,
} from '../../../src/main/electron/settings-secrets.ts';
import { Engine } from '../../../src/main/engine/engine.ts';
import { SettingsSchema } from '../../../src/shared/index.ts';

const s3 = {
  endpoint: 'http://127.0.0.1:9000',
  bucket: 'gallery',
  accessKey: 'AK',
  secretKey: 'k',
  region: 'us-east-1',
  publicBaseUrl: null,
  presignSeconds: 3600,
};

describe('settings secrets', () => {
  it('is the masking the engine itself applies over any transport (URL passwords, masked echoes)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-engine-'));
    const engine = await Engine.open({ dbPath: join(dir, 'studio.db'), outputRoot: join(dir, 'out') });
    try {
      const saved = await engine.handlers['settings.update']({
        s3,
        postgresUrl: 'postgres://app:hunter2@db.internal:5432/studio',
        smtp: { url: 'smtp://mailer:s3cret@mail:25', from: 'studio@example.com' },
      });
      expect(JSON.stringify(saved)).not.toContain('hunter2');
      expect(JSON.stringify(saved)).not.toContain('s3cret');
      expect(saved.s3?.secretKey).toBe(SECRET_MASK);
      // Echoing the masks back (another field changed) keeps the secrets in use.
      await engine.handlers['settings.update']({
        ...saved,
        s3: { ...s3, bucket: 'other', secretKey: SECRET_MASK },
      });
      const inUse = engine.settings();
      expect(inUse.s3?.secretKey).toBe('k');
      expect(inUse.s3?.bucket).toBe('other');
      expect(inUse.postgresUrl).toBe('postgres://app:hunter2@db.internal:5432/studio');
      expect(inUse.smtp?.url).toBe('smtp://mailer:s3cret@mail:25');
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('replaces only the password of a URL, and the whole of an unparseable string', () => {
    expect(replaceUrlSecret('postgres://app:p%40ss@db:5432/x', SEALED)).toBe(
      `postgres://app:${SEALED}@db:5432/x`,
    );
    expect(replaceUrlSecret('smtp://127.0.0.1:25', SEALED)).toBe('smtp://127.0.0.1:25');
    expect(replaceUrlSecret('host=db password=x', SEALED)).toBe(SEALED);
  });

  it('restores a masked password, keeping the other edits', () => {
    const current = 'postgres://app:p%40ss@db:5432/x';
    expect(restoreMaskedUrl(`postgres://app:${SECRET_MASK}@db2:5433/y`, current)).toBe(
      'postgres://app:p%40ss@db2:5433/y',
    );
    expect(restoreMaskedUrl(SECRET_MASK, 'host=db password=x')).toBe('host=db password=x');
    expect(restoreMaskedUrl('postgres://app:new@db/x', current)).toBe('postgres://app:new@db/x');
    expect(restoreMaskedUrl(`postgres://app:${SECRET_MASK}@db/x`, null)).toBe(
      `postgres://app:${SECRET_MASK}@db/x`,
    );
    const patch = restoreMaskedPatch(
      { s3: { ...s3, secretKey: SECRET_MASK } },
      { s3, smtp: null, postgresUrl: null },
    );
    expect(patch.s3?.secretKey).toBe('k');
  });

  it('seals, then unseals only onto the exact stored form (a stale secret is never applied)', () => {
    const { patch, secrets } = sealPatch(
      { s3, smtp: { url: 'smtp://u:pw@h:25', from: 'a@b.c' }, postgresUrl: 'postgres://a:b@h/d' },
      {},
    );
    expect(patch.s3?.secretKey).toBe(SEALED);
    expect(patch.smtp?.url).toBe(`smtp://u:${SEALED}@h:25`);
    expect(secrets).toEqual({
      's3.secretKey': 'k',
      'smtp.url': 'smtp://u:pw@h:25',
      postgresUrl: 'postgres://a:b@h/d',
    });
    const stored = SettingsSchema.parse(patch);
    expect(unsealOverrides(stored, secrets)).toEqual({
      s3,
      smtp: { url: 'smtp://u:pw@h:25', from: 'a@b.c' },
      postgresUrl: 'postgres://a:b@h/d',
    });
    // The stored URL changed behind the secret's back: not applied.
    expect(
      unsealOverrides({ ...stored, smtp: { url: `smtp://u:${SEALED}@other:25`, from: 'a@b.c' } }, secrets)
        .smtp,
    ).toBeUndefined();
    // No password any more: nothing to keep.
    expect(
      sealPatch({ smtp: { url: 'smtp://h:25', from: 'a@b.c' } }, secrets).secrets['smtp.url'],
    ).toBeUndefined();
  });

  it('never takes a mask or a placeholder for a new secret', () => {
    const previous = { 's3.secretKey': 'k', 'smtp.url': 'smtp://u:pw@h:25' };
    const echoed = sealPatch(
      {
        s3: { ...s3, secretKey: SECRET_MASK },
        smtp: { url: `smtp://u:${SECRET_MASK}@h:25`, from: 'a@b.c' },
        postgresUrl: SEALED,
      },
      previous,
    );
    expect(echoed.secrets).toEqual(previous);
    expect(echoed.patch.s3?.secretKey).toBe(SEALED);
    expect(echoed.patch.smtp?.url).toBe(`smtp://u:${SEALED}@h:25`);
    expect(echoed.patch.postgresUrl).toBe(SEALED);
    expect(sealPatch({ s3: { ...s3, secretKey: SECRET_MASK } }, {}).secrets).toEqual({});
  });

  it('redacts whatever the engine returned before the renderer sees it', () => {
    const settings = SettingsSchema.parse({
      s3: { ...s3, secretKey: 'leak-1' },
      smtp: { url: 'smtp://u:leak-2@h:25', from: 'a@b.c' },
      postgresUrl: 'postgres://app:leak-3@db/x',
    });
    const shown = redactSettingsForRenderer(settings);
    expect(JSON.stringify(shown)).not.toMatch(/leak/);
    expect(shown.smtp?.url).toBe(`smtp://u:${SECRET_MASK}@h:25`);
    expect(shown.postgresUrl).toBe(`postgres://app:${SECRET_MASK}@db/x`);
    // A legacy libpq keyword string (no longer accepted, maybe still stored) is masked whole.
    expect(
      redactSettingsForRenderer({ ...settings, postgresUrl: 'host=db password=leak-4' }).postgresUrl,
    ).toBe(SECRET_MASK);
    expect(redactSettingsForRenderer({ ...settings, postgresUrl: 'postgres://db/x' }).postgresUrl).toBe(
      'postgres://db/x',
    );
  });
});
