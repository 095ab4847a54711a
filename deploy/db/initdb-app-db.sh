#!/bin/sh
# Plain-PostgreSQL mode: the official entrypoint runs this once, on an empty data directory, while
# its first-start server listens on the Unix socket only.
set -eu
if [ -z "${GATEHOUSE_DB_PASSWORD:-}" ]; then
  echo "initdb-app-db: GATEHOUSE_DB_PASSWORD is not set (the gatehouse role's password)" >&2
  exit 1
fi
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v pw="$GATEHOUSE_DB_PASSWORD" \
  -f "${GATEHOUSE_APP_DB_SQL:-/usr/local/share/gatehouse/create-app-db.sql}"
