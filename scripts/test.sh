#!/usr/bin/env bash
# What `npm test` runs: system packages, typecheck, then every vitest project (unit + integration).
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-packages.sh
npm run typecheck
npm run --silent check:cycles
npx vitest run "$@"
