// Migration 3 (edit history, derived-image sources) on real SQLite files: it applies on a store that
// is at version 1 only, and the history it keeps survives a reopen.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../../../src/main/engine/store/migrations.ts';
import { type TempStores, tempStores } from './helpers.ts';

let t: TempStores;
beforeEach(async () => {
  t = await tempStores();
});
afterEach(async () => {
  await t.cleanup();
});

describe('migration 3: edit history', () => {
  it('applies cleanly on a store at version 1 and keeps versions across a reopen', () => {
    const db = new Database(t.path());
    const first = migrations.find((m) => m.version === 1);
    if (!first) throw new Error('no migration 1');
    migrate(db, t.path(), () => new Date().toISOString(), [first]);
    db.close();

    const store = t.open();
    expect(store.schemaVersion).toBe(3);
    const v1 = store.edits.append({
      subject: 'preset',
      subjectId: 'p',
      action: 'create',
      author: 'station-2',
      changed: ['name'],
      data: { id: 'p', name: 'P' },
    });
    const v2 = store.edits.append({
      subject: 'preset',
      subjectId: 'p',
      action: 'delete',
      author: 'station-2',
      changed: [],
      data: { id: 'p', name: 'P' },
    });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(store.edits.deleted('preset')).toEqual(new Set(['p']));
    // History is local: nothing went to the sync outbox.
    expect(store.outbox.count()).toBe(0);
    store.close();

    const again = t.open();
    expect(again.edits.list('preset', 'p').map((v) => [v.version, v.action, v.author])).toEqual([
      [1, 'create', 'station-2'],
      [2, 'delete', 'station-2'],
    ]);
    expect(again.edits.latest('preset', 'p')?.version).toBe(2);
  });
});
