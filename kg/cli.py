"""`cdkg`: thin command-line wrappers over the library."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.build import build as build_dataset, is_stale
from kg.cli_analyze import app as analyze_app
from kg.cli_console import err, fail as _fail, out
from kg.config import Settings
from kg.errors import CdkgError
from kg.export import FORMATS as EXPORT_FORMATS, export as export_dataset
from kg.query import execute, open_store, query_library, resolve_query, run_query, serialize_results
from kg.stats import stats as compute_stats

app = typer.Typer(help="City Diplomacy Knowledge Graph toolkit.", no_args_is_help=True, add_completion=False)
app.add_typer(analyze_app, name="analyze")


def _build_with_progress(settings: Settings):
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"load": "loading files", "import": "importing mapped sources", "reason": "reasoning (OWL RL rules)"}.get(stage, stage), total=total)
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


@app.command()
def report(
    fmt: str = typer.Option("md", "--format", "-f", help="md (Markdown) or json"),
    threshold_km: float = typer.Option(25.0, "--threshold-km", help="report coordinates farther apart than this"),
    output: Path = typer.Option(None, "--output", "-o", help="file to write (default: stdout)"),
) -> None:
    """Cross-source report: ties one source attests and another lacks, coordinate disagreements, reported counts vs the graph."""
    from kg.crosscheck import cross_source_report, to_markdown

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
    for key, title in (("totals", "dataset"), ("sources", "quads per source (its named graphs)"), ("graphs", "triples per named graph"),
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
    """Project relations to a network (edge annotations in the ontology), list hubs, draw the overview (see `cdkg viz`)."""
    from kg.explore import country_overview
    from kg.network import centrality, project
    from kg.viz import write

    settings = Settings()
    try:
        g = project(open_store(settings), settings.base_iri)
    except CdkgError as exc:
        _fail(exc)
    table = Table("node", "label", "degree centrality")
    for node, c in centrality(g, top):
        table.add_row(node, g.nodes[node].get("label", ""), f"{c:.3f}")
    out.print(table)
    write(country_overview(g), output, base_iri=settings.base_iri)
    out.print(f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges (drawn as countries) -> {output}")


@app.command()
def viz(
    output: Path = typer.Option(Path("network.html"), "--output", "-o", help="HTML file to write"),
    ego_of: str = typer.Option(None, "--ego", help="centre of an ego view: IRI, local id (isfahan) or English/Persian label"),
    hops: int = typer.Option(1, min=1, max=3, help="ego view radius in ties (1-3)"),
    geo: bool = typer.Option(False, "--geo", help="place nodes by longitude/latitude (fixed; no physics)"),
    min_degree: int = typer.Option(None, "--min-degree", min=1, help="overview of cities with at least K ties instead of countries"),
    relation: list[str] = typer.Option(None, "--relation", help="keep only this relation (repeatable): agreement, membership, ..."),
    status: list[str] = typer.Option(None, "--status", help="keep only this status (repeatable; 'none' = not given)"),
    from_year: int = typer.Option(None, "--from-year", help="keep ties dated this year or later"),
    to_year: int = typer.Option(None, "--to-year", help="keep ties dated this year or earlier"),
    country: str = typer.Option(None, help="keep ties with one end in this country (IRI, id or name)"),
    network_of: str = typer.Option(None, "--network", help="keep ties among members of this network"),
    max_nodes: int = typer.Option(1500, "--max-nodes", min=10, help="largest ego view (the outer ring keeps its hubs)"),
) -> None:
    """Write an interactive, offline network page: the country overview, cities above --min-degree, or --ego CITY."""
    from kg.explore import EdgeFilter, choose_view, resolve_country, resolve_network, resolve_node
    from kg.network import project
    from kg.viz import write

    settings = Settings()
    base = settings.base_iri
    try:
        g = project(open_store(settings), base)
        edge_filter = EdgeFilter(frozenset(relation or ()), frozenset(status or ()), from_year, to_year,
                                 resolve_country(g, country, base) if country else None,
                                 resolve_network(g, network_of, base) if network_of else None)
        centre = resolve_node(g, ego_of, base) if ego_of else None
        view = choose_view(g, ego_of=centre, hops=hops, min_degree=min_degree, edge_filter=edge_filter, max_nodes=max_nodes)
        write(view, output, geo=geo, base_iri=base)
    except CdkgError as exc:
        _fail(exc)
    note = f" ({'; '.join(view.notes)})" if view.notes else ""
    out.print(f"{view.title}: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} edges{note} -> {output}",
              highlight=False, soft_wrap=True)


@app.command()
def serve(host: str = typer.Option(None), port: int = typer.Option(None),
          rebuild: bool = typer.Option(False, help="rebuild even if the build is up to date")) -> None:
    """Build if needed, then run the web service (SPARQL endpoint) with uvicorn."""
    import uvicorn

    from api.app import create_app

    settings = Settings(**{k: v for k, v in (("host", host), ("port", port)) if v is not None})
    try:
        stale = rebuild or is_stale(settings)
    except CdkgError as exc:
        _fail(exc)
    if stale:
        # In a child process: building the full graph peaks near 1 GB, which a long-running server
        # would otherwise keep (RSS 1.2 GB after build-then-serve vs 0.37 GB serving the built store).
        done = subprocess.run([sys.executable, "-m", "kg.cli", "build"], check=False)
        if done.returncode:
            raise typer.Exit(done.returncode)
    from api.ui_assets import ensure as ensure_ui_assets

    notice = ensure_ui_assets(settings.ui_assets_dir)  # first serve installs the query UI (npm); never fatal
    if notice:
        err.print(f"[yellow]notice:[/yellow] {notice}", highlight=False, soft_wrap=True)
    err.print(f"serving on http://{settings.host}:{settings.port}/  (SPARQL at /sparql)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@app.command("ui-install")
def ui_install() -> None:
    """Install the query UI (YASGUI) from the npm registry into the UI assets folder (needs npm)."""
    from api.ui_assets import PACKAGE, VERSION, install

    settings = Settings()
    try:
        folder = install(settings.ui_assets_dir)
    except CdkgError as exc:
        _fail(exc)
    out.print(f"installed {PACKAGE}@{VERSION} -> {folder}")


@app.command()
def validate(
    files: list[Path] = typer.Argument(None, help="data files to check as a contribution (default: the whole build)"),
    fmt: str = typer.Option("text", "--format", "-f", help="text, turtle (sh:ValidationReport), json or junit"),
    fail_on: str = typer.Option("violation", "--fail-on", help="violation (default) or warning: what makes the exit code 1"),
    output: Path = typer.Option(None, "--output", "-o", help="file to write the report to (default: stdout)"),
    engine: str = typer.Option("fast", help="fast (shapes compiled to SPARQL on Oxigraph) or pyshacl (reference)"),
    standalone: bool = typer.Option(False, help="check FILES on their own (with the ontology) instead of against the build"),
) -> None:
    """Check data against the SHACL shapes. Exit 0: conforms; 1: Violations (or Warnings with --fail-on warning); 2: error."""
    from kg.shacl_report import render, summary
    from kg.validate import validate_build, validate_files

    settings = Settings()
    try:
        if fail_on not in ("violation", "warning"):
            raise CdkgError(f"--fail-on must be 'violation' or 'warning', not '{fail_on}'")
        report = (validate_files(files, settings, engine, context=not standalone) if files
                  else validate_build(settings, engine))
        text = render(report, fmt, fail_on, settings.base_iri)
        if output:
            output.write_text(text, encoding="utf-8")
            err.print(f"{summary(report)} -> {output}", highlight=False)
        else:
            sys.stdout.write(text)
    except (CdkgError, OSError) as exc:
        _fail(exc)
    raise typer.Exit(1 if report.fails(fail_on) else 0)


@app.command()
def publish(
    release_dir: Path = typer.Option(None, "--release-dir", help="where the release appears (default: <build>/release)"),
    remote: str = typer.Option(None, "--remote", help="SPARQL 1.1 Graph Store Protocol endpoint to update, e.g. http://127.0.0.1:7878/store"),
) -> None:
    """Build, reason, validate; only with no Violation write the release (and update the remote store)."""
    from kg.publish import PublishBlocked, publish as publish_release
    from kg.shacl_report import summary, to_text

    settings = Settings()
    try:
        result = publish_release(settings, release_dir, remote)
    except PublishBlocked as exc:
        err.print(to_text(exc.report, settings.base_iri), highlight=False, markup=False, soft_wrap=True)
        err.print(f"[red]blocked:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    except (CdkgError, OSError) as exc:
        _fail(exc)
    out.print(f"published {result.manifest['quads']} quads in {len(result.manifest['graphs'])} graphs -> {result.release} "
              f"({summary(result.report)})", highlight=False, soft_wrap=True)
    if result.remote:
        table = Table("graph", "change", "+", "-", "triples", title=f"remote {remote}", title_justify="left")
        for c in result.remote:
            table.add_row(c.graph, c.status, str(c.added), str(c.removed), str(c.triples))
        out.print(table)


if __name__ == "__main__":
    app()
