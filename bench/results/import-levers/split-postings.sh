#!/bin/bash
# Does a bulk publication's impact-postings insert go faster split over two connections? The scale corpus's
# 6,018,850 postings (schema bench_scale) go into a copy of `postings` (both btrees, and the migrated statement-level
# reference check), alternated three times: all of them on one connection, then the two halves (split by lexeme, in
# byte order, as the rows are sorted) on two connections at once. Each round starts from an empty table after a
# CHECKPOINT. With `unlogged` the copy is an unlogged table: the same work without WAL.
# Run: bash bench/results/import-levers/split-postings.sh [logged|unlogged] > bench/results/import-levers/split-postings-logged.out 2>&1
set -euo pipefail
kind="${1:-logged}"
url="$(.build/release/loupe db url)"
case "$kind" in logged) table="TABLE" ;; unlogged) table="UNLOGGED TABLE" ;; *) echo "logged or unlogged" >&2; exit 64 ;; esac
# Each argument is one statement, run in one session.
sql() { local args=(); for statement in "$@"; do args+=(-c "$statement"); done; psql -Xq -v ON_ERROR_STOP=1 "$url" -c "SET client_min_messages = warning" "${args[@]}"; }
now() { date +%s.%N; }
sql "DROP SCHEMA IF EXISTS split_postings CASCADE"
sql "CREATE SCHEMA split_postings"
sql "CREATE UNLOGGED TABLE split_postings.source AS
     SELECT collection_id, lexeme, document_id, impact FROM bench_scale.postings ORDER BY collection_id, lexeme COLLATE \"C\", document_id"
sql "CREATE TABLE split_postings.middle AS
     SELECT lexeme FROM split_postings.source ORDER BY lexeme COLLATE \"C\" OFFSET (SELECT count(*) / 2 FROM split_postings.source) LIMIT 1"
echo "$(psql -XAtq "$url" -c "SELECT count(*) FROM split_postings.source") postings, split at lexeme $(psql -XAtq "$url" -c "SELECT quote_literal(lexeme) FROM split_postings.middle"); target: $kind"
fresh() {
  sql "DROP TABLE IF EXISTS split_postings.target"
  sql "CREATE $table split_postings.target (LIKE bench_scale.postings INCLUDING ALL)"
  sql "CREATE TRIGGER check_insert AFTER INSERT ON split_postings.target REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION bench_scale.postings_collection_check()"
  sql "CHECKPOINT"
}
insert() { sql "SET work_mem = '256MB'" "INSERT INTO split_postings.target SELECT * FROM split_postings.source s WHERE $1"; }
half='s.lexeme COLLATE "C" < (SELECT lexeme FROM split_postings.middle) COLLATE "C"'
for round in 1 2 3; do
  fresh
  t0=$(now); insert "true"; t1=$(now)
  echo "round $round, one connection: $(echo "$t1 - $t0" | bc) s"
  fresh
  t0=$(now); insert "$half" & insert "NOT ($half)" & wait; t1=$(now)
  echo "round $round, two connections: $(echo "$t1 - $t0" | bc) s ($(psql -XAtq "$url" -c "SELECT count(*) FROM split_postings.target") rows)"
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ); $(psql -XAtq "$url" -c "SELECT version()" | cut -d, -f1)"
sql "DROP SCHEMA split_postings CASCADE"
