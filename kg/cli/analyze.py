"""`cdkg analyze ...`: thin command-line wrappers over kg.network.analysis (tables on screen, CSV/JSON/charts in --out)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kg.cli.console import err, fail as _fail, out
from kg.core import Settings
from kg.core import CdkgError

app = typer.Typer(help="Network analysis of the projected graph: measures, explained paths, ego networks, timelines.",
                  no_args_is_help=True)

RELATION = typer.Option(None, "--relation", "-r", help="keep this relation (repeatable): agreement, membership, aid, event, tenure, designation, proposal, programme")
KIND = typer.Option(None, "--kind", help="keep ties of this kind (repeatable), e.g. 'sister-city (twinning)'")
STATUS = typer.Option(None, "--status", "-s", help="keep ties whose latest status is this (repeatable), e.g. signed")
AS_OF = typer.Option(None, "--as-of", help="the network as it stood on YYYY-MM-DD (ties with no known start are left out)")
COUNTRY = typer.Option(None, "--country", help="keep ties with an endpoint in this country (IRI, English name or ISO code)")
NETWORK = typer.Option(None, "--network", help="keep this network's memberships and the ties among its members (IRI or name)")
OUT = typer.Option(None, "--out", "-o", help="folder to write CSV/JSON (and PNG/SVG charts) to")


def _graph(relation, kind, status, as_of, country, network):
    from kg.network import project
    from kg.core import open_store

    settings = Settings()
    store = open_store(settings)
    g = project(store, settings.base_iri, relations=relation or None, kinds=kind or None, statuses=status or None,
                as_of=as_of, country=country, network=network)
    return store, settings, g


def _table(title: str, rows: list[dict], columns: list[str]) -> None:
    table = Table(*columns, title=title, title_justify="left")
    for r in rows:
        table.add_row(*["" if r.get(c) is None else (" | ".join(map(str, r[c])) if isinstance(r[c], list) else str(r[c])) for c in columns])
    out.print(table)


def _wrote(paths: list[Path]) -> None:
    for p in paths:
        err.print(f"wrote {p}", highlight=False)


@app.command()
def measures(top: int = typer.Option(20, help="cities to list on screen (files hold all)"),
             k: int = typer.Option(100, help="betweenness: sources sampled when the graph is large"),
             seed: int = typer.Option(7, help="seed of sampled betweenness and Louvain"),
             relation: list[str] = RELATION, kind: list[str] = KIND, status: list[str] = STATUS,
             as_of: str = AS_OF, country: str = COUNTRY, network: str = NETWORK, out_dir: Path = OUT) -> None:
    """Degree, betweenness, eigenvector, Louvain community and component of every city; degree distribution."""
    from kg.network import analysis, analysis_output as w
    from kg.network import city_graph

    try:
        _, _, g = _graph(relation, kind, status, as_of, country, network)
        m = analysis.measures(g, k=k, seed=seed)
    except CdkgError as exc:
        _fail(exc)
    _table("summary", [{"measure": k_, "value": v} for k_, v in m.summary.items()], ["measure", "value"])
    _table(f"top {top} cities by degree", m.nodes[:top], ["label", "country", "degree", "ties", "betweenness", "eigenvector", "community", "component"])
    if out_dir:
        dist = analysis.degree_distribution(city_graph(g))
        dist_rows = [{"degree": d, "cities": n} for d, n in dist]
        _wrote([w.write_csv(out_dir / "measures.csv", m.nodes),
                w.write_json(out_dir / "measures.json", {"summary": m.summary, "nodes": m.nodes,
                                                         "community_sizes": [len(c) for c in m.communities]}),
                w.write_csv(out_dir / "degree-distribution.csv", dist_rows),
                *w.degree_chart(dist, out_dir / "degree-distribution", "Degree distribution of the city graph")])


@app.command()
def path(a: str = typer.Argument(..., help="city: IRI, English or Persian name"), b: str = typer.Argument(..., help="city"),
         relation: list[str] = RELATION, kind: list[str] = KIND, status: list[str] = STATUS,
         as_of: str = AS_OF, country: str = COUNTRY, network: str = NETWORK, out_dir: Path = OUT) -> None:
    """Shortest chain of ties between two cities, each hop with the ties' kind, status, start and sources."""
    from kg.network import analysis, analysis_output as w

    try:
        _, _, g = _graph(relation, kind, status, as_of, country, network)
        result = analysis.explain_path(g, a, b)
    except CdkgError as exc:
        _fail(exc)
    flat = [{"hop": i + 1, "from": h["from_label"], "to": h["to_label"], **t} for i, h in enumerate(result["hops"]) for t in h["ties"]]
    if result["connected"]:
        _table(f"{len(result['hops'])} hop(s)", flat, ["hop", "from", "to", "relation", "kind", "status", "start", "sources", "relation_iri"])
    else:
        out.print(result["message"])
    if out_dir:
        _wrote([w.write_json(out_dir / "path.json", result), w.write_csv(out_dir / "path.csv", flat,
                ["hop", "from", "to", "relation", "kind", "status", "start", "sources", "relation_iri"])])


@app.command()
def ego(city: str = typer.Argument(..., help="city: IRI, English or Persian name"),
        hops: int = typer.Option(1, "--hops", help="1, 2 or 3"),
        relation: list[str] = RELATION, kind: list[str] = KIND, status: list[str] = STATUS,
        as_of: str = AS_OF, country: str = COUNTRY, network: str = NETWORK, out_dir: Path = OUT) -> None:
    """The ties within HOPS steps of a city: its nodes (by degree inside the ego network) and edges."""
    from kg.network import analysis, analysis_output as w

    try:
        _, _, g = _graph(relation, kind, status, as_of, country, network)
        sub = analysis.ego(g, city, hops)
    except CdkgError as exc:
        _fail(exc)
    nodes = sorted(({"node": n, "label": d.get("label"), "kind": d.get("kind"), "country": d.get("country_label"),
                     "degree": sub.degree(n)} for n, d in sub.nodes(data=True)), key=lambda r: (-r["degree"], r["node"]))
    edges = [{"source": s, "target": t, "relation_iri": k_, **{c: d.get(c) for c in ("relation", "kind", "status", "start", "sources")}}
             for s, t, k_, d in sub.edges(keys=True, data=True)]
    _table(f"{sub.number_of_nodes()} nodes, {sub.number_of_edges()} ties within {hops} hop(s) of {sub.graph['centre']}",
           nodes[:30], ["label", "kind", "country", "degree"])
    if out_dir:
        _wrote([w.write_csv(out_dir / "ego-nodes.csv", nodes), w.write_csv(out_dir / "ego-edges.csv", edges),
                w.write_json(out_dir / "ego.json", {"centre": sub.graph["centre"], "hops": hops, "nodes": nodes, "edges": edges})])


@app.command()
def timeline(city: str = typer.Argument(None, help="a city: its partners over time beside reported counts (default: ties per year)"),
             relation: list[str] = RELATION, kind: list[str] = KIND, status: list[str] = STATUS,
             as_of: str = AS_OF, country: str = COUNTRY, network: str = NETWORK, out_dir: Path = OUT) -> None:
    """Ties per year of their start, or a city's partner count over time next to the counts sources reported."""
    from kg.network import analysis, analysis_output as w

    try:
        store, settings, g = _graph(relation, kind, status, as_of, country, network)
        data = analysis.partner_timeline(store, g, city, settings.base_iri) if city else analysis.growth_timeline(g)
    except CdkgError as exc:
        _fail(exc)
    if city:
        _table(f"{data['label']}: agreement partners by year ({data['partners_known']} known, "
               f"{data['partners_undated']} with no known start)", data["rows"], ["year", "partners (cumulative, dated)"])
        _table("reported by sources", data["reported"], ["measure", "value", "reference date", "reference note", "document"])
        name, chart = "partner-timeline", lambda: w.partner_chart(data, out_dir / "partner-timeline")
        columns = ["year", "partners (cumulative, dated)"]
    else:
        _table(f"ties per start year ({data['undated_total']} with no known start)", data["rows"], ["year", *data["relations"], "total"])
        name, chart = "timeline", lambda: w.growth_chart(data, out_dir / "timeline", "Ties per year of their start")
        columns = ["year", *data["relations"], "total"]
    if out_dir:
        files = [w.write_csv(out_dir / f"{name}.csv", data["rows"], columns), w.write_json(out_dir / f"{name}.json", data)]
        if city:
            files.append(w.write_csv(out_dir / "reported-figures.csv", data["reported"],
                                     ["measure", "value", "reference date", "reference note", "document", "figure"]))
        _wrote([*files, *chart()])
