"""`cdkg query`, `cdkg queries`, `cdkg report`: asking the built store."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from kg.cli.console import err, fail as _fail, out
from kg.core import CdkgError, Settings, execute, open_store, query_library, resolve_query, run_query, serialize_results


def query(
    q: str = typer.Argument(..., help="SPARQL text, a .rq file, or the name of a query in queries/"),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, tsv, json, xml; for CONSTRUCT: turtle, ntriples, jsonld, trig"),
    limit: int = typer.Option(1000, help="rows shown in table format"),
) -> None:
    """Run a SPARQL query on the built dataset (project prefixes are predeclared)."""
    settings = Settings()
    try:
        text, _ = resolve_query(q)
        store = open_store(settings)
        if fmt != "table":
            sys.stdout.buffer.write(serialize_results(execute(store, text, settings.base_iri), fmt))
            return
        result = run_query(store, text, settings.base_iri, limit=limit)
    except CdkgError as exc:
        _fail(exc)
    if result.kind == "ask":
        out.print("true" if result.boolean else "false")
        return
    if result.kind == "graph":
        sys.stdout.buffer.write(serialize_results(execute(store, text, settings.base_iri), "turtle"))
        return
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*["" if t is None else t.value for t in row])
    out.print(table)
    out.print(f"{len(result.rows)} row(s)", style="dim")


def list_queries() -> None:
    """List the named competency queries in queries/."""
    table = Table("name", "title")
    for q in query_library().values():
        table.add_row(q.name, q.title)
    out.print(table)


def report(
    fmt: str = typer.Option("md", "--format", "-f", help="md (Markdown) or json"),
    threshold_km: float = typer.Option(25.0, "--threshold-km", help="report coordinates farther apart than this"),
    output: Path = typer.Option(None, "--output", "-o", help="file to write (default: stdout)"),
) -> None:
    """Cross-source report: ties one source attests and another lacks, coordinate disagreements, reported counts vs the graph."""
    from kg.sources import cross_source_report, to_markdown

    settings = Settings()
    if fmt not in ("md", "json"):
        _fail(CdkgError(f"--format must be md or json, not '{fmt}'"))
    try:
        rep = cross_source_report(open_store(settings), settings, threshold_km)
    except CdkgError as exc:
        _fail(exc)
    text = to_markdown(rep) if fmt == "md" else rep.to_json()
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)
