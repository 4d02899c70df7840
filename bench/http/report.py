"""Turns a wrk run against `loupe serve` into bench/results/http-load.{json,md,png}.

Called by bench/http/run.sh; arguments: wrk.json wrk.txt metrics.txt server-alive duration connections queries.
"""
import datetime
import json
import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

wrk_json, wrk_text, metrics_text, alive, duration, connections, queries = sys.argv[1:8]
result = json.load(open(wrk_json))
text = open(wrk_text).read()
non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0

# Per-status counts as the server saw them, from its own Prometheus counter.
statuses = {}
for line in open(metrics_text):
    m = re.match(r'loupe_http_requests_total\{method="GET",route="([^"]+)",status="(\d+)"\} (\d+)', line)
    if m and m.group(1).endswith("/search"):
        statuses[m.group(2)] = statuses.get(m.group(2), 0) + int(m.group(3))


def sh(command):
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


machine = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
    "cores": sh("nproc"),
    "memory": sh("grep MemTotal /proc/meminfo | awk '{print $2 \" kB\"}'"),
    "postgres": sh("psql \"$LOUPE_BENCH_DB_URL\" -At -c 'show server_version'"),
    "swift": sh("swift --version 2>&1 | head -1"),
    "commit": sh("git rev-parse --short HEAD"),
    "load_average": sh("cut -d' ' -f1-3 /proc/loadavg"),
}
seconds = result["duration_us"] / 1e6
summary = {
    "what": "loupe serve (release) on the scale corpus (307,850 docs, schema bench_scale), GET search top-10 with highlights",
    "workload": f"corpus/scale/queries-aol.jsonl ({queries} queries, round-robin)",
    "tool": f"wrk -t2 -c{connections} -d{duration}s --timeout 10s (loopback, same machine as server and PostgreSQL)",
    "requests": result["requests"],
    "requests_per_second": round(result["requests"] / seconds, 1),
    "latency_ms": {k: round(v / 1000, 2) for k, v in result["latency_us"].items()},
    "non_2xx": non2xx,
    "socket_errors": result["errors"],
    "server_statuses": statuses,
    "server_alive_after": alive == "true",
    "machine": machine,
    "command": f"bench/http/run.sh --duration {duration} --connections {connections}",
}
os.makedirs("bench/results", exist_ok=True)
json.dump(summary, open("bench/results/http-load.json", "w"), indent=2)

lat = summary["latency_ms"]
with open("bench/results/http-load.md", "w") as out:
    out.write("# HTTP load: `loupe serve` under wrk\n\n")
    out.write(f"{summary['what']}; {summary['workload']}; {summary['tool']}.\n\n")
    out.write("| requests | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | non-2xx | socket errors | server alive |\n")
    out.write("|---|---|---|---|---|---|---|---|---|---|\n")
    errors = sum(result["errors"].values()) - result["errors"]["status"]
    out.write(f"| {summary['requests']} | {summary['requests_per_second']} | {lat['p50']} | {lat['p90']} | {lat['p99']} | "
              f"{lat['p999']} | {lat['max']} | {non2xx} | {errors} | {summary['server_alive_after']} |\n\n")
    out.write(f"Statuses counted by the server for the search route: {statuses}\n\n")
    out.write("Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()) + "\n\n")
    out.write(f"Reproduce: `{summary['command']}` (needs the scale corpus in schema bench_scale: "
              "`swift run -c release BenchScale`).\n\n![latency](http-load.png)\n")

fig, ax = plt.subplots(figsize=(6, 3.2))
labels = ["p50", "p90", "p99", "p99.9"]
values = [lat["p50"], lat["p90"], lat["p99"], lat["p999"]]
ax.bar(labels, values, color="#4a7ebb")
for i, v in enumerate(values):
    ax.text(i, v, f"{v:.1f}", ha="center", va="bottom", fontsize=9)
ax.set_ylabel("latency (ms)")
ax.set_title(f"loupe serve, {connections} connections: {summary['requests_per_second']} req/s, {non2xx} non-2xx", fontsize=10)
fig.tight_layout()
fig.savefig("bench/results/http-load.png", dpi=120)
print(json.dumps({k: summary[k] for k in ("requests", "requests_per_second", "latency_ms", "non_2xx", "server_alive_after")}))
