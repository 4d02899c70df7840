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
