"""`cdkg build`, `cdkg stats`, `cdkg export`: the dataset."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.cli.console import err, fail as _fail, out
from kg.core import CdkgError, Settings, open_store
from kg.dataset import FORMATS as EXPORT_FORMATS, build as build_dataset, export as export_dataset, stats as compute_stats


def _build_with_progress(settings: Settings):
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"load": "loading files", "import": "importing mapped sources", "reason": "reasoning (OWL RL rules)"}.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return build_dataset(settings, progress=step)


def build(reasoner: str = typer.Option(None, help="rules (fast, default) or owlrl (reference)")) -> None:
    """Load ontology and data, reason, and write the dataset (store + manifest) to the build folder."""
    settings = Settings(**({"reasoner": reasoner} if reasoner else {}))
    try:
        report = _build_with_progress(settings)
    except CdkgError as exc:
        _fail(exc)
    out.print(f"built {report.triples} triples ({report.asserted + report.inferred} quads: {report.asserted} asserted + "
              f"{report.inferred} inferred, in {len(report.graphs)} named graphs) "
              f"({report.seconds['load']:.2f}s load, {report.seconds['reason']:.2f}s reasoning with {report.reasoner}) -> {settings.store_dir}")
    if report.imports:  # mapped sources: say what was skipped and where the review files are
        for issue in report.issues[:20]:
            err.print(f"[yellow]skipped:[/yellow] {issue}", highlight=False, soft_wrap=True)
        rows = sum(m["rows"] for m in report.imports["mappings"].values())
        out.print(f"imported {rows - len(report.issues)} of {rows} rows from {len(report.imports['mappings'])} mapping(s) "
                  f"({len(report.issues)} skipped, see {settings.build_dir / 'import-issues.csv'}); "
                  f"{report.imports['review']} place(s) to review in {settings.build_dir / 'review'}; "
                  f"cross-source report: {settings.build_dir / 'cross-source-report.md'}", highlight=False)


def stats() -> None:
    """Counts per class, per named graph, per source dataset and per source document."""
    settings = Settings()
    try:
        s = compute_stats(open_store(settings), settings.base_iri)
    except CdkgError as exc:
        _fail(exc)
    for key, title in (("totals", "dataset"), ("sources", "quads per source (its named graphs)"), ("graphs", "triples per named graph"),
                       ("classes", "instances per class"), ("documents", "facts per source document")):
        table = Table(title, "count", title_justify="left")
        for name, n in s[key]:
            table.add_row(name, str(n))
        out.print(table)


def export(
    fmt: str = typer.Option("trig", "--format", "-f", help=", ".join(EXPORT_FORMATS)),
    output: Path = typer.Option(None, "--output", "-o", help="file to write (default: stdout)"),
) -> None:
    """Export the dataset (TriG/N-Quads keep named graphs; Turtle/JSON-LD/N-Triples give the union)."""
    settings = Settings()
    try:
        data = export_dataset(open_store(settings), fmt, output, settings.base_iri)
    except CdkgError as exc:
        _fail(exc)
    if data is not None:
        sys.stdout.buffer.write(data)
