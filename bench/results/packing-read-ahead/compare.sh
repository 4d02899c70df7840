#!/usr/bin/env bash
# Packing builds of the scale corpus: the build before this change (e94f7dc, whose `readAhead = 0` is the
# build of every commit before it) against the build now, alternating the two binaries twice. Each run loads
# the corpus in bulk into a fresh schema and rebuilds the packs six times, alternating its two ways of reading.
#   OLD=/tmp/packold/.build-import/release/BenchImport NEW=.build-import/release/BenchImport \
#     bash bench/results/packing-read-ahead/compare.sh
set -euo pipefail
out=bench/results/packing-read-ahead
for round in 1 2; do
    for side in new old; do
        binary=$([ "$side" = new ] && echo "$NEW" || echo "$OLD")
        DATABASE_URL="$(.build/release/loupe db url)" "$binary" --packing-only --out "$out/$side-$round" | head -6
        bench/.venv/bin/python bench/plot_packing.py "$out/$side-$round/packing-read-ahead.json"
    done
done
