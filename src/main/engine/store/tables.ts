// The synced tables' columns, in one place: the SQLite DDL, the outbox row format, `applyRemote` and the
// sync module's Postgres DDL all follow these lists (a test checks them against the live SQLite schema).
//
// A "sync row" is the table row as JSON: snake_case column names, JSON columns as JSON values (not text),
// booleans as `true`/`false`, no `hlc` (it travels beside the row). Reading one back always goes through
// the domain schema from `src/shared`, so a row from the network is validated like any other input.
import type { z } from 'zod';
import type { Asset, Gallery, Job, ModelUsage, Product, PromptPreset } from '../../../shared/index.ts';
import {
  AssetSchema,
  GallerySchema,
  JobSchema,
  ModelUsageSchema,
  ProductSchema,
  PromptPresetSchema,
} from '../../../shared/index.ts';
import { type JsonValue, parseJsonColumn, parseStored, type Row } from './sql.ts';

export const syncedTables = [
  'products',
  'product_galleries',
  'assets',
  'model_usage_log',
  'prompt_presets',
  'jobs',
] as const;
export type SyncedTable = (typeof syncedTables)[number];

export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'json';
export interface ColumnSpec {
  /** The SQL column (snake_case). */
  name: string;
  /** The domain object's property. */
  key: string;
  type: ColumnType;
  nullable: boolean;
}

export type SyncRow = { [column: string]: JsonValue };

export interface TableSpec<D> {
  name: SyncedTable;
  /** Every column of the sync row, primary key (`id`, text) first; the `hlc` column is not listed. */
  columns: readonly ColumnSpec[];
  schema: z.ZodType<D>;
  toSyncRow(value: D): SyncRow;
  /** The object to validate with `schema`, built from a sync row. */
  fromSyncRow(row: SyncRow): unknown;
}

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function col(name: string, type: ColumnType, nullable = false): ColumnSpec {
  return { name, key: camel(name), type, nullable };
}

function genericSpec<D>(name: SyncedTable, schema: z.ZodType<D>, columns: ColumnSpec[]): TableSpec<D> {
  return {
    name,
    columns,
    schema,
    toSyncRow(value) {
      const source = value as Record<string, unknown>;
      const row: SyncRow = {};
      for (const c of columns) {
        const v = source[c.key];
        row[c.name] = v === undefined ? null : (v as JsonValue);
      }
      return row;
    },
    fromSyncRow(row) {
      const out: Record<string, unknown> = {};
      for (const c of columns) out[c.key] = row[c.name];
      return out;
    },
  };
}

// Products keep the fields the store queries on as columns and the rest of the product (description,
// brand, materials, price, the product's own `attributes` map …) in the `attributes` JSON column.
export const productsSpec: TableSpec<Product> = {
  name: 'products',
  columns: [
    col('id', 'text'),
    col('handle', 'text'),
    col('name', 'text'),
    col('attributes', 'json'),
    col('source_sheet', 'text', true),
    col('updated_at', 'text'),
  ],
  schema: ProductSchema,
  toSyncRow(p) {
    const { id, handle, name, sourceSheet, updatedAt, ...rest } = p;
    // JSON round trip drops `undefined` optionals so the stored text is canonical.
    const attributes = JSON.parse(JSON.stringify(rest)) as JsonValue;
    return { id, handle, name, attributes, source_sheet: sourceSheet ?? null, updated_at: updatedAt };
  },
  fromSyncRow(row) {
    const rest = row.attributes !== null && typeof row.attributes === 'object' ? row.attributes : {};
    return {
      ...rest,
      id: row.id,
      handle: row.handle,
      name: row.name,
      sourceSheet: row.source_sheet ?? undefined,
      updatedAt: row.updated_at,
    };
  },
};

export const galleriesSpec: TableSpec<Gallery> = genericSpec('product_galleries', GallerySchema, [
  col('id', 'text'),
  col('product_id', 'text'),
  col('status', 'text'),
  col('copy', 'json', true),
  col('prompt_prefix', 'text'),
  col('preset_id', 'text', true),
  col('base_seed', 'integer'),
  col('seed_locked', 'boolean'),
  col('family', 'text'),
  col('html_path', 'text', true),
  col('json_path', 'text', true),
  col('published_url', 'text', true),
  col('approved', 'boolean'),
  col('error', 'text', true),
  col('created_at', 'text'),
  col('updated_at', 'text'),
]);

export const assetsSpec: TableSpec<Asset> = genericSpec('assets', AssetSchema, [
  col('id', 'text'),
  col('gallery_id', 'text'),
  col('kind', 'text'),
  col('idx', 'integer'),
  col('filename', 'text'),
  col('sha256', 'text', true),
  col('width', 'integer', true),
  col('height', 'integer', true),
  col('seed', 'integer'),
  col('seed_locked', 'boolean'),
  col('prompt', 'text'),
  col('template_id', 'text'),
  col('params', 'json'),
  col('local_path', 'text', true),
  col('remote_url', 'text', true),
  col('status', 'text'),
  col('approved', 'boolean'),
  col('attempts', 'integer'),
  col('error', 'text', true),
  col('updated_at', 'text'),
]);

export const modelUsageSpec: TableSpec<ModelUsage> = genericSpec('model_usage_log', ModelUsageSchema, [
  col('id', 'text'),
  col('job_id', 'text', true),
  col('backend', 'text'),
  col('model', 'text'),
  col('phase', 'text'),
  col('queued_ms', 'real'),
  col('load_ms', 'real'),
  col('run_ms', 'real'),
  col('total_ms', 'real'),
  col('tokens_in', 'integer', true),
  col('tokens_out', 'integer', true),
  col('ok', 'boolean'),
  col('error', 'text', true),
  col('at', 'text'),
]);

export const presetsSpec: TableSpec<PromptPreset> = genericSpec('prompt_presets', PromptPresetSchema, [
  col('id', 'text'),
  col('name', 'text'),
  col('prefix', 'text'),
  col('negative', 'text'),
  col('style', 'text'),
  col('lighting', 'text'),
  col('params', 'json'),
  col('updated_at', 'text'),
]);

/**
 * The jobs summary pushed for team dashboards: the journal's columns minus the engine-private ones
 * (payload, blocked_by, priority, run_session). Push-only — the local journal holds this node's jobs.
 */
export const jobsSummarySpec: TableSpec<Job> = genericSpec('jobs', JobSchema, [
  col('id', 'text'),
  col('gallery_id', 'text'),
  col('asset_id', 'text', true),
  col('kind', 'text'),
  col('status', 'text'),
  col('attempts', 'integer'),
  col('backend', 'text', true),
  col('comfy_prompt_id', 'text', true),
  col('depends_on', 'json'),
  col('error', 'text', true),
  col('queued_at', 'text'),
  col('started_at', 'text', true),
  col('finished_at', 'text', true),
]);

/** Specs by table name, for the sync module (Postgres DDL, generic upserts) and `applyRemote`. */
export const tableSpecs = {
  products: productsSpec,
  product_galleries: galleriesSpec,
  assets: assetsSpec,
  model_usage_log: modelUsageSpec,
  prompt_presets: presetsSpec,
  jobs: jobsSummarySpec,
} as const satisfies Record<SyncedTable, TableSpec<unknown>>;

// --- SQLite ⇄ sync row -------------------------------------------------------------------------------

/** Bind values for the spec's columns in order (JSON as text, booleans as 0/1). */
export function syncRowToParams(spec: TableSpec<unknown>, row: SyncRow): unknown[] {
  return spec.columns.map((c) => {
    const v = row[c.name] ?? null;
    if (v === null) return null;
    if (c.type === 'json') return JSON.stringify(v);
    if (c.type === 'boolean') return v ? 1 : 0;
    return v;
  });
}

export function dbRowToSyncRow(spec: TableSpec<unknown>, row: Row): SyncRow {
  const out: SyncRow = {};
  for (const c of spec.columns) {
    const v = row[c.name];
    if (v === null || v === undefined) out[c.name] = null;
    else if (c.type === 'json')
      out[c.name] = parseJsonColumn(v, `${spec.name}.${c.name} of ${String(row.id)}`);
    else if (c.type === 'boolean') out[c.name] = v === 1 || v === 1n;
    else out[c.name] = v as JsonValue;
  }
  return out;
}

/** A stored row as its domain object, validated by the domain schema. */
export function rowToDomain<D>(spec: TableSpec<D>, row: Row): D {
  const shape = spec.fromSyncRow(dbRowToSyncRow(spec as TableSpec<unknown>, row));
  return parseStored(spec.schema, shape, `${spec.name} ${String(row.id)}`);
}

/**
 * Normalises a sync row that came over the network: JSON columns given as JSON text (Postgres `json`
 * read as a string) are parsed and booleans given as 0/1 become booleans. Anything else is left to the
 * domain schema to reject.
 */
export function normaliseSyncRow(spec: TableSpec<unknown>, row: Record<string, unknown>): SyncRow {
  const out: SyncRow = {};
  for (const c of spec.columns) {
    let v = row[c.name];
    if (c.type === 'json' && typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        // leave the string; the schema names the field
      }
    }
    if (c.type === 'boolean' && (v === 0 || v === 1)) v = v === 1;
    out[c.name] = v === undefined ? null : (v as JsonValue);
  }
  return out;
}

export function columnList(spec: TableSpec<unknown>): string {
  return spec.columns.map((c) => c.name).join(', ');
}
