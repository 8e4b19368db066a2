#!/usr/bin/env bash
# Back up a partnercenter database with pg_dump, restore it into a scratch database, and prove
# the copy is whole: the same tables, the same row count in each (audit partitions included), the
# same applied migrations, and the audit log still append-only in the copy.
#
#   DATABASE_URL=postgres://user@host:5432/partnercenter deploy/backup_restore_check.sh [dump-file]
#
# RESTORE_URL (default: the same server, database "<name>_restorecheck") is DROPPED and recreated.
# The dump (custom format, restorable with pg_restore) is kept at the given path, or removed.
# Exit 0 and "backup/restore check: OK" when everything matches; non-zero with the differences otherwise.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
SOURCE_URL="$DATABASE_URL"
SOURCE_NAME="${SOURCE_URL##*/}"; SOURCE_NAME="${SOURCE_NAME%%\?*}"
RESTORE_URL="${RESTORE_URL:-${SOURCE_URL%/*}/${SOURCE_NAME}_restorecheck}"
RESTORE_NAME="${RESTORE_URL##*/}"; RESTORE_NAME="${RESTORE_NAME%%\?*}"
SERVER_URL="${RESTORE_URL%/*}/postgres"
if [[ "$RESTORE_NAME" == "$SOURCE_NAME" && "${RESTORE_URL%/*}" == "${SOURCE_URL%/*}" ]]; then
  echo "RESTORE_URL must name another database than DATABASE_URL" >&2; exit 2
fi

DUMP="${1:-}"
KEEP_DUMP=1
if [[ -z "$DUMP" ]]; then DUMP="$(mktemp -t partnercenter-XXXXXX.dump)"; KEEP_DUMP=0; fi
cleanup() { [[ $KEEP_DUMP == 1 ]] || rm -f "$DUMP"; }
trap cleanup EXIT

start=$(date +%s)
pg_dump --format=custom --no-owner --no-privileges --file="$DUMP" "$SOURCE_URL"
echo "dumped $SOURCE_NAME: $(du -h "$DUMP" | cut -f1) in $(( $(date +%s) - start )) s"

psql -q -v ON_ERROR_STOP=1 "$SERVER_URL" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$RESTORE_NAME\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$RESTORE_NAME\""
start=$(date +%s)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$RESTORE_URL" "$DUMP"
echo "restored into $RESTORE_NAME in $(( $(date +%s) - start )) s"

# Exact row counts of every ordinary table and partition, one line per table: "name count".
COUNT_SQL=$(cat <<'SQL'
SELECT format('SELECT %L || '' '' || count(*) FROM %I.%I;', c.relname, n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = current_schema()
ORDER BY c.relname
SQL
)
counts() { psql -XAtq -v ON_ERROR_STOP=1 "$1" -c "$COUNT_SQL" | psql -XAtq -v ON_ERROR_STOP=1 "$1"; }
MIGRATIONS_SQL="SELECT app || '.' || name FROM django_migrations ORDER BY app, name"

status=0
if ! diff <(counts "$SOURCE_URL") <(counts "$RESTORE_URL") > /dev/null; then
  echo "row counts differ (source < > restored):" >&2
  diff <(counts "$SOURCE_URL") <(counts "$RESTORE_URL") >&2 || true
  status=1
fi
if ! diff <(psql -XAtq "$SOURCE_URL" -c "$MIGRATIONS_SQL") <(psql -XAtq "$RESTORE_URL" -c "$MIGRATIONS_SQL") > /dev/null; then
  echo "applied migrations differ" >&2; status=1
fi
tables=$(counts "$RESTORE_URL" | wc -l)
rows=$(counts "$RESTORE_URL" | awk '{s += $2} END {print s + 0}')
events=$(psql -XAtq "$RESTORE_URL" -c "SELECT count(*) FROM audit_auditevent")
# The append-only trigger came back with the data: a row change is refused in the copy.
if [[ "$events" -gt 0 ]] && psql -XAtq "$RESTORE_URL" -c \
     "UPDATE audit_auditevent SET actor_label = actor_label WHERE id = (SELECT min(id) FROM audit_auditevent)" >/dev/null 2>&1; then
  echo "the restored audit log accepted an UPDATE: append-only trigger missing" >&2; status=1
fi
if [[ $status == 0 ]]; then
  echo "backup/restore check: OK ($tables tables, $rows rows, $events audit events; dump $DUMP$([[ $KEEP_DUMP == 1 ]] || echo ' removed'))"
fi
exit $status
