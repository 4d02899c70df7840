#!/bin/bash
# What a bulk import leaves behind, before and after the change that ends it with VACUUM ANALYZE instead of ANALYZE:
# the GIN pending lists of `documents` (fastupdate: rows wait in a list every search of the index scans in full,
# until it passes gin_pending_list_limit, 4MB, or a VACUUM merges it), and what that costs a search right after.
# Each run imports the Debian descriptions (63,955 documents) in bulk into a fresh schema with `loupe import`, OLD
# (a binary built before the change) and NEW (.build/release/loupe) alternated twice, with autovacuum off so that
# nothing else cleans up in between. After each import: the pending pages and tuples of the three GIN indexes, and
# the median execution time (EXPLAIN ANALYZE, of 5 after a warm-up) of an attribute filter (`document @>`, the
# containment Loupe's filters use) and of two text matches, on the new collection.
# Needs a superuser (ALTER SYSTEM, pgstattuple) and postgresql-contrib.
# Run: OLD=/path/to/old/loupe bash bench/results/vacuum-after-import/pending.sh > bench/results/vacuum-after-import/pending.out 2>&1
set -euo pipefail
new=.build/release/loupe
old="${OLD:?OLD=path of a loupe binary built before the change}"
base="$($new db url)"
sql() { psql -XAtq -v ON_ERROR_STOP=1 "$1" -c "SET client_min_messages = warning" -c "$2"; }
sql "$base" "ALTER SYSTEM SET autovacuum = off"
sql "$base" "SELECT pg_reload_conf()" > /dev/null
trap 'sql "$base" "ALTER SYSTEM RESET autovacuum"; sql "$base" "SELECT pg_reload_conf()" > /dev/null' EXIT
sql "$base" "CREATE EXTENSION IF NOT EXISTS pgstattuple"
# Wherever pgstattuple is installed (the test suite puts it in a schema of its own).
stattuple=$(sql "$base" "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgstattuple'")
median_ms() {  # $1 url, $2 query: median execution time of 5 runs after one warm-up
  for run in 0 1 2 3 4 5; do
    psql -XAtq "$1" -c "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY ON) $2" | sed -n 's/^Execution Time: \(.*\) ms$/\1/p' | { [ $run -eq 0 ] && cat > /dev/null || cat; }
  done | sort -n | sed -n 3p
}
for round in 1 2; do
  for which in old new; do
    binary=$([ $which = old ] && echo "$old" || echo "$new")
    schema="vacuum_after_import_$which"
    sql "$base" "DROP SCHEMA IF EXISTS $schema CASCADE"
    sql "$base" "CREATE SCHEMA $schema"
    url="$base&options=-csearch_path%3D$schema"
    $new migrate up --database-url "$url" > /dev/null
    summary=$($binary import --database-url "$url" --collection debian --create --field title:A --field text:B --mode bulk \
      --progress none corpus/scale/debian-descriptions.jsonl.gz 2>&1 | grep -E "^imported|ANALYZE" | tr '\n' ' ')
    echo "round $round, $which: $summary"
    for index in idx_documents_search_vector idx_documents_stop_vector idx_documents_document; do
      echo "  $index pending pages, tuples: $(sql "$url" "SELECT pending_pages || ', ' || pending_tuples FROM $stattuple.pgstatginindex('$schema.$index')")"
    done
    c="(SELECT id FROM collections WHERE name = 'debian')"
    echo "  filter document @> {\"title\": \"Python 3 bindings\"}: $(median_ms "$url" "SELECT count(*) FROM documents d WHERE d.collection_id = $c AND d.deleted_at IS NULL AND d.document @> '{\"title\": \"Python 3 bindings\"}'") ms"
    echo "  text 'zebra': $(median_ms "$url" "SELECT count(*) FROM documents d WHERE d.collection_id = $c AND d.deleted_at IS NULL AND d.search_vector @@ 'zebra'::tsquery") ms"
    echo "  text 'web & server': $(median_ms "$url" "SELECT count(*) FROM documents d WHERE d.collection_id = $c AND d.deleted_at IS NULL AND d.search_vector @@ 'web & server'::tsquery") ms"
    sql "$base" "DROP SCHEMA $schema CASCADE"
  done
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
