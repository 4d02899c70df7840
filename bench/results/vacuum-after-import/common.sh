# Shared by pending.sh and reindex.sh (sourced): autovacuum off for the run, pgstattuple, and the per-round schema,
# pending-list report and filter probe. Needs a superuser (ALTER SYSTEM, CREATE EXTENSION) and postgresql-contrib.
new=.build/release/loupe
base="$($new db url)"
sql() { psql -XAtq -v ON_ERROR_STOP=1 "$1" -c "SET client_min_messages = warning" -c "$2"; }
sql "$base" "ALTER SYSTEM SET autovacuum = off"
sql "$base" "SELECT pg_reload_conf()" > /dev/null
trap 'sql "$base" "ALTER SYSTEM RESET autovacuum"; sql "$base" "SELECT pg_reload_conf()" > /dev/null' EXIT
sql "$base" "CREATE EXTENSION IF NOT EXISTS pgstattuple"
# The collection every round imports, as SQL.
c="(SELECT id FROM collections WHERE name = 'debian')"
# Wherever pgstattuple is installed (the test suite puts it in a schema of its own).
stattuple=$(sql "$base" "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgstattuple'")

# The median execution time of 5 runs of query $2 on $1, after one warm-up.
median_ms() {
  for run in 0 1 2 3 4 5; do
    psql -XAtq "$1" -c "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY ON) $2" | sed -n 's/^Execution Time: \(.*\) ms$/\1/p' | { [ $run -eq 0 ] && cat > /dev/null || cat; }
  done | sort -n | sed -n 3p
}

# A fresh, migrated schema $1; sets $url to reach it.
fresh_schema() {
  sql "$base" "DROP SCHEMA IF EXISTS $1 CASCADE"
  sql "$base" "CREATE SCHEMA $1"
  url="$base&options=-csearch_path%3D$1"
  $new migrate up --database-url "$url" > /dev/null
}

# The three GIN indexes' pending lists in schema $1, and an attribute filter's time on the collection `debian`.
report() {
  for index in idx_documents_search_vector idx_documents_stop_vector idx_documents_document; do
    echo "  $index pending pages, tuples: $(sql "$url" "SELECT pending_pages || ', ' || pending_tuples FROM $stattuple.pgstatginindex('$1.$index')")"
  done
  echo "  filter document @> {\"title\": \"Python 3 bindings\"}: $(median_ms "$url" "SELECT count(*) FROM documents d WHERE d.collection_id = $c AND d.deleted_at IS NULL AND d.document @> '{\"title\": \"Python 3 bindings\"}'") ms"
}
