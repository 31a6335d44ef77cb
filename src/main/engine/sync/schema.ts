// The team database's schema, versioned. The list only ever grows: never edit a shipped migration,
// append one (a test compares the synced tables with `tableSpecs`, so a new local column fails it
// until a migration adds the column here too).
//
// Every object lives in one Postgres schema (default `showcase`), so a database can host several
// studios or test runs side by side. Migrations run on connect, in one transaction holding an advisory
// lock: several workstations starting at once queue on the lock and the later ones find the work done.
import type { ClientBase } from 'pg';
import { ShowcaseError } from '../../../shared/index.ts';
import type { ColumnType, SyncedTable } from '../store/index.ts';

export const DEFAULT_SCHEMA = 'showcase';

export interface PgMigration {
  version: number;
  name: string;
  /** The DDL, given the quoted schema name. */
  sql(schema: string): string;
}

/** Postgres column type per sync-row column type. `integer` is bigint: seeds go up to 2^53. */
export const pgColumnTypes: Record<ColumnType, string> = {
  text: 'text',
  integer: 'bigint',
  real: 'double precision',
  boolean: 'boolean',
  // `json`, not `jsonb`: json keeps the text as the workstation wrote it (key order included), so a
  // pulled row is byte-identical to the pusher's.
  json: 'json',
};

/** Columns the server adds to every synced table (not part of a sync row). */
export const serverColumns = ['hlc', 'seq', 'synced_at', 'clocks'] as const;

// seq: a value of the schema-wide change sequence, stamped on every insert and update by a trigger
// (so a hand-made fix by an administrator is pulled too). Pull reads `seq > checkpoint`.
function syncedTable(s: string, name: SyncedTable, columns: string): string {
  return `
CREATE TABLE ${s}.${name} (
${columns},
  hlc text NOT NULL,
  seq bigint NOT NULL,
  synced_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ${name}_by_seq ON ${s}.${name} (seq);
CREATE TRIGGER ${name}_stamp BEFORE INSERT OR UPDATE ON ${s}.${name}
  FOR EACH ROW EXECUTE FUNCTION ${s}.stamp_change();`;
}

const V1 = (s: string) => `
-- database_id tells a workstation that the database behind its URL is not the one its checkpoints
-- belong to (restored, recreated, or another team's), so it pulls from the start again.
CREATE TABLE ${s}.sync_meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO ${s}.sync_meta (key, value) VALUES ('database_id', gen_random_uuid()::text);

CREATE SEQUENCE ${s}.change_seq;

CREATE FUNCTION ${s}.stamp_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.seq := nextval('${s}.change_seq');
  NEW.synced_at := now();
  RETURN NEW;
END
$fn$;
${syncedTable(
  s,
  'products',
  `  id text PRIMARY KEY,
  handle text NOT NULL,
  name text NOT NULL,
  attributes json NOT NULL,
  source_sheet text,
  updated_at text NOT NULL`,
)}
${syncedTable(
  s,
  'product_galleries',
  `  id text PRIMARY KEY,
  product_id text NOT NULL,
  status text NOT NULL,
  copy json,
  prompt_prefix text NOT NULL,
  preset_id text,
  base_seed bigint NOT NULL,
  seed_locked boolean NOT NULL,
  family text NOT NULL,
  html_path text,
  json_path text,
  published_url text,
  approved boolean NOT NULL,
  error text,
  created_at text NOT NULL,
  updated_at text NOT NULL`,
)}
CREATE INDEX product_galleries_by_product ON ${s}.product_galleries (product_id);
${syncedTable(
  s,
  'assets',
  `  id text PRIMARY KEY,
  gallery_id text NOT NULL,
  kind text NOT NULL,
  idx bigint NOT NULL,
  filename text NOT NULL,
  sha256 text,
  width bigint,
  height bigint,
  seed bigint NOT NULL,
  seed_locked boolean NOT NULL,
  prompt text NOT NULL,
  template_id text NOT NULL,
  params json NOT NULL,
  local_path text,
  remote_url text,
  status text NOT NULL,
  approved boolean NOT NULL,
  attempts bigint NOT NULL,
  error text,
  updated_at text NOT NULL`,
)}
CREATE INDEX assets_by_gallery ON ${s}.assets (gallery_id);
${syncedTable(
  s,
  'jobs',
  `  id text PRIMARY KEY,
  gallery_id text NOT NULL,
  asset_id text,
  kind text NOT NULL,
  status text NOT NULL,
  attempts bigint NOT NULL,
  backend text,
  comfy_prompt_id text,
  depends_on json NOT NULL,
  error text,
  queued_at text NOT NULL,
  started_at text,
  finished_at text`,
)}
${syncedTable(
  s,
  'model_usage_log',
  `  id text PRIMARY KEY,
  job_id text,
  backend text NOT NULL,
  model text NOT NULL,
  phase text NOT NULL,
  queued_ms double precision NOT NULL,
  load_ms double precision NOT NULL,
  run_ms double precision NOT NULL,
  total_ms double precision NOT NULL,
  tokens_in bigint,
  tokens_out bigint,
  ok boolean NOT NULL,
  error text,
  at text NOT NULL`,
)}
${syncedTable(
  s,
  'prompt_presets',
  `  id text PRIMARY KEY,
  name text NOT NULL,
  prefix text NOT NULL,
  negative text NOT NULL,
  style text NOT NULL,
  lighting text NOT NULL,
  params json NOT NULL,
  updated_at text NOT NULL`,
)}

-- Every op id a push has applied (or found losing): a batch retried after a lost reply changes nothing.
CREATE TABLE ${s}.applied_ops (
  op_id text PRIMARY KEY,
  tbl text NOT NULL,
  row_id text NOT NULL,
  hlc text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('applied', 'lost', 'same')),
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- The losing version of a row, kept for people to look at. One row per losing version.
CREATE TABLE ${s}.sync_conflicts (
  id bigserial PRIMARY KEY,
  tbl text NOT NULL,
  row_id text NOT NULL,
  loser json NOT NULL,
  loser_hlc text NOT NULL,
  loser_node text NOT NULL,
  winner json,
  winner_hlc text,
  winner_node text,
  reason text NOT NULL CHECK (reason IN ('push_lost', 'push_overwrote', 'pull')),
  reported_by text NOT NULL,
  op_id text,
  resolved boolean NOT NULL DEFAULT false,
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tbl, row_id, loser_hlc)
);
`;

// v2: field-group clocks per row, conflicts per field group with their cause, the drift bound.
const V2 = (s: string) => `
${['products', 'product_galleries', 'assets', 'jobs', 'model_usage_log', 'prompt_presets']
  .map((t) => `ALTER TABLE ${s}.${t} ADD COLUMN clocks jsonb;`)
  .join('\n')}

-- How far ahead of this server's clock a pushed timestamp may be (ms). The team's setting: an admin
-- may change it with UPDATE ... SET value = '600000' WHERE key = 'max_drift_ms'.
INSERT INTO ${s}.sync_meta (key, value) VALUES ('max_drift_ms', '300000') ON CONFLICT (key) DO NOTHING;

ALTER TABLE ${s}.sync_conflicts ADD COLUMN grp text NOT NULL DEFAULT '';
ALTER TABLE ${s}.sync_conflicts ADD COLUMN fields text;
ALTER TABLE ${s}.sync_conflicts ADD COLUMN cause text NOT NULL DEFAULT 'concurrent_edit'
  CHECK (cause IN ('concurrent_edit', 'clock_skew', 'schema'));
ALTER TABLE ${s}.sync_conflicts ADD COLUMN resolved_by text;
ALTER TABLE ${s}.sync_conflicts DROP CONSTRAINT sync_conflicts_tbl_row_id_loser_hlc_key;
ALTER TABLE ${s}.sync_conflicts ADD CONSTRAINT sync_conflicts_one_per_loser UNIQUE (tbl, row_id, grp, loser_hlc);
`;

export const pgMigrations: readonly PgMigration[] = [
  { version: 1, name: 'synced tables, change sequence, applied ops, conflicts', sql: V1 },
  { version: 2, name: 'field-group clocks, conflict fields and causes, drift bound', sql: V2 },
];

export const PG_SCHEMA_VERSION = pgMigrations.reduce((max, m) => Math.max(max, m.version), 0);

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a Postgres schema name and returns it quoted. */
export function quoteSchema(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new ShowcaseError('invalid_input', `schema: "${name}" is not a plain lower-case Postgres name`, {
      hint: 'Use letters, digits and "_" (e.g. showcase).',
      details: { fields: ['schema'] },
    });
  }
  return `"${name}"`;
}

/**
 * Key for `pg_advisory_xact_lock(hashtextextended(key, 0))`. `write` is taken SHARED by every push
 * (pushes of disjoint rows run side by side; row locks order the rest) and EXCLUSIVE for an instant by
 * a puller reading the change sequence's watermark: no push is in flight then, so every seq at or
 * below it is committed and none can appear later.
 */
export function lockKey(schema: string, purpose: 'migrate' | 'write'): string {
  return `showcase-sync:${purpose}:${schema}`;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

/**
 * Brings `schema` up to date in one transaction under an advisory lock. Throws `sync_error` when the
 * database was migrated by a newer app (its schema version is above ours): this app must not write
 * to tables whose meaning it does not know.
 */
export async function migrate(
  client: ClientBase,
  schema: string,
  migrations: readonly PgMigration[] = pgMigrations,
): Promise<MigrateResult> {
  const s = quoteSchema(schema);
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(schema, 'migrate')]);
    // Checked first: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database, which a user with
    // rights on an existing schema may not have.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const current = await client.query<{ v: number }>(
      `SELECT coalesce(max(version), 0)::int AS v FROM ${s}.schema_migrations`,
    );
    const from = current.rows[0]?.v ?? 0;
    if (from > latest) {
      throw new ShowcaseError(
        'sync_error',
        `The team database schema (v${from}) is newer than this app (v${latest}) — update the app`,
        {
          hint: 'Another workstation runs a newer Product Showcase Studio. Local drafting continues.',
          details: { databaseVersion: from, appVersion: latest, schema },
        },
      );
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= from) continue;
      await client.query(m.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, latest), applied };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
