#!/usr/bin/env bash
# `npm run test:faults`: the fault matrix of issue #14 (test/faults/). Each cell runs the real CLI
# against the simulators with one fault armed and checks how the run ends; prints a table and one
# `N passed, N failed` line and writes test-results/faults.json. `npm run test:faults -- hero` runs
# only the cells whose fault or phase mentions "hero".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SHOWCASE_ROOT"
exec node --disable-warning=ExperimentalWarning test/faults/run.ts "$@"
