-- The table both shipped n8n workflows insert into (one row per finished gallery). Create it once in
-- the database the "Showcase Postgres" credential points at:
--   psql "$DATABASE_URL" -f resources/n8n/product_galleries.sql
CREATE TABLE IF NOT EXISTS product_galleries (
  id             text PRIMARY KEY,             -- gallery id (made by the workflow, or the studio's)
  product_id     text NOT NULL,                -- file-safe product id ([A-Za-z0-9_-])
  product_name   text NOT NULL,
  status         text NOT NULL,                -- complete | partial | failed
  title          text,
  tagline        text,
  copy           jsonb NOT NULL,               -- {title, tagline, bullets[], description}
  hero_url       text,
  variation_urls jsonb NOT NULL,               -- [url|null, …] in variation order
  base_seed      bigint,
  source         text NOT NULL,                -- 'n8n' (product-showcase) | 'app' (…-via-app)
  created_at     timestamptz NOT NULL DEFAULT now()
);
