# The old build: git worktree add /tmp/old db467d2 && (cd /tmp/old && swift build -c release --scratch-path /tmp/old/.build-import --product BenchImport)
# The new build: swift build -c release --scratch-path .build-import --product BenchImport (in /work/main)
cd /work/main
export DATABASE_URL="$(.build/release/loupe db url)"
for round in 1 2; do
  for v in new old; do
    if [ $v = new ]; then B=.build-import/release/BenchImport; else B=/tmp/old/.build-import/release/BenchImport; fi
    mkdir -p /tmp/rx-$v-$round
    echo "== $v $round $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    $B --reindex-only --skip-scale --out /tmp/rx-$v-$round > /tmp/rx-$v-$round/stdout 2>&1
    echo "exit $?"
  done
done
echo finished
