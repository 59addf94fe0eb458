"""`cdkg`: thin command-line wrappers over the library."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.build import build as build_dataset, is_stale
from kg.config import Settings
from kg.errors import CdkgError
from kg.export import FORMATS as EXPORT_FORMATS, export as export_dataset
from kg.query import execute, open_store, query_library, resolve_query, run_query, serialize_results
from kg.stats import stats as compute_stats

app = typer.Typer(help="City Diplomacy Knowledge Graph toolkit.", no_args_is_help=True, add_completion=False)
out = Console()
err = Console(stderr=True)


def _fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _build_with_progress(settings: Settings):
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"load": "loading files", "reason": "reasoning (OWL RL rules)"}.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return build_dataset(settings, progress=step)


@app.command()
def build(reasoner: str = typer.Option(None, help="rules (fast, default) or owlrl (reference)")) -> None:
    """Load ontology and data, reason, and write the dataset (store + manifest) to the build folder."""
    settings = Settings(**({"reasoner": reasoner} if reasoner else {}))
    try:
        report = _build_with_progress(settings)
    except CdkgError as exc:
        _fail(exc)
    out.print(f"built {report.asserted} asserted + {report.inferred} inferred triples in {len(report.graphs)} graphs "
              f"({report.seconds['load']:.2f}s load, {report.seconds['reason']:.2f}s reasoning with {report.reasoner}) -> {settings.store_dir}")


@app.command()
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


@app.command("queries")
def list_queries() -> None:
    """List the named competency queries in queries/."""
    table = Table("name", "title")
    for q in query_library().values():
        table.add_row(q.name, q.title)
    out.print(table)


@app.command()
def stats() -> None:
    """Counts per class, per named graph, per source dataset and per source document."""
    settings = Settings()
    try:
        s = compute_stats(open_store(settings), settings.base_iri)
    except CdkgError as exc:
        _fail(exc)
    for key, title in (("sources", "triples per source"), ("graphs", "triples per named graph"),
                       ("classes", "instances per class"), ("documents", "facts per source document")):
        table = Table(title, "count", title_justify="left")
        for name, n in s[key]:
            table.add_row(name, str(n))
        out.print(table)


@app.command()
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


@app.command()
def network(output: Path = typer.Option(Path("network.html"), "--output", "-o", help="HTML file to write"),
            top: int = typer.Option(10, help="how many most-connected nodes to list")) -> None:
    """Project relations to a network (edge annotations in the ontology), list hubs, draw it with pyvis."""
    from kg.network import centrality, draw, project

    settings = Settings()
    try:
        g = project(open_store(settings), settings.base_iri)
    except CdkgError as exc:
        _fail(exc)
    table = Table("node", "label", "degree centrality")
    for node, c in centrality(g, top):
        table.add_row(node, g.nodes[node].get("label", ""), f"{c:.3f}")
    out.print(table)
    draw(g, output)
    out.print(f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges -> {output}")


@app.command()
def serve(host: str = typer.Option(None), port: int = typer.Option(None),
          rebuild: bool = typer.Option(False, help="rebuild even if the build is up to date")) -> None:
    """Build if needed, then run the web service (SPARQL endpoint) with uvicorn."""
    import uvicorn

    from api.app import create_app

    settings = Settings(**{k: v for k, v in (("host", host), ("port", port)) if v is not None})
    try:
        if rebuild or is_stale(settings):
            _build_with_progress(settings)
    except CdkgError as exc:
        _fail(exc)
    err.print(f"serving on http://{settings.host}:{settings.port}/  (SPARQL at /sparql)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    app()
