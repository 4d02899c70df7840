"""Charts for bench/results/vacuum-after-import: what a bulk import left for searches before and after it ended with
VACUUM ANALYZE (pending.out), and the text-search latency with the visibility map cleared and set (run.sh's reports).

    bench/.venv/bin/python bench/plot_vacuum.py bench/results/vacuum-after-import
"""
import json
import os
import re
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from rounds import save_beside  # noqa: E402

QUERY = re.compile(r"^  (filter|text) (.+): ([0-9.]+) ms$")
ROUND = re.compile(r"^round (\d+), (old|new):")


def pending_medians(path: str) -> dict:
    """Per query, the median over rounds of each binary's median time (ms)."""
    times: dict = {}
    which = None
    with open(path) as f:
        for line in f:
            if match := ROUND.match(line):
                which = match.group(2)
            elif (match := QUERY.match(line)) and which:
                label = f"{match.group(1)} {match.group(2)}"
                times.setdefault(label, {}).setdefault(which, []).append(float(match.group(3)))
    return {label: {w: statistics.median(v) for w, v in by.items()} for label, by in times.items()}


def latency(folder: str, prefix: str, group: str) -> float:
    """The median over rounds of Loupe's p50 for a query group in the BenchScale reports `prefix-N`."""
    values = []
    for name in sorted(os.listdir(folder)):
        if name.startswith(prefix + "-"):
            with open(os.path.join(folder, name, "scale-latency.json")) as f:
                values.append(json.load(f)["groups"][group]["loupe_p50_ms"])
    return statistics.median(values)


def main(folder: str) -> None:
    medians = pending_medians(os.path.join(folder, "pending.out"))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    labels = list(medians)
    for offset, (which, name, colour) in enumerate([("old", "ANALYZE only (before)", "#d62728"),
                                                    ("new", "VACUUM ANALYZE (now)", "#2ca02c")]):
        values = [medians[label][which] for label in labels]
        bars = left.barh([i + 0.4 * offset for i in range(len(labels))], values, height=0.4, color=colour, label=name)
        left.bar_label(bars, labels=[f"{v:.2f} ms" for v in values], fontsize=7, padding=2)
    left.set_yticks([i + 0.2 for i in range(len(labels))], labels, fontsize=8)
    left.set_xscale("log")
    left.set_xlabel("median execution time, ms (log scale)")
    left.set_title("right after a bulk import of 63,955 documents\n(GIN pending lists of 1,152 pages before)", fontsize=9)
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    left.invert_yaxis()

    groups = ["all", "term", "intersection", "union", "phrase", "high-match (synthetic): all"]
    for offset, (prefix, name, colour) in enumerate([("cleared", "visibility map cleared", "#d62728"),
                                                     ("vacuumed", "after VACUUM", "#2ca02c")]):
        values = [latency(folder, prefix, group) for group in groups]
        bars = right.barh([i + 0.4 * offset for i in range(len(groups))], values, height=0.4, color=colour, label=name)
        right.bar_label(bars, labels=[f"{v:.1f}" for v in values], fontsize=7, padding=2)
    right.set_yticks([i + 0.2 for i in range(len(groups))], groups, fontsize=8)
    right.set_xlabel("Loupe p50 ms (median of two runs)")
    right.set_title("scale corpus (902 real + 30 high-match queries):\nthe visibility map alone", fontsize=9)
    right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    right.invert_yaxis()
    fig.suptitle("Ending an import with VACUUM ANALYZE (AMD EPYC, 2 cores, PostgreSQL 15.20)", fontsize=10)
    save_beside(fig, os.path.join(folder, "vacuum-after-import.json"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/vacuum-after-import")
