#!/usr/bin/env bash
# HTTP load test: `loupe serve` (release build) over the ~300k-document scale corpus, hit by wrk on loopback
# with the real AOL query workload (corpus/scale/queries-aol.jsonl): 12 connections, 2 threads, 60 s.
#
#   bench/http/run.sh [--duration 60] [--connections 12]
#
# Needs: wrk (apt-get install wrk), the scale corpus loaded in schema bench_scale of the dev cluster
# (`swift run -c release BenchScale` does that), python3 with matplotlib for the plot.
# Writes bench/results/http-load.{json,md,png}.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=60
connections=12
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

swift build -c release --product loupe >/dev/null
loupe="$(swift build -c release --show-bin-path)/loupe"
work="$(mktemp -d /tmp/loupe-http.XXXXXX)"
trap 'kill -TERM "${server:-0}" 2>/dev/null || true; wait "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

base_url="$("$loupe" db url)"
key="bench-http-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=18080
# Serve against the migrations bench_scale was built with: this run must not change the schema.
applied="$(psql "$base_url" -At -c 'SELECT max(version) FROM bench_scale.schema_migrations')"
mkdir -p "$work/migrations"
for file in migrations/*.sql; do
  version=$((10#$(basename "$file" | cut -c1-4)))
  if [ "$version" -le "$applied" ]; then cp "$file" "$work/migrations/"; fi
done
# The scale corpus lives in schema bench_scale; the server's session search_path points there.
DATABASE_URL="${base_url}&options=-csearch_path%3Dbench_scale" LOUPE_ADMIN_KEY="$key" \
  LOUPE_CURSOR_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  "$loupe" serve --port "$port" --connections 8 --log-level warning --migrations "$work/migrations" \
  >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "localhost:$port/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "localhost:$port/ready" >/dev/null || { cat "$work/server.log"; exit 1; }

# One search path per workload query: the query text URL-encoded, a top-10 page with highlights.
python3 - corpus/scale/queries-aol.jsonl "$work/paths.txt" <<'PY'
import json, sys, urllib.parse
with open(sys.argv[1]) as source, open(sys.argv[2], "w") as out:
    for line in source:
        query = json.loads(line)["query"]
        out.write("/v1/collections/scale/search?limit=10&q=" + urllib.parse.quote(query, safe="") + "\n")
PY

LOUPE_WRK_KEY="$key" LOUPE_WRK_PATHS="$work/paths.txt" LOUPE_WRK_JSON="$work/wrk.json" \
  wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s --latency -s bench/http/queries.lua "http://127.0.0.1:$port" \
  | tee "$work/wrk.txt"
alive=$(kill -0 "$server" 2>/dev/null && echo true || echo false)
curl -fsS -H "Authorization: Bearer $key" "localhost:$port/metrics" >"$work/metrics.txt"
LOUPE_BENCH_DB_URL="$base_url" python3 bench/http/report.py "$work/wrk.json" "$work/wrk.txt" "$work/metrics.txt" "$alive" "$duration" "$connections" "$(wc -l <"$work/paths.txt")"
