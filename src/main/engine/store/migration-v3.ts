// Schema version 3 (issue #19, the edit loop). Both tables are local to this workstation and never
// synced: a version history is an audit trail of who changed what here, and staleness is a fact about
// the files on this disk. Written so it applies on top of version 1 alone as well as after version 2
// (sync's), since it touches no table another migration changes.
import type { Migration } from './migrations.ts';

export const MIGRATION_V3: Migration = {
  version: 3,
  name: 'edit history and derived-image sources',
  up: `
CREATE TABLE edit_versions (
  subject TEXT NOT NULL CHECK (subject IN ('preset', 'prompt')),
  subject_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version > 0),
  action TEXT NOT NULL,
  author TEXT NOT NULL,
  at TEXT NOT NULL,
  changed TEXT NOT NULL CHECK (json_valid(changed)),
  rollback_of INTEGER,
  data TEXT NOT NULL CHECK (json_valid(data)),
  PRIMARY KEY (subject, subject_id, version)
) STRICT;

-- Which source image (by content hash) a derived asset (thumbnail, variation) was made from. A
-- derived asset is stale when its source's current hash differs; "keep" re-points it without a render.
CREATE TABLE derived_sources (
  asset_id TEXT PRIMARY KEY NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  gallery_id TEXT NOT NULL,
  source_asset_id TEXT NOT NULL,
  source_sha256 TEXT NOT NULL,
  kept INTEGER NOT NULL DEFAULT 0,
  recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX derived_sources_by_gallery ON derived_sources(gallery_id);

-- Render parameters chosen for one showcase (cfg, steps …): kept so a later re-render uses them too.
CREATE TABLE showcase_params (
  gallery_id TEXT PRIMARY KEY NOT NULL REFERENCES product_galleries(id) ON DELETE CASCADE,
  params TEXT NOT NULL CHECK (json_valid(params)),
  updated_at TEXT NOT NULL
) STRICT;
`,
};
