#!/usr/bin/env bash
# npm run test:chaos: brings up a local HA cluster in a temporary folder, breaks it under load
# (test/cluster), and stops it again. Needs patroni, etcd, haproxy (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-packages.sh
npx vitest run --project cluster "$@"
