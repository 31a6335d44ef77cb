// Versioned schema migrations. The list only ever grows: never edit a shipped migration, append a new one.
// Each migration runs in its own IMMEDIATE transaction together with its `schema_migrations` row, so a
// crash mid-migration leaves the previous version intact and two processes cannot both apply it.
import { ShowcaseError } from '../../../shared/index.ts';
import { MIGRATION_V3 } from './migration-v3.ts';
import { syncMigrations } from './migrations-sync.ts';
import { type Db, toInt } from './sql.ts';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Db) => void);
}

const SCHEMA_V1 = `
CREATE TABLE products (
  id TEXT PRIMARY KEY NOT NULL,
  handle TEXT NOT NULL,
  name TEXT NOT NULL,
  attributes TEXT NOT NULL CHECK (json_valid(attributes)),
  source_sheet TEXT,
  updated_at TEXT NOT NULL,
  hlc TEXT NOT NULL
) STRICT;
CREATE INDEX products_by_handle ON products(handle);

CREATE TABLE product_galleries (
  id TEXT PRIMARY KEY NOT NULL,
  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  copy TEXT CHECK (copy IS NULL OR json_valid(copy)),
  prompt_prefix TEXT NOT NULL,
  preset_id TEXT,
  base_seed INTEGER NOT NULL,
  seed_locked INTEGER NOT NULL,
  family TEXT NOT NULL,
  html_path TEXT,
  json_path TEXT,
  published_url TEXT,
  approved INTEGER NOT NULL,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  hlc TEXT NOT NULL
) STRICT;
CREATE INDEX galleries_by_product ON product_galleries(product_id, created_at);
CREATE INDEX galleries_by_status ON product_galleries(status);

CREATE TABLE assets (
  id TEXT PRIMARY KEY NOT NULL,
  gallery_id TEXT NOT NULL REFERENCES product_galleries(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  idx INTEGER NOT NULL,
  filename TEXT NOT NULL,
  sha256 TEXT,
  width INTEGER,
  height INTEGER,
  seed INTEGER NOT NULL,
  seed_locked INTEGER NOT NULL,
  prompt TEXT NOT NULL,
  template_id TEXT NOT NULL,
  params TEXT NOT NULL CHECK (json_valid(params)),
  local_path TEXT,
  remote_url TEXT,
  status TEXT NOT NULL,
  approved INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  updated_at TEXT NOT NULL,
  hlc TEXT NOT NULL,
  UNIQUE (gallery_id, kind, idx)
) STRICT;

-- The journal. blocked_by = how many of depends_on are not 'done'; the ready partial indexes make
-- "claim the next runnable job" one index probe however many jobs wait behind it.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY NOT NULL,
  gallery_id TEXT NOT NULL REFERENCES product_galleries(id) ON DELETE CASCADE,
  asset_id TEXT REFERENCES assets(id) ON DELETE SET NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  backend TEXT,
  comfy_prompt_id TEXT,
  depends_on TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(depends_on)),
  blocked_by INTEGER NOT NULL DEFAULT 0,
  priority INTEGER NOT NULL DEFAULT 0,
  payload TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(payload)),
  run_session TEXT,
  error TEXT,
  queued_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  hlc TEXT
) STRICT;
CREATE INDEX jobs_ready ON jobs(priority DESC) WHERE status = 'queued' AND blocked_by = 0;
CREATE INDEX jobs_ready_by_kind ON jobs(kind, priority DESC) WHERE status = 'queued' AND blocked_by = 0;
CREATE INDEX jobs_by_status ON jobs(status);
CREATE INDEX jobs_by_gallery ON jobs(gallery_id);
CREATE INDEX jobs_by_comfy_prompt ON jobs(comfy_prompt_id) WHERE comfy_prompt_id IS NOT NULL;

CREATE TABLE job_deps (
  depends_on_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  PRIMARY KEY (depends_on_id, job_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX job_deps_by_job ON job_deps(job_id);

CREATE TABLE model_usage_log (
  id TEXT PRIMARY KEY NOT NULL,
  job_id TEXT,
  backend TEXT NOT NULL,
  model TEXT NOT NULL,
  phase TEXT NOT NULL,
  queued_ms REAL NOT NULL,
  load_ms REAL NOT NULL,
  run_ms REAL NOT NULL,
  total_ms REAL NOT NULL,
  tokens_in INTEGER,
  tokens_out INTEGER,
  ok INTEGER NOT NULL,
  error TEXT,
  at TEXT NOT NULL,
  hlc TEXT NOT NULL
) STRICT;
CREATE INDEX model_usage_by_at ON model_usage_log(at);
CREATE INDEX model_usage_by_job ON model_usage_log(job_id);

CREATE TABLE prompt_presets (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  negative TEXT NOT NULL,
  style TEXT NOT NULL,
  lighting TEXT NOT NULL,
  params TEXT NOT NULL CHECK (json_valid(params)),
  updated_at TEXT NOT NULL,
  hlc TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL
) STRICT;

-- One pending operation per row: a newer local write replaces the older entry in place (keeping its
-- position, so a parent row is still pushed before its children).
CREATE TABLE outbox (
  op_id TEXT PRIMARY KEY NOT NULL,
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  row TEXT NOT NULL CHECK (json_valid(row)),
  hlc TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (tbl, row_id)
) STRICT;

CREATE TABLE sync_state (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE sync_conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  local TEXT CHECK (local IS NULL OR json_valid(local)),
  remote TEXT CHECK (remote IS NULL OR json_valid(remote)),
  local_hlc TEXT,
  remote_hlc TEXT,
  resolved INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX sync_conflicts_by_resolved ON sync_conflicts(resolved, id);
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: SCHEMA_V1 },
  ...syncMigrations,
  MIGRATION_V3,
];

export const SCHEMA_VERSION = latestVersion(migrations);

function latestVersion(list: readonly Migration[]): number {
  let previous = 0;
  for (const m of list) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new ShowcaseError('internal', `Migrations must have strictly increasing versions (at ${m.name})`);
    }
    previous = m.version;
  }
  return previous;
}

/** The schema version recorded in the database; 0 for a fresh file. */
export function schemaVersion(db: Db): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: unknown };
  return row.v === null ? 0 : toInt(row.v);
}

function tooNew(found: number, supported: number, path: string): ShowcaseError {
  return new ShowcaseError(
    'storage_error',
    `The local store ${path} has schema version ${found}, newer than this app supports (${supported})`,
    {
      hint: 'Update Product Showcase Studio, or open a different data folder.',
      details: { found, supported, path },
    },
  );
}

/** Throws unless the database is exactly at the latest version (for read-only opens, which cannot migrate). */
export function assertCurrent(db: Db, path: string, list: readonly Migration[] = migrations): void {
  const latest = latestVersion(list);
  const found = schemaVersion(db);
  if (found > latest) throw tooNew(found, latest, path);
  if (found < latest) {
    throw new ShowcaseError(
      'storage_error',
      `The local store ${path} is at schema version ${found} and needs migrating to ${latest}`,
      { hint: 'Open it read-write once so it can be upgraded.', details: { found, supported: latest, path } },
    );
  }
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: number[];
}

/** Applies every pending migration, each in its own transaction. */
export function migrate(
  db: Db,
  path: string,
  nowIso: () => string,
  list: readonly Migration[] = migrations,
): MigrationResult {
  const latest = latestVersion(list);
  const from = schemaVersion(db);
  if (from > latest) throw tooNew(from, latest, path);
  const applied: number[] = [];
  for (const m of list) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      ) STRICT`);
      // Re-read inside the write lock: another process may have migrated since we looked.
      const current = schemaVersion(db);
      if (current > latest) throw tooNew(current, latest, path);
      if (current >= m.version) return;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        nowIso(),
      );
      applied.push(m.version);
    }).immediate();
  }
  return { from, to: schemaVersion(db), applied };
}
