#!/bin/bash
# What a reindex leaves in the GIN pending lists, before and after the change that has it merge the attribute index's
# list too (not only the two text indexes'). Each run imports the Debian descriptions (63,955 documents) in bulk into a
# fresh schema with the new binary, moves `title` from weight A to C, and runs `loupe reindex` with OLD (a binary built
# at 3e7d30b) or NEW (.build/release/loupe), alternated twice, with autovacuum off. After each reindex: the pending
# pages and tuples of the three GIN indexes, and the median execution time (EXPLAIN ANALYZE, of 5 after a warm-up) of an
# attribute filter on the collection.
# Needs a superuser (ALTER SYSTEM, pgstattuple) and postgresql-contrib; the shared parts are in common.sh.
# Run: OLD=/path/to/old/loupe bash bench/results/vacuum-after-import/reindex.sh > bench/results/vacuum-after-import/reindex.out 2>&1
set -euo pipefail
old="${OLD:?OLD=path of a loupe binary built at 3e7d30b}"
source bench/results/vacuum-after-import/common.sh
for round in 1 2; do
  for which in old new; do
    binary=$([ $which = old ] && echo "$old" || echo "$new")
    schema="reindex_pending_$which"
    fresh_schema $schema
    $new import --database-url "$url" --collection debian --create --field title:A --field text:B --mode bulk \
      --progress none corpus/scale/debian-descriptions.jsonl.gz > /dev/null 2>&1
    sql "$url" "UPDATE collection_fields SET weight = 'C' WHERE name = 'title'"
    summary=$($binary reindex --database-url "$url" --collection debian --progress none 2>&1 | grep -E "^reindexed" | tr '\n' ' ')
    echo "round $round, $which: $summary"
    report $schema
    sql "$base" "DROP SCHEMA $schema CASCADE"
  done
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
