"""Chart of a reindex comparison written by `BenchImport --reindex-only`.

    python3 bench/plot_reindex.py bench/results/reindex-parallel.json

One bar per round, split into the batches, the impact refresh and the packing, coloured by how many batches
ran at once; the medians per setting in the title.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from rounds import load_rounds, save_beside  # noqa: E402

PARTS = [("rewriting", "batches"), ("impacts", "impact refresh"), ("packing", "packing")]
COLOURS = {"reindex 1": ["#fd8d3c", "#fdae6b", "#fdd0a2"], "reindex 2": ["#3182bd", "#6baed6", "#c6dbef"]}


def main(path: str) -> None:
    runs, machine, medians = load_rounds(path, COLOURS)
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.6 * len(runs)))
    labels = []
    for row, run in enumerate(runs):
        left = 0.0
        for index, (key, name) in enumerate(PARTS):
            value = run.get("phases", {}).get(key, 0.0)
            ax.barh(row, value, left=left, color=COLOURS[run["mode"]][index],
                    label=f"{name} ({run['mode'].split()[-1]} at once)" if row < 2 else None)
            left += value
        ax.text(left, row, f" {run['seconds']:.1f} s", va="center", fontsize=8)
        labels.append(f"round {row + 1}: {run['mode'].split()[-1]} at once")
    ax.set_yticks(range(len(runs)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("seconds")
    summary = ", ".join(f"{mode.split()[-1]} at once: median {value:.1f} s" for mode, value in medians.items())
    if "reindex 1" in medians and "reindex 2" in medians:
        summary += f" ({medians['reindex 1'] / medians['reindex 2']:.2f}x)"
    corpus = runs[0]["corpus"] if runs else ""
    ax.set_title(f"loupe reindex of {corpus} ({runs[0]['documents'] if runs else 0} documents) after a weight change\n"
                 f"{summary}; {machine.get('cores', '?')} cores, {machine.get('postgresql', '').split(' on ')[0]}", fontsize=9)
    ax.set_xlim(0, max((r["seconds"] for r in runs), default=1) * 1.12)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    save_beside(fig, path)


if __name__ == "__main__":
    main(sys.argv[1])
