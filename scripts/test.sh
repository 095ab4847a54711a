#!/usr/bin/env bash
# What `npm test` runs: system packages, typecheck, import-cycle check, then every vitest
# project (unit + integration). Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-packages.sh
npm run --silent typecheck
npm run --silent check:cycles

results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
# The chaos suite (project "cluster") has its own command, npm run test:chaos; unless projects are
# named, npm test runs the other two.
projects=(--project unit --project integration)
[[ " $* " == *" --project"* ]] && projects=()
npx vitest run "${projects[@]}" --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line that any CI can read.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$results" 2>/dev/null || true
exit "$status"
