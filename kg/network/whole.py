"""The whole network at a glance: who is most connected (degree centrality), and one page drawing it all.

Each relation class declares cd:edgeSource / cd:edgeTarget (properties of its nodes), cd:edgeLabel
and cd:edgeDirected; every instance becomes one edge that keeps the relation node's IRI, so the
picture always leads back to the sourced fact. See kg.network.projection for the filters and attributes.
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx


def centrality(g: nx.MultiDiGraph, top: int = 10) -> list[tuple[str, float]]:
    """Degree centrality on the undirected view: who is most connected."""
    c = nx.degree_centrality(nx.Graph(g.to_undirected()))
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def draw(g: nx.MultiDiGraph, out: Path, title: str = "City diplomacy network") -> Path:
    """The whole graph as one interactive, offline page (kg.network.viz: escaped, vis-network inlined); for large
    graphs prefer kg.network.explore's overview and ego views."""
    from kg.network.explore import View
    from kg.network.viz import write

    view = View(g, "cities", title, total_nodes=g.number_of_nodes())
    return write(view, out, base_iri=g.graph.get("base_iri", "https://w3id.org/cdkg/"))
