#!/bin/bash
# What the visibility map saves the packing build's reads: every list of the scale corpus's common lexemes (document
# frequency >= 128: 5,221 lexemes, 4.78M postings), aggregated in document order from the postings' primary key as
# PostingsPacker.listsQuery does, with the map of `postings` cleared (pg_visibility's pg_truncate_visibility_map: what
# an import leaves until VACUUM) and after VACUUM, alternated twice, each read twice. Autovacuum is off for the run.
# Run: bash bench/results/vacuum-after-import/lists.sh > bench/results/vacuum-after-import/lists.out 2>&1
set -euo pipefail
url="$(.build/release/loupe db url)"
sql() { psql -XAtq -v ON_ERROR_STOP=1 "$url" -c "SET client_min_messages = warning" -c "$1"; }
read_lists() {
  psql -XAtq "$url" -c "\\timing on" -c "SELECT sum(length(l.postings)) FROM
      (SELECT lexeme FROM bench_scale.term_statistics WHERE document_frequency >= 128) AS t CROSS JOIN LATERAL (
        SELECT string_agg(uuid_send(p.document_id) || float8send(p.impact), ''::bytea ORDER BY p.document_id) AS postings
        FROM bench_scale.postings p WHERE p.collection_id = (SELECT id FROM bench_scale.collections) AND p.lexeme = t.lexeme) AS l" \
    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
sql "ALTER SYSTEM SET autovacuum = off" > /dev/null; sql "SELECT pg_reload_conf()" > /dev/null
trap 'sql "ALTER SYSTEM RESET autovacuum" > /dev/null; sql "SELECT pg_reload_conf()" > /dev/null' EXIT
sql "CREATE EXTENSION IF NOT EXISTS pg_visibility"
for round in 1 2; do
  sql "SELECT pg_truncate_visibility_map('bench_scale.postings')" > /dev/null
  echo "round $round, map cleared: $(read_lists) ms, then $(read_lists) ms"
  sql "VACUUM bench_scale.postings"
  echo "round $round, vacuumed: $(read_lists) ms, then $(read_lists) ms"
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
