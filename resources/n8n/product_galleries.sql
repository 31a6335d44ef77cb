-- The table both shipped n8n workflows insert into (one row per finished gallery). Create it once in
-- the database the "Showcase Postgres" credential points at:
--   psql "$DATABASE_URL" -f resources/n8n/product_galleries.sql
-- Running it again is safe, and upgrades a table made by an earlier version (the ALTERs at the end).
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

-- Idempotency and the e-mail's fate (added in 0.2): a retry with the same request_id finds this row
-- instead of rendering and inserting again; `gallery` is the webhook's answer, replayed as it was.
ALTER TABLE product_galleries ADD COLUMN IF NOT EXISTS request_id   text UNIQUE; -- the caller's request_id (else the gallery id)
ALTER TABLE product_galleries ADD COLUMN IF NOT EXISTS gallery      jsonb;       -- the gallery as answered
ALTER TABLE product_galleries ADD COLUMN IF NOT EXISTS email_status text;        -- pending | sent | failed
ALTER TABLE product_galleries ADD COLUMN IF NOT EXISTS email_error  text;        -- the mail server's answer when failed
