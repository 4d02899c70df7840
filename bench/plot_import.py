"""Throughput chart of a report written by BenchImport.

    python3 bench/plot_import.py bench/results/import-throughput.json

Top: documents/s and MB/s of every run (log scale). Bottom: where each bulk import's time went, phase by
phase, beside its corpus's ceiling time.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

PHASES = [
    ("loading", "loading (read, stage, vectors)", "#9ecae1"),
    ("documents", "publication: documents", "#3182bd"),
    ("waiting", "publication: waiting for prepared postings", "#c6dbef"),
    ("statistics", "publication: statistics and impacts", "#08519c"),
    ("vacuum", "VACUUM ANALYZE", "#bdbdbd"),
    ("analyze", "ANALYZE (reports before session 12)", "#d9d9d9"),
    ("packing", "packed postings build", "#fdae6b"),
]


def main(path: str) -> None:
    with open(path) as f:
        report = json.load(f)
    runs = report["measurements"]
    bulk = [r for r in runs if r["mode"] == "bulk" and r.get("phases", {}).get("publication") is not None]
    colours = {"ceiling": "#888888", "reference": "#bbbbbb", "bulk": "#1f77b4", "incremental": "#ff7f0e", "online": "#2ca02c"}
    top = 0.45 * len(runs) + 1.5
    bottom = 0.6 * len(bulk) + 1.6 if bulk else 0
    fig = plt.figure(figsize=(13, top + bottom))
    grid = fig.add_gridspec(2 if bulk else 1, 2, height_ratios=[top, bottom] if bulk else [top])
    axes = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])]
    axes[1].sharey(axes[0])
    labels = [r["name"] for r in runs]
    for ax, key, title in [
        (axes[0], "documents_per_second", "documents/s (log scale)"),
        (axes[1], "megabytes_per_second", "MB/s (log scale)"),
    ]:
        values = [r[key] for r in runs]
        bars = ax.barh(range(len(runs)), values, color=[colours.get(r["mode"], "#333333") for r in runs])
        ax.bar_label(bars, fmt="%.0f" if key == "documents_per_second" else "%.2f", padding=2, fontsize=7)
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(title)
    axes[0].set_yticks(range(len(runs)), labels, fontsize=8)
    axes[0].invert_yaxis()
    plt.setp(axes[1].get_yticklabels(), visible=False)

    if bulk:
        ax = fig.add_subplot(grid[1, :])
        rows = []
        for run in bulk:
            ceiling = next((r for r in runs if r["mode"] == "ceiling" and r["corpus"] == run["corpus"]), None)
            if ceiling is not None:
                rows.append((f"ceiling {run['corpus']}", {"ceiling": ceiling["seconds"]}))
            rows.append((run["name"], run["phases"]))
        for index, (label, phases) in enumerate(rows):
            if "ceiling" in phases:
                ax.barh(index, phases["ceiling"], color=colours["ceiling"])
                continue
            left = 0.0
            for key, _, colour in PHASES:
                value = phases.get(key, 0.0)
                ax.barh(index, value, left=left, color=colour)
                left += value
        ax.set_yticks(range(len(rows)), [label for label, _ in rows], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("seconds")
        ax.set_title("bulk import phases (the publication is one transaction on one connection)")
        shown = [(name, colour) for key, name, colour in PHASES if any(key in phases for _, phases in rows)]
        handles = [plt.Rectangle((0, 0), 1, 1, color=colour) for _, colour in shown]
        handles.append(plt.Rectangle((0, 0), 1, 1, color=colours["ceiling"]))
        ax.legend(
            handles, [name for name, _ in shown] + ["ceiling: to_tsvector alone"], fontsize=7,
            loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3,
        )

    machine = report["machine"]
    fig.suptitle(
        f"loupe import / reindex throughput ({machine.get('cores', '?')} cores, {machine.get('postgresql', '')}, "
        f"load {machine.get('load', '?').split(' ')[0]})",
        fontsize=10,
    )
    fig.tight_layout()
    out = path.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
