"""Write analysis results as CSV, JSON and charts (PNG and SVG, matplotlib's Agg backend)."""
from __future__ import annotations

import csv
import json
from pathlib import Path


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    """Rows of dicts as CSV; lists are joined with ' | ' so a cell stays one value."""
    columns = columns or (list(rows[0]) if rows else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: " | ".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v for k, v in r.items()})
    return path


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_plain), encoding="utf-8")
    return path


def _plain(value):
    return sorted(value) if isinstance(value, (set, frozenset)) else str(value)


def _figure():
    import matplotlib  # imported here: charts are optional output, and the import is slow

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, stem: Path) -> list[Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for p in paths:
        fig.savefig(p, bbox_inches="tight", dpi=120 if p.suffix == ".png" else None)
    plt.close(fig)
    return paths


def _integer_ticks():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def degree_chart(distribution: list[tuple[int, int]], stem: Path, title: str) -> list[Path]:
    """Degree distribution on log-log axes (counts of cities per number of partner cities)."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    points = [(d, n) for d, n in distribution if d > 0]
    if points:
        ax.loglog([d for d, _ in points], [n for _, n in points], "o", markersize=4)
    ax.set_xlabel("degree (partner cities)")
    ax.set_ylabel("number of cities")
    ax.set_title(title)
    return _save(plt, fig, stem)


def growth_chart(timeline: dict, stem: Path, title: str) -> list[Path]:
    """Stacked bars of ties per start year by relation; the undated count goes in the caption."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    years = [r["year"] for r in timeline["rows"]]
    bottom = [0] * len(years)
    for rel in timeline["relations"]:
        counts = [r.get(rel, 0) for r in timeline["rows"]]
        if any(counts):
            ax.bar(years, counts, bottom=bottom, label=rel)
            bottom = [b + c for b, c in zip(bottom, counts)]
    ax.set_xlabel("year of the tie's start (stated, else first attested)")
    ax.set_ylabel("ties")
    ax.set_title(title)
    if years:
        ax.set_xticks(years)
        ax.legend()
    fig.text(0.01, -0.02, f"{timeline['undated_total']} tie(s) with no known start are not shown.", fontsize=8)
    return _save(plt, fig, stem)


def partner_chart(timeline: dict, stem: Path) -> list[Path]:
    """A city's dated partners (cumulative) as a step line, reported counts as labelled points."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    rows = timeline["rows"]
    dated = [r for r in timeline["reported"] if r["reference date"]]
    if rows:  # the step runs on to the last reported year, so both read on one axis
        last = max([rows[-1]["year"], *(int(r["reference date"][:4]) for r in dated)])
        xs = [r["year"] for r in rows] + ([last] if last > rows[-1]["year"] else [])
        ys = [r["partners (cumulative, dated)"] for r in rows]
        ax.step(xs, ys + ys[-1:] * (len(xs) - len(ys)), where="post", label="partners in the graph (dated ties, cumulative)")
    for r in dated:
        year = int(r["reference date"][:4])
        ax.plot([year], [r["value"]], "s", color="tab:red")
        ax.annotate(f"{r['measure']}: {r['value']} ({r['document']})", (year, r["value"]), fontsize=7,
                    xytext=(4, 4), textcoords="offset points")
    ax.axhline(timeline["partners_known"], linestyle=":", color="grey",
               label=f"all partners in the graph, dated or not ({timeline['partners_known']})")
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(_integer_ticks())
    ax.set_ylabel("count")
    ax.set_title(f"{timeline['label']}: partners over time and reported counts")
    ax.legend(fontsize=8)
    undated = len(timeline["reported"]) - len(dated)
    if undated:
        fig.text(0.01, -0.02, f"{undated} reported figure(s) without a reference date are listed in the CSV/JSON only.", fontsize=8)
    return _save(plt, fig, stem)
