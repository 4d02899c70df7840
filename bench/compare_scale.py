"""Compare BenchScale runs of two builds, taken alternately on the same cluster and data.

    python3 bench/compare_scale.py OUT_DIR BEFORE_LABEL AFTER_LABEL \
        before-1/scale-latency.json after-1/scale-latency.json before-2/... after-2/...

Runs are given in the order they were taken, before and after alternating. Per query, each build's
latency is the median over its runs (each run already reports the median of its rounds), and the
speed-up is before / after. Each run also timed plain ORDER BY ts_rank in its own alternation, so the
Loupe-over-plain ratio is reported per build too. Writes OUT_DIR/comparison.{json,md,png}.
"""
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

GROUPS = ["all", "term", "intersection", "union", "phrase", "over 10,000 matches", "over 50,000 matches",
          "high-match (synthetic): term", "high-match (synthetic): union",
          "high-match (synthetic): intersection", "over 50,000 matches, workload and high-match"]


def in_group(query: dict, group: str) -> bool:
    workload = query.get("workload", True)
    if group == "all":
        return workload
    if group in ("term", "intersection", "union", "phrase"):
        return workload and query["kind"] == group
    if group == "over 10,000 matches":
        return workload and query["matches"] > 10_000
    if group == "over 50,000 matches":
        return workload and query["matches"] > 50_000
    if group.startswith("high-match (synthetic): "):
        return not workload and query["kind"] == group.split(": ")[1]
    if group == "over 50,000 matches, workload and high-match":
        return query["matches"] > 50_000
    raise ValueError(group)


def per_query(runs: list) -> dict:
    """(query, kind, workload) -> the query's fields plus lists of Loupe and plain milliseconds."""
    table = {}
    for run in runs:
        for q in run["per_query"]:
            key = (q["query"], q["kind"], q.get("workload", True))
            entry = table.setdefault(key, {"query": q["query"], "kind": q["kind"], "workload": q.get("workload", True),
                                           "matches": q["matches"], "loupe": [], "plain": []})
            entry["loupe"].append(q["loupe_ms"])
            entry["plain"].append(q["plain_ms"])
    return table


def main() -> None:
    out, before_label, after_label, *paths = sys.argv[1:]
    if len(paths) < 2 or len(paths) % 2:
        sys.exit("give the runs in pairs: before, after, before, after, ...")
    runs = [json.load(open(p)) for p in paths]
    before = per_query(runs[0::2])
    after = per_query(runs[1::2])
    keys = [k for k in before if k in after]
    rows = []
    for group in GROUPS:
        members = [k for k in keys if in_group(before[k], group)]
        if not members:
            continue
        b = [statistics.median(before[k]["loupe"]) for k in members]
        a = [statistics.median(after[k]["loupe"]) for k in members]
        plain_b = [statistics.median(before[k]["plain"]) for k in members]
        plain_a = [statistics.median(after[k]["plain"]) for k in members]
        rows.append({
            "group": group, "queries": len(members),
            "before_p50_ms": statistics.median(b), "after_p50_ms": statistics.median(a),
            "median_speedup": statistics.median([x / y for x, y in zip(b, a)]),
            "before_over_plain": statistics.median([p / x for p, x in zip(plain_b, b)]),
            "after_over_plain": statistics.median([p / y for p, y in zip(plain_a, a)]),
        })
    os.makedirs(out, exist_ok=True)
    machine = [r.get("machine", "") for r in runs]
    report = {"before": before_label, "after": after_label, "runs": paths, "groups": rows, "machine": machine,
              "command": " ".join(["python3", "bench/compare_scale.py"] + [a if " " not in a else f"'{a}'" for a in sys.argv[1:]])}
    with open(os.path.join(out, "comparison.json"), "w") as f:
        json.dump(report, f, indent=1)
    lines = [f"# {after_label} against {before_label}", "",
             f"Runs, taken alternately ({len(runs) // 2} of each build): " + ", ".join(f"`{p}`" for p in paths) + ".",
             "Per query each build's latency is the median over its runs; speed-up is before / after per query,",
             "then the median over the group. Each run timed plain `ORDER BY ts_rank` in its own alternation:",
             "the last two columns are each build's median speed-up over it.", "",
             f"| queries | n | {before_label} p50 ms | {after_label} p50 ms | median speed-up | "
             f"{before_label} over plain | {after_label} over plain |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['group']} | {r['queries']} | {r['before_p50_ms']:.1f} | {r['after_p50_ms']:.1f} | "
                     f"{r['median_speedup']:.2f}x | {r['before_over_plain']:.1f}x | {r['after_over_plain']:.1f}x |")
    heavy = sorted((k for k in keys if before[k]["matches"] > 50_000), key=lambda k: -before[k]["matches"])
    if heavy:
        lines += ["", "Queries with over 50,000 matches, one by one (medians over each build's runs):", "",
                  f"| query | kind | matches | {before_label} ms | {after_label} ms | speed-up | plain ms |",
                  "|---|---|---|---|---|---|---|"]
        for k in heavy:
            b, a = statistics.median(before[k]["loupe"]), statistics.median(after[k]["loupe"])
            plain = statistics.median(before[k]["plain"] + after[k]["plain"])
            text = before[k]["query"] if len(before[k]["query"]) <= 40 else before[k]["query"][:37] + "..."
            lines.append(f"| `{text}` | {before[k]['kind']} | {before[k]['matches']} | {b:.1f} | {a:.1f} | {b / a:.2f}x | {plain:.1f} |")
    first = machine[0] if isinstance(machine[0], dict) else {}
    facts = ", ".join(f"{k} {first[k]}" for k in ("cpu", "cores", "memory", "postgresql", "shared_buffers", "work_mem",
                                                 "swift", "build") if k in first)
    lines += ["", f"Machine: {facts}.", "", "Runs in order, with the load average at each one's end:", ""]
    for index, (path, m) in enumerate(zip(paths, machine)):
        label = before_label if index % 2 == 0 else after_label
        if isinstance(m, dict):
            lines.append(f"- {label}: `{path}`, {m.get('date', '')}, load {m.get('load', '')}")
        else:
            lines.append(f"- {label}: `{path}`, {m}")
    lines += ["", f"Command: `{report['command']}`", ""]
    with open(os.path.join(out, "comparison.md"), "w") as f:
        f.write("\n".join(lines))
    fig, ax = plt.subplots(figsize=(11, 6))
    width = 0.38
    for i, (field, label) in enumerate([("before_p50_ms", before_label), ("after_p50_ms", after_label)]):
        bars = ax.barh([y + i * width for y in range(len(rows))], [r[field] for r in rows], height=width, label=label)
        ax.bar_label(bars, fmt="%.1f", padding=2, fontsize=7)
    ax.set_yticks([y + width / 2 for y in range(len(rows))], [f"{r['group']} ({r['queries']})" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Loupe p50 latency, ms (top-10 page with highlights)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{after_label} against {before_label}, alternating runs on the same data")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "comparison.png"), dpi=120)
    print("wrote", os.path.join(out, "comparison.{json,md,png}"))


if __name__ == "__main__":
    main()
