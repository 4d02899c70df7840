"""Bar chart of a relevance report written by BenchRelevance.

    python3 bench/plot_relevance.py bench/results/scifact-relevance.json
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path: str) -> None:
    with open(path) as f:
        report = json.load(f)
    systems = [r["system"] for r in report["results"]]
    metrics = ["nDCG@10", "Recall@100"]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.38
    for i, metric in enumerate(metrics):
        values = [r["metrics"][metric] for r in report["results"]]
        bars = ax.barh([y + i * width for y in range(len(systems))], values, height=width, label=metric)
        ax.bar_label(bars, fmt="%.3f", padding=2, fontsize=8)
    ax.set_yticks([y + width / 2 for y in range(len(systems))], systems, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)
    ax.legend(loc="lower right")
    ax.set_title(f"{report['dataset']} {report['split']} split, {report['documents']} documents (same run)")
    fig.tight_layout()
    out = path.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
