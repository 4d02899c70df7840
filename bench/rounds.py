"""Reading a report of alternated rounds (`BenchImport --reindex-only`, `--packing-only`) for the plots."""
import json
import statistics


def load_rounds(path: str, modes) -> tuple:
    """The report's rounds, its machine facts, and the median seconds of each of `modes` that ran."""
    with open(path) as f:
        report = json.load(f)
    runs = report["measurements"]
    medians = {mode: statistics.median(r["seconds"] for r in runs if r["mode"] == mode) for mode in modes
               if any(r["mode"] == mode for r in runs)}
    return runs, report.get("machine", {}), medians


def save_beside(fig, path: str) -> None:
    """Writes the figure as a PNG next to the report it was drawn from."""
    fig.tight_layout()
    out = path.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")
