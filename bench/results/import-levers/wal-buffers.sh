#!/bin/bash
# Is the 6.0M-row postings insert of a bulk publication held back by WAL buffer space? The same insert as
# split-postings.sh's one-connection rounds (the scale corpus's postings into a copy of `postings` with both btrees
# and the reference check), with wal_buffers 8MB (what -1 gives at shared_buffers 256MB, the managed cluster's
# setting) and 64MB, alternated three times. wal_buffers needs a restart: this restarts the dev cluster each round
# (ALTER SYSTEM) and resets the setting at the end.
# Run: bash bench/results/import-levers/wal-buffers.sh > bench/results/import-levers/wal-buffers.out 2>&1
set -euo pipefail
loupe=.build/release/loupe
url="$($loupe db url)"
sql() { local args=(); for statement in "$@"; do args+=(-c "$statement"); done; psql -Xq -v ON_ERROR_STOP=1 "$url" -c "SET client_min_messages = warning" "${args[@]}"; }
now() { date +%s.%N; }
restart() { $loupe db stop > /dev/null && $loupe db start > /dev/null; }
sql "DROP SCHEMA IF EXISTS wal_buffers CASCADE" "CREATE SCHEMA wal_buffers" \
    "CREATE UNLOGGED TABLE wal_buffers.source AS
     SELECT collection_id, lexeme, document_id, impact FROM bench_scale.postings ORDER BY collection_id, lexeme COLLATE \"C\", document_id"
for round in 1 2 3; do
  for size in 8MB 64MB; do
    sql "ALTER SYSTEM SET wal_buffers = '$size'"
    restart
    sql "DROP TABLE IF EXISTS wal_buffers.target" \
        "CREATE TABLE wal_buffers.target (LIKE bench_scale.postings INCLUDING ALL)" \
        "CREATE TRIGGER check_insert AFTER INSERT ON wal_buffers.target REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION bench_scale.postings_collection_check()" \
        "CHECKPOINT"
    t0=$(now); sql "SET work_mem = '256MB'" "INSERT INTO wal_buffers.target SELECT * FROM wal_buffers.source"; t1=$(now)
    echo "round $round, wal_buffers $(psql -XAtq "$url" -c 'SHOW wal_buffers'): $(echo "$t1 - $t0" | bc) s"
  done
done
sql "ALTER SYSTEM RESET wal_buffers"
restart
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ); wal_buffers now $(psql -XAtq "$url" -c 'SHOW wal_buffers')"
sql "DROP SCHEMA wal_buffers CASCADE"
