"""Throughput chart of a report written by BenchImport.

    python3 bench/plot_import.py bench/results/import-throughput.json
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path: str) -> None:
    with open(path) as f:
        report = json.load(f)
    runs = report["measurements"]
    colours = {"ceiling": "#888888", "bulk": "#1f77b4", "incremental": "#ff7f0e", "online": "#2ca02c"}
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.45 * len(runs) + 1.5), sharey=True)
    labels = [r["name"] for r in runs]
    for ax, key, title in [
        (axes[0], "documents_per_second", "documents/s (log scale)"),
        (axes[1], "megabytes_per_second", "MB/s (log scale)"),
    ]:
        values = [r[key] for r in runs]
        bars = ax.barh(range(len(runs)), values, color=[colours.get(r["mode"], "#333333") for r in runs])
        ax.bar_label(bars, fmt="%.0f" if key == "documents_per_second" else "%.2f", padding=2, fontsize=7)
        ax.set_xscale("log")
        ax.set_title(title)
    axes[0].set_yticks(range(len(runs)), labels, fontsize=8)
    axes[0].invert_yaxis()
    machine = report["machine"]
    fig.suptitle(f"loupe import / reindex throughput ({machine.get('cores', '?')} cores, {machine.get('postgresql', '')})", fontsize=10)
    fig.tight_layout()
    out = path.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
