// Settings are local to this machine (URLs, output folder, S3/SMTP secrets): they are never queued for sync.
import { parseOrThrow, type Settings, type SettingsPatch, SettingsSchema } from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { definedOnly, type JsonValue, parseJsonColumn } from './sql.ts';

export class SettingsRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  /**
   * The current settings: stored values over the schema's defaults. A stored value that no longer
   * validates (written by an older version, say) falls back to its default instead of failing the app.
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

  private read(): Settings {
    const stored: Record<string, JsonValue> = {};
    for (const row of this.core.prepare('SELECT key, value FROM settings').all()) {
      try {
        stored[row.key as string] = parseJsonColumn(row.value, `settings.${String(row.key)}`);
      } catch {
        // a corrupt value falls back to the default
      }
    }
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
   * nothing is written.
   */
  update(patch: SettingsPatch): Settings {
    try {
      return this.write(patch);
    } finally {
      // After the commit (or rollback): the write read the old settings through the cache.
      this.cached = null;
    }
  }

  private write(patch: SettingsPatch): Settings {
    return this.core.tx('update settings', () => {
      const changes = definedOnly(patch);
      const current = this.get();
      // Timeouts are patched key by key: naming one keeps the others.
      if (changes.timeouts) changes.timeouts = { ...current.timeouts, ...definedOnly(changes.timeouts) };
      const next = parseOrThrow(SettingsSchema, { ...current, ...changes }, 'settings');
      const write = this.core.prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      );
      const at = this.core.nowIso();
      for (const key of Object.keys(changes)) {
        // Keys the schema does not know were stripped from `next`; there is nothing to store for them.
        if (key in SettingsSchema.shape) write.run(key, JSON.stringify(next[key as keyof Settings]), at);
      }
      return next;
    });
  }
}
