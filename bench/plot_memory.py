"""Latency chart of a report written by BenchMemory.

    python3 bench/plot_memory.py bench/results/memory-engine.json
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path: str) -> None:
    with open(path) as f:
        report = json.load(f)
    tiers = [t for t in ["scale", "synthetic"] if t in report]
    kinds = ["term", "high-match term", "intersection", "union", "phrase"]
    kinds = [k for k in kinds if any(k in report[t]["latency"] for t in tiers)]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, percentile in zip(axes, ["p50", "p99"]):
        width = 0.8 / max(1, len(tiers))
        for i, tier in enumerate(tiers):
            latency = report[tier]["latency"]
            values = [latency.get(k, {}).get(f"{percentile}_ms", 0) for k in kinds]
            label = f"{tier} ({report[tier]['documents']:,} docs)"
            bars = ax.barh([y + i * width for y in range(len(kinds))], values, height=width, label=label)
            ax.bar_label(bars, fmt="%.2f", padding=2, fontsize=7)
        ax.set_xscale("log")
        ax.set_title(f"{percentile} latency, top 10 (ms, log scale)")
        ax.set_yticks([y + width * (len(tiers) - 1) / 2 for y in range(len(kinds))], kinds, fontsize=8)
        ax.invert_yaxis()
    # Below the charts, where no bar or label runs into it.
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(tiers), fontsize=8)
    fig.suptitle("In-memory engine, real AOL query workload (high-match term: the corpus's most frequent words)")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    out = path.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
