#!/bin/bash
# What a reindex leaves in the GIN pending lists, before and after the change that has it merge the attribute index's
# list too (not only the two text indexes'). Each run imports the Debian descriptions (63,955 documents) in bulk into a
# fresh schema with the new binary, moves `title` from weight A to C, and runs `loupe reindex` with OLD (a binary built
# at 3e7d30b) or NEW (.build/release/loupe), alternated twice, with autovacuum off. After each reindex: the pending
# pages and tuples of the three GIN indexes, and the median execution time (EXPLAIN ANALYZE, of 5 after a warm-up) of an
# attribute filter on the collection.
# Needs a superuser (ALTER SYSTEM, pgstattuple) and postgresql-contrib.
# Run: OLD=/path/to/old/loupe bash bench/results/vacuum-after-import/reindex.sh > bench/results/vacuum-after-import/reindex.out 2>&1
set -euo pipefail
new=.build/release/loupe
old="${OLD:?OLD=path of a loupe binary built at 3e7d30b}"
base="$($new db url)"
sql() { psql -XAtq -v ON_ERROR_STOP=1 "$1" -c "SET client_min_messages = warning" -c "$2"; }
sql "$base" "ALTER SYSTEM SET autovacuum = off"
sql "$base" "SELECT pg_reload_conf()" > /dev/null
trap 'sql "$base" "ALTER SYSTEM RESET autovacuum"; sql "$base" "SELECT pg_reload_conf()" > /dev/null' EXIT
sql "$base" "CREATE EXTENSION IF NOT EXISTS pgstattuple"
stattuple=$(sql "$base" "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgstattuple'")
median_ms() {  # $1 url, $2 query: median execution time of 5 runs after one warm-up
  for run in 0 1 2 3 4 5; do
    psql -XAtq "$1" -c "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY ON) $2" | sed -n 's/^Execution Time: \(.*\) ms$/\1/p' | { [ $run -eq 0 ] && cat > /dev/null || cat; }
  done | sort -n | sed -n 3p
}
for round in 1 2; do
  for which in old new; do
    binary=$([ $which = old ] && echo "$old" || echo "$new")
    schema="reindex_pending_$which"
    sql "$base" "DROP SCHEMA IF EXISTS $schema CASCADE"
    sql "$base" "CREATE SCHEMA $schema"
    url="$base&options=-csearch_path%3D$schema"
    $new migrate up --database-url "$url" > /dev/null
    $new import --database-url "$url" --collection debian --create --field title:A --field text:B --mode bulk \
      --progress none corpus/scale/debian-descriptions.jsonl.gz > /dev/null 2>&1
    sql "$url" "UPDATE collection_fields SET weight = 'C' WHERE name = 'title'"
    summary=$($binary reindex --database-url "$url" --collection debian --progress none 2>&1 | grep -E "^reindexed" | tr '\n' ' ')
    echo "round $round, $which: $summary"
    for index in idx_documents_search_vector idx_documents_stop_vector idx_documents_document; do
      echo "  $index pending pages, tuples: $(sql "$url" "SELECT pending_pages || ', ' || pending_tuples FROM $stattuple.pgstatginindex('$schema.$index')")"
    done
    c="(SELECT id FROM collections WHERE name = 'debian')"
    echo "  filter document @> {\"title\": \"Python 3 bindings\"}: $(median_ms "$url" "SELECT count(*) FROM documents d WHERE d.collection_id = $c AND d.deleted_at IS NULL AND d.document @> '{\"title\": \"Python 3 bindings\"}'") ms"
    sql "$base" "DROP SCHEMA $schema CASCADE"
  done
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
