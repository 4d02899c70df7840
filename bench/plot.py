"""Charts for Loupe benchmark results.

Usage (through the wrapper, which manages bench/.venv):

    bench/plot.sh [--results bench/results] [--out bench/results]

or directly, with matplotlib installed from bench/requirements.txt:

    python3 bench/plot.py [--results DIR] [--out DIR]

Every *.json file in the results directory is read. Files whose top-level
"kind" is "relevance" or "speed" are plotted; any other JSON file (older
result files have other shapes) is ignored silently. Any key may be missing:
whatever is absent is left out of the charts.

Charts written to the output directory:

    relevance-<dataset>.png  nDCG@10 (and Recall@100 when present) per system
    speed-<tier>.png         p50/p95 latency per query type and engine,
                             engine measurement point and HTTP when present
    speed-scaling.png        p50 latency versus corpus size, all speed files
    speed-import.png         import throughput and speed-up over plain PostgreSQL
    speed-throughput.png     queries/s versus concurrent clients per tier

Each chart has a footer with the machine facts recorded in its JSON file(s).
Exit status: 0 when at least one chart was written, 1 when nothing could be
plotted, 2 when the results directory does not exist.
"""
import argparse
import json
import math
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

BENCH = Path(__file__).resolve().parent
QUERY_TYPES = ["term", "intersection", "union", "phrase", "high-match", "all"]
ENGINE_COLOURS = {"plain-postgres": "#8c8c8c", "postgres": "#1f77b4", "memory": "#ff7f0e"}
EXTRA_COLOURS = ["#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
QUERY_MARKERS = {"term": "o", "intersection": "s", "union": "^", "phrase": "D", "high-match": "v", "all": "*"}
QUERY_COLOURS = {
    "term": "#4c72b0",
    "intersection": "#55a868",
    "union": "#c44e52",
    "phrase": "#8172b2",
    "high-match": "#ccb974",
    "all": "#333333",
}
FOOTER_KEYS = [
    ("cores", "{} cores"),
    ("memory", "{} memory"),
    ("postgresql", "{}"),
    ("date", "{}"),
    ("commit", "commit {}"),
]
DPI = 120


# ----------------------------------------------------------------------------
# Loading and safe access


def load_results(directory):
    """Return (relevance, speed) lists of (path, report) from directory/*.json."""
    relevance, speed = [], []
    for path in sorted(directory.glob("*.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            print(f"skipping {path}: {error}", file=sys.stderr)
            continue
        if not isinstance(report, dict):
            continue
        if report.get("kind") == "relevance":
            relevance.append((path, report))
        elif report.get("kind") == "speed":
            speed.append((path, report))
    return relevance, speed


def dig(value, *keys):
    """Follow nested dictionary keys; None as soon as one is missing."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def number(value):
    """A finite int/float as float, otherwise None (missing, null, text, bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def positive(value):
    """number(value) when it is > 0 (drawable on a log axis), otherwise None."""
    value = number(value)
    return value if value is not None and value > 0 else None


def text(value, default=""):
    return value if isinstance(value, str) and value else default


def mapping(value):
    return value if isinstance(value, dict) else {}


def dict_list(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def count(value):
    """'5,183' for a number, '' otherwise."""
    value = number(value)
    return f"{value:,.0f}" if value is not None else ""


# ----------------------------------------------------------------------------
# Speed report helpers


def engines(report):
    """(name, entry) for every engine entry of a speed report."""
    result = []
    for index, entry in enumerate(dict_list(report.get("engines"))):
        result.append((text(entry.get("engine"), f"engine {index + 1}"), entry))
    return result


def tier_name(path, report):
    return text(report.get("tier"), path.stem)


def is_synthetic(report):
    return report.get("synthetic") is True


def tier_label(path, report):
    return tier_name(path, report) + (" (synthetic)" if is_synthetic(report) else "")


def by_documents(speed):
    """Speed reports ordered by corpus size (reports without a size last)."""
    return sorted(speed, key=lambda item: number(item[1].get("documents")) or math.inf)


def ordered_query_types(found):
    found = set(found)
    return [q for q in QUERY_TYPES if q in found] + sorted(found - set(QUERY_TYPES))


def engine_colours(names):
    colours, extra = {}, iter(EXTRA_COLOURS * 4)
    for name in names:
        if name not in colours:
            colours[name] = ENGINE_COLOURS.get(name) or next(extra)
    return colours


def all_engine_names(speed):
    names = []
    for _, report in speed:
        for name, _ in engines(report):
            if name not in names:
                names.append(name)
    return names


def latency_types(report, point):
    """Query types that have a p50 for measurement point `point` in any engine."""
    found = []
    for _, entry in engines(report):
        for qtype, stats in mapping(dig(entry, "latency", point)).items():
            if positive(dig(stats, "p50_ms")) is not None:
                found.append(qtype)
    return ordered_query_types(found)


# ----------------------------------------------------------------------------
# Shared figure helpers


def footer_text(machine):
    parts = []
    for key, template in FOOTER_KEYS:
        value = dig(machine, key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            parts.append(template.format(str(value).strip()))
    return " · ".join(parts) if parts else "machine facts not recorded"


def add_footer(fig, labelled_machines):
    """Footer with machine facts; labelled_machines is a list of (label, machine).

    Identical facts are printed once; different ones get one line each, prefixed
    with the labels of the files they came from.
    """
    lines = {}
    for label, machine in labelled_machines:
        lines.setdefault(footer_text(machine), []).append(label)
    if len(lines) == 1:
        body = next(iter(lines))
    else:
        body = "\n".join(f"{', '.join(labels)}: {facts}" for facts, labels in lines.items())
    fig.supxlabel(body, x=0.01, ha="left", fontsize=7, color="0.35")


def new_figure(width, height, rows=1, cols=1, **kwargs):
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), layout="constrained", squeeze=False, **kwargs)
    return fig, axes


def save(fig, path):
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    print("wrote", path)


def safe_name(value):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-") or "unnamed"


def unique_path(out, name, used, fallback):
    """out/name.png, or out/name-fallback.png when name was already written in this run."""
    candidate = safe_name(name)
    if candidate in used:
        candidate = f"{candidate}-{safe_name(fallback)}"
    used.add(candidate)
    return out / f"{candidate}.png"


def no_data(ax, message):
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def log_limits(ax, values, low_pad=2.0, high_pad=2.5):
    values = [v for v in values if v is not None and v > 0]
    if values:
        ax.set_ylim(min(values) / low_pad, max(values) * high_pad)


def grouped_offsets(members):
    """Bar width and x offsets that centre `members` bars around each group position."""
    width = 0.8 / max(members, 1)
    return width, [(i - (members - 1) / 2) * width for i in range(members)]


# ----------------------------------------------------------------------------
# 1. Relevance


def plot_relevance(path, report, out, used):
    systems = [s for s in dict_list(report.get("systems")) if isinstance(s.get("metrics"), dict)]
    metrics = [m for m in ("nDCG@10", "Recall@100") if any(number(s["metrics"].get(m)) is not None for s in systems)]
    if "nDCG@10" not in metrics:
        print(f"skipping {path}: no system has nDCG@10", file=sys.stderr)
        return None

    def ndcg(system):
        value = number(system["metrics"].get("nDCG@10"))
        return value if value is not None else -1.0

    systems.sort(key=ndcg, reverse=True)
    names = [text(s.get("name"), f"system {i + 1}") for i, s in enumerate(systems)]
    height = 1.6 + 0.42 * len(systems)
    fig, axes = new_figure(6.0 * len(metrics) + 2.5, height, cols=len(metrics), sharey=True)
    for ax, metric, colour in zip(axes[0], metrics, ["#1f77b4", "#55a868"]):
        values = [number(s["metrics"].get(metric)) for s in systems]
        bars = ax.barh(range(len(systems)), [v or 0.0 for v in values], color=colour, height=0.65)
        labels = [f"{v:.4f}" if v is not None else "n/a" for v in values]
        ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
        top = max([v for v in values if v is not None] + [0.1])
        ax.set_xlim(0, min(top * 1.18, 1.15) if top <= 1 else top * 1.18)
        ax.set_xlabel(metric)
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
    axes[0][0].set_yticks(range(len(systems)), names, fontsize=8)
    axes[0][0].invert_yaxis()

    details = []
    if text(report.get("split")):
        details.append(f"{report['split']} split")
    if count(report.get("documents")):
        details.append(f"{count(report.get('documents'))} documents")
    if count(report.get("queries")):
        details.append(f"{count(report.get('queries'))} queries")
    dataset = text(report.get("dataset"), path.stem)
    fig.suptitle(f"Relevance: {dataset}" + (f" — {', '.join(details)}" if details else ""))
    add_footer(fig, [(dataset, report.get("machine"))])
    target = unique_path(out, f"relevance-{dataset}", used, path.stem)
    save(fig, target)
    return target


# ----------------------------------------------------------------------------
# 2. Latency per tier


def draw_latency_panel(ax, report, point, colours):
    """Grouped p50 bars with p95 whiskers for one measurement point; returns drawn values."""
    qtypes = latency_types(report, point)
    named = [(name, entry) for name, entry in engines(report) if mapping(dig(entry, "latency", point))]
    width, offsets = grouped_offsets(len(named))
    drawn = []
    for (name, entry), offset in zip(named, offsets):
        xs, p50s, whisker_xs, whisker_p50s, whisker_up = [], [], [], [], []
        for x, qtype in enumerate(qtypes):
            stats = dig(entry, "latency", point, qtype)
            p50 = positive(dig(stats, "p50_ms"))
            if p50 is None:
                continue
            xs.append(x + offset)
            p50s.append(p50)
            p95 = positive(dig(stats, "p95_ms"))
            if p95 is not None:
                whisker_xs.append(x + offset)
                whisker_p50s.append(p50)
                whisker_up.append(max(p95 - p50, 0.0))
                drawn.append(p95)
        drawn.extend(p50s)
        if xs:
            ax.bar(xs, p50s, width=width * 0.92, color=colours[name], label=name)
        if whisker_xs:  # thin line from p50 up to p95, capped at p95 only
            tops = [p50 + up for p50, up in zip(whisker_p50s, whisker_up)]
            ax.vlines(whisker_xs, whisker_p50s, tops, color="0.15", lw=0.8)
            ax.plot(whisker_xs, tops, linestyle="none", marker="_", markersize=6, color="0.15")
    ax.set_yscale("log")
    ax.set_xticks(range(len(qtypes)), qtypes)
    ax.set_ylabel("latency (ms, log)")
    ax.grid(axis="y", which="both", alpha=0.25)
    ax.set_axisbelow(True)
    log_limits(ax, drawn)
    return drawn


def plot_latency(path, report, out, used):
    points = [p for p in ("engine", "http") if latency_types(report, p)]
    if not points:
        print(f"skipping latency chart for {path}: no latency measurements", file=sys.stderr)
        return None
    colours = engine_colours(all_engine_names([(path, report)]))
    qcount = max(len(latency_types(report, p)) for p in points)
    fig, axes = new_figure(max(7.0, 1.3 * qcount + 3), 4.2 * len(points), rows=len(points))
    titles = {"engine": "engine measurement point (in process)", "http": "HTTP measurement point (end to end)"}
    for ax, point in zip(axes[:, 0], points):
        draw_latency_panel(ax, report, point, colours)
        ax.set_title(titles[point], fontsize=10)
    handles = [Patch(color=colours[name], label=name) for name, _ in engines(report) if name in colours]
    handles.append(Line2D([], [], color="0.15", lw=0.8, label="whisker: p95 (bar: p50)"))
    axes[0][0].legend(handles=handles, fontsize=8, loc="upper left")

    tier = tier_name(path, report)
    documents = count(report.get("documents"))
    title = f"Query latency: tier {tier}" + (f", {documents} documents" if documents else "")
    fig.suptitle(title + (" (synthetic)" if is_synthetic(report) else ""))
    add_footer(fig, [(tier, report.get("machine"))])
    target = unique_path(out, f"speed-{tier}", used, path.stem)
    save(fig, target)
    return target


# ----------------------------------------------------------------------------
# 3. Scaling


def plot_scaling(speed, out):
    reports = [(p, r) for p, r in by_documents(speed) if positive(r.get("documents")) is not None]
    qtypes = ordered_query_types(q for _, r in reports for q in latency_types(r, "engine"))
    if not qtypes:
        print("skipping speed-scaling.png: no speed file has documents and engine latency", file=sys.stderr)
        return None
    names = all_engine_names(reports)
    colours = engine_colours(names)
    cols = min(3, len(qtypes))
    rows = math.ceil(len(qtypes) / cols)
    fig, axes = new_figure(4.3 * cols, 3.4 * rows + 0.8, rows=rows, cols=cols, sharex=True, sharey=True)
    ticks = {}
    for path, report in reports:
        ticks.setdefault(positive(report["documents"]), tier_name(path, report))
    drawn_engines, any_synthetic = [], False
    for index, qtype in enumerate(qtypes):
        ax = axes[index // cols][index % cols]
        for name in names:
            points = []
            for _, report in reports:
                entry = dict(engines(report)).get(name)
                p50 = positive(dig(entry, "latency", "engine", qtype, "p50_ms"))
                if p50 is not None:
                    points.append((positive(report["documents"]), p50, is_synthetic(report)))
            if not points:
                continue
            if name not in drawn_engines:
                drawn_engines.append(name)
            marker = QUERY_MARKERS.get(qtype, "o")
            ax.plot([p[0] for p in points], [p[1] for p in points], color=colours[name], lw=1.4)
            for synthetic in (False, True):
                subset = [p for p in points if p[2] == synthetic]
                any_synthetic |= synthetic and bool(subset)
                if subset:
                    ax.plot([p[0] for p in subset], [p[1] for p in subset], linestyle="none", marker=marker,
                            markersize=6, color=colours[name], markeredgewidth=1.3,
                            markerfacecolor="white" if synthetic else colours[name])
        ax.set_title(qtype, fontsize=10)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(which="both", alpha=0.25)
    for index in range(len(qtypes), rows * cols):
        axes[index // cols][index % cols].set_visible(False)
    for ax in axes.flat:
        ax.set_xticks(list(ticks), list(ticks.values()))
        ax.xaxis.set_minor_formatter(NullFormatter())
    for ax in axes[:, 0]:
        ax.set_ylabel("p50 latency (ms, log)")
    for index in range(len(qtypes)):
        if index + cols >= len(qtypes):
            axes[index // cols][index % cols].set_xlabel("documents (log)")
            axes[index // cols][index % cols].xaxis.set_tick_params(labelbottom=True)

    handles = [Line2D([], [], color=colours[n], lw=1.4, label=n) for n in drawn_engines]
    handles.append(Line2D([], [], color="0.3", marker="o", linestyle="none", label="measured tier"))
    if any_synthetic:
        handles.append(Line2D([], [], color="0.3", marker="o", markerfacecolor="white", linestyle="none",
                              label="synthetic tier (hollow)"))
    fig.suptitle("p50 latency versus corpus size (engine measurement point)")
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    add_footer(fig, [(tier_name(p, r), r.get("machine")) for p, r in reports])
    target = out / "speed-scaling.png"
    save(fig, target)
    return target


# ----------------------------------------------------------------------------
# 4. Import throughput and speed-up over plain PostgreSQL


def draw_import_panel(ax, reports, colours):
    rows = [(tier_label(p, r), {n: positive(dig(e, "import", "documents_per_second")) for n, e in engines(r)})
            for p, r in reports]
    rows = [(label, {n: v for n, v in values.items() if v is not None}) for label, values in rows]
    rows = [(label, values) for label, values in rows if values]
    if not rows:
        no_data(ax, "no import measurements")
        return
    names = [n for n in colours if any(n in values for _, values in rows)]
    width, offsets = grouped_offsets(len(names))
    drawn = []
    for name, offset in zip(names, offsets):
        xs = [x + offset for x, (_, values) in enumerate(rows) if name in values]
        ys = [values[name] for _, values in rows if name in values]
        bars = ax.bar(xs, ys, width=width * 0.92, color=colours[name], label=name)
        ax.bar_label(bars, labels=[f"{y:,.0f}" for y in ys], fontsize=7, padding=2, rotation=90)
        drawn.extend(ys)
    ax.set_xticks(range(len(rows)), [label for label, _ in rows])
    ax.set_yscale("log")
    log_limits(ax, drawn, low_pad=3.0, high_pad=6.0)
    ax.set_ylabel("documents/s (log)")
    ax.set_title("import throughput", fontsize=10)
    ax.grid(axis="y", which="both", alpha=0.25)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, loc="upper right")


def draw_ratio_panel(ax, reports):
    groups = []
    for path, report in reports:
        for name, entry in engines(report):
            values = {q: positive(v) for q, v in mapping(dig(entry, "ratio_to_plain")).items()}
            values = {q: v for q, v in values.items() if v is not None}
            if values:
                groups.append((f"{name}\n{tier_label(path, report)}", values))
    if not groups:
        no_data(ax, "no ratio_to_plain measurements")
        return
    qtypes = ordered_query_types(q for _, values in groups for q in values)
    width, offsets = grouped_offsets(len(qtypes))
    drawn = [1.0, 10.0]
    for qtype, offset in zip(qtypes, offsets):
        xs = [x + offset for x, (_, values) in enumerate(groups) if qtype in values]
        ys = [values[qtype] for _, values in groups if qtype in values]
        ax.bar(xs, ys, width=width * 0.92, color=QUERY_COLOURS.get(qtype, "0.6"), label=qtype)
        drawn.extend(ys)
    ax.axhline(1.0, color="black", lw=1.0, label="1× (same as plain)")
    ax.axhline(10.0, color="black", lw=1.0, linestyle="--", label="10×")
    ax.set_xticks(range(len(groups)), [label for label, _ in groups], fontsize=8)
    ax.set_yscale("log")
    log_limits(ax, drawn, low_pad=1.6, high_pad=1.8)
    ax.set_ylabel("p50 speed-up over plain PostgreSQL (×, log)")
    ax.set_title("ratio to plain PostgreSQL (p50)", fontsize=10)
    ax.grid(axis="y", which="both", alpha=0.25)
    ax.set_axisbelow(True)
    ax.legend(fontsize=7, ncols=4, loc="upper left")


def plot_import(speed, out):
    reports = by_documents(speed)
    has_import = any(positive(dig(e, "import", "documents_per_second")) for _, r in reports for _, e in engines(r))
    has_ratio = any(isinstance(dig(e, "ratio_to_plain"), dict) for _, r in reports for _, e in engines(r))
    if not (has_import or has_ratio):
        print("skipping speed-import.png: no import or ratio_to_plain measurements", file=sys.stderr)
        return None
    colours = engine_colours(all_engine_names(reports))
    ratio_groups = sum(isinstance(dig(e, "ratio_to_plain"), dict) for _, r in reports for _, e in engines(r))
    fig, axes = new_figure(max(9.0, 1.6 * ratio_groups + 2), 9.0, rows=2)
    draw_import_panel(axes[0][0], reports, colours)
    draw_ratio_panel(axes[1][0], reports)
    fig.suptitle("Import throughput and query speed-up over plain PostgreSQL")
    add_footer(fig, [(tier_name(p, r), r.get("machine")) for p, r in reports])
    target = out / "speed-import.png"
    save(fig, target)
    return target


# ----------------------------------------------------------------------------
# 5. Throughput versus clients


def throughput_points(entry):
    points = []
    for item in dict_list(dig(entry, "throughput")):
        clients, qps = positive(item.get("clients")), positive(item.get("queries_per_second"))
        if clients is not None and qps is not None:
            points.append((clients, qps))
    return sorted(points)


def plot_throughput(speed, out):
    reports = [(p, r) for p, r in by_documents(speed) if any(throughput_points(e) for _, e in engines(r))]
    if not reports:
        print("skipping speed-throughput.png: no throughput measurements", file=sys.stderr)
        return None
    colours = engine_colours(all_engine_names(speed))
    fig, axes = new_figure(max(4.2 * len(reports), 6.0), 4.6, cols=len(reports))
    drawn = []
    for ax, (path, report) in zip(axes[0], reports):
        clients = set()
        for name, entry in engines(report):
            points = throughput_points(entry)
            if points:
                clients.update(c for c, _ in points)
                ax.plot([c for c, _ in points], [q for _, q in points], marker="o", color=colours[name])
                if name not in drawn:
                    drawn.append(name)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted(clients), [f"{c:g}" for c in sorted(clients)])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("concurrent clients")
        documents = count(report.get("documents"))
        ax.set_title(tier_label(path, report) + (f"\n{documents} documents" if documents else ""), fontsize=10)
        ax.grid(which="both", alpha=0.25)
        ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.08)
        ax.set_ylabel("queries/s")
    fig.suptitle("Query throughput versus concurrent clients (each tier on its own scale)")
    handles = [Line2D([], [], color=colours[n], marker="o", label=n) for n in drawn]
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    add_footer(fig, [(tier_name(p, r), r.get("machine")) for p, r in reports])
    target = out / "speed-throughput.png"
    save(fig, target)
    return target


# ----------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description="Plot Loupe relevance and speed benchmark results.")
    parser.add_argument("--results", type=Path, default=BENCH / "results", help="directory with *.json results")
    parser.add_argument("--out", type=Path, default=None, help="directory for PNGs (default: --results)")
    args = parser.parse_args(argv)
    out = args.out or args.results
    if not args.results.is_dir():
        print(f"plot.py: results directory {args.results} does not exist", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)

    relevance, speed = load_results(args.results)
    used, written = set(), []
    for path, report in relevance:
        written.append(plot_relevance(path, report, out, used))
    for path, report in speed:
        written.append(plot_latency(path, report, out, used))
    if speed:
        written.append(plot_scaling(speed, out))
        written.append(plot_import(speed, out))
        written.append(plot_throughput(speed, out))
    written = [w for w in written if w is not None]
    if not written:
        print(f"plot.py: nothing to plot in {args.results} (no usable \"relevance\" or \"speed\" results)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
