#!/bin/bash
# Reindex rewrites of a 20,000-document collection's two halves after a weight change: one after the other
# (what loupe reindex does, one connection) against both at once (two connections), alternating, 3 rounds.
# Needs a collection COLL imported from the first 20,000 Debian descriptions with title:A text:B.
# Run from the repository root: bash bench/results/import-levers/parallel-rewrite.sh COLL > bench/results/import-levers/parallel-rewrite.out
set -eu
COLL=$1
U="$(.build/release/loupe db url)"
SQL=bench/results/import-levers/rewrite-half.sql
mid=$(psql "$U" -Atc "SELECT external_id FROM documents WHERE collection_id = (SELECT id FROM collections WHERE name = '$COLL') ORDER BY external_id OFFSET 10000 LIMIT 1")
weight() { psql "$U" -qc "UPDATE collection_fields SET weight = '$1' WHERE name = 'title' AND collection_id = (SELECT id FROM collections WHERE name = '$COLL')"; }
now() { date +%s.%N; }
echo "# $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3; do
  weight C; s=$(now)
  psql "$U" -v coll="$COLL" -v lo= -v hi="$mid" -f $SQL > /dev/null
  psql "$U" -v coll="$COLL" -v lo="$mid" -v hi='~~~~' -f $SQL > /dev/null
  e=$(now); printf "round %d one after the other: %.1f s\n" $round "$(echo "$e - $s" | bc)"
  weight A; s=$(now)
  psql "$U" -v coll="$COLL" -v lo= -v hi="$mid" -f $SQL > /dev/null &
  psql "$U" -v coll="$COLL" -v lo="$mid" -v hi='~~~~' -f $SQL > /dev/null
  wait
  e=$(now); printf "round %d both at once:        %.1f s\n" $round "$(echo "$e - $s" | bc)"
done
echo "# load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
