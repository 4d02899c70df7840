"""Reindex rounds of the build before (db467d2) and after the SKIP LOCKED batches, two runs of each, alternated.

bench/.venv/bin/python bench/results/reindex-skip-locked/plot.py
"""
import json
import pathlib
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

here = pathlib.Path(__file__).parent
builds = {"before (db467d2)": "old", "SKIP LOCKED batches": "new"}
rounds = {}
for label, prefix in builds.items():
    for run in (1, 2):
        for m in json.loads((here / f"{prefix}-{run}.json").read_text())["measurements"]:
            width = int(m["mode"].split()[-1])
            rounds.setdefault((label, width), []).append(m["seconds"])

fig, ax = plt.subplots(figsize=(7, 4))
for offset, label in enumerate(builds):
    for width in (2, 1):
        values = rounds[(label, width)]
        x = (0 if width == 2 else 1) + (offset - 0.5) * 0.3
        ax.scatter([x] * len(values), values, color=f"C{offset}", alpha=0.6)
        ax.hlines(statistics.median(values), x - 0.12, x + 0.12, color=f"C{offset}",
                  label=label if width == 2 else None)
ax.set_xticks([0, 1], ["two batches at once (default)", "one batch at a time"])
ax.set_ylabel("seconds (dots: rounds, bars: medians)")
ax.set_ylim(bottom=0)
ax.set_title("loupe reindex, Debian descriptions (63,955 documents)")
ax.legend()
fig.tight_layout()
fig.savefig(here / "reindex-skip-locked.png", dpi=120)
for key, values in sorted(rounds.items()):
    print(key, sorted(round(v, 1) for v in values), "median", round(statistics.median(values), 2))
