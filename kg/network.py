"""Network helpers kept under their first names: project (re-exported from kg.projection), centrality, draw.

Each relation class declares cd:edgeSource / cd:edgeTarget (properties of its nodes), cd:edgeLabel
and cd:edgeDirected; every instance becomes one edge that keeps the relation node's IRI, so the
picture always leads back to the sourced fact. See kg.projection for the filters and attributes.
"""
from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
from kg.projection import city_graph, co_membership, project  # noqa: F401  (the projection lives in kg.projection)


def centrality(g: nx.MultiDiGraph, top: int = 10) -> list[tuple[str, float]]:
    """Degree centrality on the undirected view: who is most connected."""
    c = nx.degree_centrality(nx.Graph(g.to_undirected()))
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def draw(g: nx.MultiDiGraph, out: Path, title: str = "City diplomacy network") -> Path:
    """Interactive HTML (pyvis) with labels in English and Persian; assets inlined (works offline)."""
    from pyvis.network import Network

    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line", heading=title)
    for n, data in g.nodes(data=True):
        label = data.get("label", n)
        tooltip = "\n".join(x for x in (label, data.get("label_fa", ""), n) if x)
        net.add_node(n, label=label, title=tooltip, group=sorted(data.get("types") or {"Other"})[0])
    for s, t, key, data in g.edges(keys=True, data=True):
        net.add_edge(s, t, title=f"{data['label']}: {key}", arrows="to" if data["directed"] else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_offline(net.generate_html()), encoding="utf-8")
    return out


# pyvis inlines vis-network but still links Bootstrap from a CDN; the page does not need it, and a
# picture that must work offline cannot depend on it.
_CDN_TAGS = re.compile(r"<link[^>]*https://cdn[^>]*/>|<script[^>]*src=\"https://cdn[^>]*>\s*</script>", re.S)


def _offline(html: str) -> str:
    return _CDN_TAGS.sub("", html)
