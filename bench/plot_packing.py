"""Chart of a packing comparison written by `BenchImport --packing-only`.

    python3 bench/plot_packing.py bench/results/packing-read-ahead/new-1/packing-read-ahead.json

One bar per build, coloured by how its lists were read (ahead on a second connection, or by the build
itself); the medians per way and their ratio in the title.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from rounds import load_rounds, save_beside  # noqa: E402

COLOURS = {"read ahead": "#3182bd", "read by the build": "#fd8d3c"}


def main(path: str) -> None:
    runs, machine, medians = load_rounds(path, COLOURS)
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.5 * len(runs)))
    seen = set()
    for row, run in enumerate(runs):
        mode = run["mode"]
        ax.barh(row, run["seconds"], color=COLOURS[mode], label=None if mode in seen else mode)
        seen.add(mode)
        ax.text(run["seconds"], row, f" {run['seconds']:.2f} s (load {run['load_average']:.1f})", va="center", fontsize=8)
    ax.set_yticks(range(len(runs)))
    ax.set_yticklabels([f"{r['name']}: {r['mode']}" for r in runs])
    ax.invert_yaxis()
    ax.set_xlabel("seconds per build")
    summary = ", ".join(f"{mode}: median {value:.2f} s" for mode, value in medians.items())
    if len(medians) == 2:
        summary += f" ({medians['read by the build'] / medians['read ahead']:.2f}x)"
    postings = runs[0]["documents"] if runs else 0
    ax.set_title(f"Packing the {runs[0]['corpus'] if runs else ''} corpus's postings ({postings} postings)\n"
                 f"{summary}; {machine.get('cores', '?')} cores, {machine.get('postgresql', '').split(' (')[0]}", fontsize=9)
    ax.set_xlim(0, max((r["seconds"] for r in runs), default=1) * 1.35)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    save_beside(fig, path)


if __name__ == "__main__":
    main(sys.argv[1])
