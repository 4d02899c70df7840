#!/bin/bash
# parallel-rewrite.sh twice on the same collection: with documents_statistics_apply as migrations define it, then
# with statistics-apply-reordered.sql (its locks last), then the migrations' definition is put back.
# The dev cluster's public schema must be at migration 0011, with a collection COLL of the first 20,000 Debian
# descriptions (title:A text:B), e.g. loupe import --collection rw20k --create --field title:A --field text:B --mode bulk FILE
# Run from the repository root: bash bench/results/import-levers/reorder-experiment.sh COLL > bench/results/import-levers/reorder-experiment.out
set -eu
COLL=$1
U="$(.build/release/loupe db url)"
DIR=bench/results/import-levers
original=$(mktemp)
psql "$U" -Atc "SELECT pg_get_functiondef('public.documents_statistics_apply'::regproc)" > "$original"
trap 'psql "$U" -q -f "$original"; rm -f "$original"' EXIT
echo "== documents_statistics_apply as migrated (locks first)"
bash $DIR/parallel-rewrite.sh "$COLL"
psql "$U" -q -f $DIR/statistics-apply-reordered.sql
echo "== statistics-apply-reordered.sql (locks last)"
bash $DIR/parallel-rewrite.sh "$COLL"
