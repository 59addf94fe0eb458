"""`cdkg network`, `cdkg viz`: the network as offline pages."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kg.cli.console import fail as _fail, out
from kg.core import CdkgError, Settings, open_store


def network(output: Path = typer.Option(Path("network.html"), "--output", "-o", help="HTML file to write"),
            top: int = typer.Option(10, help="how many most-connected nodes to list")) -> None:
    """Project relations to a network (edge annotations in the ontology), list hubs, draw the overview (see `cdkg viz`)."""
    from kg.network import country_overview
    from kg.network import centrality, project
    from kg.network import basemap_outlines, figures_of, reported_figures, write

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
    from kg.network import EdgeFilter, choose_view, resolve_country, resolve_network, resolve_node
    from kg.network import project
    from kg.network import basemap_outlines, figures_of, reported_figures, write

    settings = Settings()
    base = settings.base_iri
    try:
        store = open_store(settings)
        g = project(store, base)
        edge_filter = EdgeFilter(frozenset(relation or ()), frozenset(status or ()), from_year, to_year,
                                 resolve_country(g, country, base) if country else None,
                                 resolve_network(g, network_of, base) if network_of else None)
        centre = resolve_node(g, ego_of, base) if ego_of else None
        view = choose_view(g, ego_of=centre, hops=hops, min_degree=min_degree, edge_filter=edge_filter, max_nodes=max_nodes)
        write(view, output, geo=geo, base_iri=base, figures=figures_of(g, centre, reported_figures(store, base)),
              outlines=basemap_outlines(settings.ui_assets_dir) if geo else None)
    except CdkgError as exc:
        _fail(exc)
    note = f" ({'; '.join(view.notes)})" if view.notes else ""
    out.print(f"{view.title}: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} edges{note} -> {output}",
              highlight=False, soft_wrap=True)
