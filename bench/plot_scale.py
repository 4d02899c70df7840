"""Latency chart of a report written by BenchScale.

    python3 bench/plot_scale.py bench/results/scale-latency.json
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path: str) -> None:
    with open(path) as f:
        report = json.load(f)
    order = ["all", "term", "intersection", "union", "phrase", "over 10,000 matches", "over 50,000 matches",
             "high-match (synthetic): all", "high-match (synthetic): term", "high-match (synthetic): union",
             "high-match (synthetic): intersection", "over 50,000 matches, workload and high-match"]
    groups = [g for g in order if report["groups"].get(g, {}).get("queries", 0) > 0]
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.5), sharey=True)
    for ax, percentile in zip(axes, ["p50", "p95"]):
        width = 0.38
        for i, (system, label) in enumerate([("loupe", "Loupe BM25 + highlights"), ("plain", "plain ORDER BY ts_rank")]):
            values = [report["groups"][g][f"{system}_{percentile}_ms"] for g in groups]
            bars = ax.barh([y + i * width for y in range(len(groups))], values, height=width, label=label)
            ax.bar_label(bars, fmt="%.1f", padding=2, fontsize=7)
        ax.set_xscale("log")
        ax.set_title(f"{percentile} latency (ms, log scale)")
        ax.set_yticks([y + width / 2 for y in range(len(groups))],
                      [f"{g} ({report['groups'][g]['queries']})" for g in groups], fontsize=8)
        ax.invert_yaxis()
    axes[0].legend(loc="lower right", fontsize=8)
    real = report.get("workload_queries", len(report["per_query"]))
    synthetic = report.get("high_match_queries", 0)
    fig.suptitle(f"{report['documents']} documents, {real} real queries and {synthetic} synthetic high-match queries, same run")
    fig.tight_layout()
    out = path.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
