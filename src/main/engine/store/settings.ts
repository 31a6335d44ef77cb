// Settings are local to this machine (URLs, output folder, S3/SMTP secrets): they are never queued for sync.
// Their secrets live in the 0600 secrets file beside the database, not in it (see secrets-file.ts).
import { parseOrThrow, type Settings, type SettingsPatch, SettingsSchema } from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { clearSecretsIn, SecretsFile, sealForStore, unsealStored } from './secrets-file.ts';
import { definedOnly, type JsonValue, parseJsonColumn } from './sql.ts';

export class SettingsRepository {
  private readonly core: StoreCore;
  /** Where the secrets of the settings are kept (the file beside the database). */
  readonly secrets: SecretsFile;

  constructor(core: StoreCore, secrets: SecretsFile = new SecretsFile(null)) {
    this.core = core;
    this.secrets = secrets;
  }

  /**
   * The current settings: stored values over the schema's defaults, secrets put back from the secrets
   * file. A stored value that no longer validates (written by an older version, say) falls back to its
   * default instead of failing the app.
   */
  get(): Settings {
    // Read once per change: every image job asks. `data_version` moves when another connection (the
    // CLI next to the app) commits; our own writes go through update(), which drops the cache.
    // Inside a transaction the view may still roll back: read without caching.
    if (this.core.inTransaction) return this.read();
    const version = Number(this.core.prepare('PRAGMA data_version').pluck().get());
    if (this.cached?.version === version) return this.cached.value;
    const value = this.read();
    this.cached = { version, value };
    return value;
  }

  private cached: { version: number; value: Settings } | null = null;

  private storedValues(): Record<string, JsonValue> {
    const stored: Record<string, JsonValue> = {};
    for (const row of this.core.prepare('SELECT key, value FROM settings').all()) {
      try {
        stored[row.key as string] = parseJsonColumn(row.value, `settings.${String(row.key)}`);
      } catch {
        // a corrupt value falls back to the default
      }
    }
    return stored;
  }

  private read(): Settings {
    const stored: Record<string, unknown> = this.storedValues();
    unsealStored(stored, this.secrets.read());
    const first = SettingsSchema.safeParse(stored);
    if (first.success) return first.data;
    for (const issue of first.error.issues) {
      const key = issue.path[0];
      if (typeof key === 'string') delete stored[key];
    }
    const second = SettingsSchema.safeParse(stored);
    return second.success ? second.data : SettingsSchema.parse({});
  }

  /**
   * Applies the keys present in `patch` (undefined keys are ignored) and returns the new settings.
   * The merged result must satisfy `SettingsSchema`, otherwise `invalid_input` names the field and
   * nothing is written. Secrets go to the secrets file; the database gets their sealed form.
   */
  update(patch: SettingsPatch): Settings {
    try {
      this.write(patch);
    } finally {
      // After the commit (or rollback): the write read the old settings through the cache.
      this.cached = null;
    }
    return this.get();
  }

  private write(patch: SettingsPatch): void {
    this.core.tx('update settings', () => {
      const changes = definedOnly(patch);
      const current = this.get();
      // Timeouts are patched key by key: naming one keeps the others.
      if (changes.timeouts) changes.timeouts = { ...current.timeouts, ...definedOnly(changes.timeouts) };
      // Validated with the clear values: the sealed forms are only what the file on disk holds.
      parseOrThrow(SettingsSchema, { ...current, ...changes }, 'settings');
      const before = this.secrets.read();
      const sealed = sealForStore(changes, before);
      const next = parseOrThrow(SettingsSchema, { ...current, ...sealed.patch }, 'settings');
      this.writeRows(sealed.patch, next);
      // Inside the transaction: a file that cannot be written rolls the rows back.
      if (JSON.stringify(sealed.secrets) !== JSON.stringify(before)) this.secrets.write(sealed.secrets);
    });
  }

  private writeRows(changes: Partial<Record<string, unknown>>, next: Record<string, unknown>): void {
    const write = this.core.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    const at = this.core.nowIso();
    for (const key of Object.keys(changes)) {
      // Keys the schema does not know were stripped from `next`; there is nothing to store for them.
      if (key in SettingsSchema.shape) write.run(key, JSON.stringify(next[key]), at);
    }
  }

  /**
   * Moves secrets an older version stored in clear out of the database into the secrets file, then
   * scrubs the file so the old values do not linger in free pages or the WAL. Returns how many moved.
   */
  moveSecretsOut(): number {
    this.secrets.tighten();
    const clear = clearSecretsIn(this.storedValues());
    const moved = Object.keys(clear).length;
    if (moved === 0) return 0;
    const db = this.core.db;
    // Zero the freed space of rewritten pages (the old row) as the sealed values are written.
    db.pragma('secure_delete = ON');
    try {
      this.core.tx('move secrets out of the database', () => {
        const before = this.secrets.read();
        const sealed = sealForStore(clear, before);
        const at = this.core.nowIso();
        const write = this.core.prepare('UPDATE settings SET value = ?, updated_at = ? WHERE key = ?');
        for (const [key, value] of Object.entries(sealed.patch)) write.run(JSON.stringify(value), at, key);
        this.secrets.write(sealed.secrets);
      });
    } finally {
      this.cached = null;
    }
    // Earlier versions of the rows may still sit in free pages: rebuild the file, then empty the WAL.
    try {
      db.exec('VACUUM');
    } catch {
      // Busy (another process has the store open): the live rows are clean already; older copies
      // in free pages go with the next VACUUM or as SQLite reuses the pages.
    }
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // best effort, as above
    }
    db.pragma('secure_delete = OFF');
    return moved;
  }
}
