#!/bin/bash
# What a bulk import leaves behind, before and after the change that ends it with VACUUM ANALYZE instead of ANALYZE:
# the GIN pending lists of `documents` (fastupdate: rows wait in a list every search of the index scans in full,
# until it passes gin_pending_list_limit, 4MB, or a VACUUM merges it), and what that costs a search right after.
# Each run imports the Debian descriptions (63,955 documents) in bulk into a fresh schema with `loupe import`, OLD
# (a binary built before the change) and NEW (.build/release/loupe) alternated twice, with autovacuum off so that
# nothing else cleans up in between. After each import: the pending pages and tuples of the three GIN indexes, and
# the median execution time (EXPLAIN ANALYZE, of 5 after a warm-up) of an attribute filter (`document @>`, the
# containment Loupe's filters use) and of two text matches, on the new collection.
# Needs a superuser (ALTER SYSTEM, pgstattuple) and postgresql-contrib; the shared parts are in common.sh.
# Run: OLD=/path/to/old/loupe bash bench/results/vacuum-after-import/pending.sh > bench/results/vacuum-after-import/pending.out 2>&1
set -euo pipefail
old="${OLD:?OLD=path of a loupe binary built before the change}"
source bench/results/vacuum-after-import/common.sh
for round in 1 2; do
  for which in old new; do
    binary=$([ $which = old ] && echo "$old" || echo "$new")
    schema="vacuum_after_import_$which"
    fresh_schema $schema
    summary=$($binary import --database-url "$url" --collection debian --create --field title:A --field text:B --mode bulk \
      --progress none corpus/scale/debian-descriptions.jsonl.gz 2>&1 | grep -E "^imported|ANALYZE" | tr '\n' ' ')
    echo "round $round, $which: $summary"
    report $schema
    echo "  text 'zebra': $(median_ms "$url" "SELECT count(*) FROM documents d WHERE d.collection_id = $c AND d.deleted_at IS NULL AND d.search_vector @@ 'zebra'::tsquery") ms"
    echo "  text 'web & server': $(median_ms "$url" "SELECT count(*) FROM documents d WHERE d.collection_id = $c AND d.deleted_at IS NULL AND d.search_vector @@ 'web & server'::tsquery") ms"
    sql "$base" "DROP SCHEMA $schema CASCADE"
  done
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
