#!/usr/bin/env bash
# `npm run test:n8n`: the real-n8n tier. Installs the pinned n8n (test/n8n/package.json + its committed
# lockfile) into test/n8n/node_modules on first use — ~3 min, ~2.9 GB, never a dependency of the app —
# then runs test/n8n/*.test.ts with the Node test runner against the local Postgres
# (127.0.0.1:5432, user postgres) and writes test-results/n8n.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SHOWCASE_ROOT"
N8N_DIR="test/n8n"
STAMP="$N8N_DIR/node_modules/.showcase-lock.sha256"
want="$(sha256sum "$N8N_DIR/package-lock.json" | cut -d' ' -f1)"

if [ ! -x "$N8N_DIR/node_modules/n8n/bin/n8n" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "test:n8n: installing n8n from $N8N_DIR/package-lock.json (first run: ~3 min, ~2.9 GB)…"
  # --ignore-scripts: n8n's tree has install scripts that download native sources (kafka, sqlite3);
  # n8n runs here on Postgres, so none of them is needed.
  (cd "$N8N_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error </dev/null)
  echo "$want" > "$STAMP"
fi

if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "test:n8n: PostgreSQL is not listening on 127.0.0.1:5432 (start it: pg_ctlcluster <version> main start)" >&2
  mkdir -p test-results
  echo '{"name":"n8n","passed":0,"failed":1,"skipped":0}' > test-results/n8n.json
  exit 1
fi

exec node --disable-warning=ExperimentalWarning test/n8n/run.ts
