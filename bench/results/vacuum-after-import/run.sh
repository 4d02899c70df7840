#!/bin/bash
# Search latency right after an import, before autovacuum has set the visibility map of the rows it wrote, against
# after a VACUUM. `loupe import` ran only ANALYZE at its end; BenchScale (like every latency figure in bench/results)
# measures after VACUUM ANALYZE. Without the visibility map, every index-only scan (the postings lists, candidate
# lookups, term statistics, packed document numbers) also visits the heap.
#
# On the dev cluster's scale corpus (schema bench_scale, loaded by BenchScale): autovacuum is turned off for the run,
# pg_visibility's pg_truncate_visibility_map clears the map of the search tables (what a fresh import leaves), and
# BenchScale measures; then VACUUM ANALYZE sets it again and BenchScale measures again. Twice, alternated.
# Needs a superuser (the managed cluster's) and postgresql-contrib.
# Run: bash bench/results/vacuum-after-import/run.sh > bench/results/vacuum-after-import/run.out 2>&1
set -euo pipefail
here=bench/results/vacuum-after-import
url="$(.build/release/loupe db url)"
tables="bench_scale.documents, bench_scale.postings, bench_scale.term_statistics, bench_scale.collection_statistics, bench_scale.packed_documents"
sql() { local args=(); for statement in "$@"; do args+=(-c "$statement"); done; psql -Xq -v ON_ERROR_STOP=1 "$url" -c "SET client_min_messages = warning" "${args[@]}"; }
visible() {
  psql -XAtq "$url" -c "SELECT string_agg(c.relname || ' ' || round(100.0 * v.all_visible / greatest(c.relpages, 1)) || '%', ', ' ORDER BY c.relname)
    FROM pg_class c CROSS JOIN LATERAL pg_visibility_map_summary(c.oid) AS v
    WHERE c.oid = ANY (ARRAY['bench_scale.documents', 'bench_scale.postings', 'bench_scale.term_statistics', 'bench_scale.packed_documents']::regclass[])"
}
sql "ALTER SYSTEM SET autovacuum = off" "SELECT pg_reload_conf()" "CREATE EXTENSION IF NOT EXISTS pg_visibility"
trap 'sql "ALTER SYSTEM RESET autovacuum" "SELECT pg_reload_conf()"' EXIT
for round in 1 2; do
  for table in ${tables//,/}; do sql "SELECT pg_truncate_visibility_map('$table')"; done
  echo "round $round, visibility map cleared: all-visible pages $(visible)"
  .build/release/BenchScale --rounds 3 --out "$here/cleared-$round" | tail -n 3
  start=$(date +%s.%N)
  sql "VACUUM ANALYZE $tables"
  echo "round $round, VACUUM ANALYZE took $(echo "$(date +%s.%N) - $start" | bc) s: all-visible pages $(visible)"
  .build/release/BenchScale --rounds 3 --out "$here/vacuumed-$round" | tail -n 3
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
