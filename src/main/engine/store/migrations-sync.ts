// Schema version 2: the sync bookkeeping for field-group merges, skew repair, parked pulled rows and
// the one-syncer-per-store lease. Appended to the migrations list; never edited once shipped.
import type { Migration } from './migrations.ts';

const SYNC_V2 = `
-- Per-row, per-field-group clocks. A row with no entry here has every group at the row's own hlc
-- (rows written whole: fresh inserts, rows from before v2), so most rows cost nothing extra.
CREATE TABLE sync_field_clocks (
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  clocks TEXT NOT NULL CHECK (json_valid(clocks)),
  PRIMARY KEY (tbl, row_id)
) STRICT, WITHOUT ROWID;

-- What a pending push carries besides the row: the group clocks of its values and, per group edited
-- here since the last push, the clock the edit started from (the server tells a concurrent edit of the
-- same group from a fast-forward by comparing it with its own clock).
ALTER TABLE outbox ADD COLUMN clocks TEXT CHECK (clocks IS NULL OR json_valid(clocks));
ALTER TABLE outbox ADD COLUMN base TEXT CHECK (base IS NULL OR json_valid(base));

-- Which field group a conflict is about, why it was recorded, and the server's id for it (so a
-- resolution made on one station resolves it on every station, and a download is never kept twice).
ALTER TABLE sync_conflicts ADD COLUMN field TEXT;
ALTER TABLE sync_conflicts ADD COLUMN reason TEXT NOT NULL DEFAULT 'concurrent_edit';
ALTER TABLE sync_conflicts ADD COLUMN server_id INTEGER;
ALTER TABLE sync_conflicts ADD COLUMN resolution_pushed INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX sync_conflicts_by_server_id ON sync_conflicts(server_id) WHERE server_id IS NOT NULL;

-- Pulled rows this store could not apply yet (clock too far ahead, invalid for this app version):
-- re-applied every round, shown to the operator with the reason, never skipped silently.
CREATE TABLE sync_retry (
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  row TEXT NOT NULL CHECK (json_valid(row)),
  hlc TEXT NOT NULL,
  clocks TEXT CHECK (clocks IS NULL OR json_valid(clocks)),
  reason TEXT NOT NULL,
  message TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  PRIMARY KEY (tbl, row_id)
) STRICT;

-- One syncer per store: the process holding an unexpired lease runs the round; the others wait or
-- skip. A lease, not a lock held forever, so a crashed process frees the store by itself.
CREATE TABLE sync_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
) STRICT;
`;

export const syncMigrations: readonly Migration[] = [
  { version: 2, name: 'sync field clocks, retry table, syncer lease', up: SYNC_V2 },
];
