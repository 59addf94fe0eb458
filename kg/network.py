"""Project relation nodes to a network (networkx) using the ontology's edge annotations, and draw it (pyvis).

Each relation class declares cd:edgeSource / cd:edgeTarget (properties of its nodes), cd:edgeLabel
and cd:edgeDirected; every instance becomes one edge that keeps the relation node's IRI, so the
picture always leads back to the sourced fact.
"""
from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.query import run_query

EDGES = """
SELECT ?relation ?class ?source ?target ?label ?directed WHERE {
  ?class cd:edgeSource ?sp ; cd:edgeTarget ?tp ; cd:edgeLabel ?label ; cd:edgeDirected ?directed .
  FILTER(lang(?label) = "en")
  ?relation a ?class ; ?sp ?source ; ?tp ?target .
  FILTER(isIRI(?source) && isIRI(?target) && ?source != ?target)
  # Only the most specific annotated class of a node projects it (an AidShipment is also an Event).
  FILTER NOT EXISTS { ?relation a ?sub . ?sub rdfs:subClassOf ?class ; cd:edgeSource ?x . FILTER(?sub != ?class) }
}"""
NODE_LABELS = """SELECT ?n ?en ?fa ?type WHERE { VALUES ?n { %s }
  OPTIONAL { ?n rdfs:label ?en FILTER(lang(?en) = "en") } OPTIONAL { ?n rdfs:label ?fa FILTER(lang(?fa) = "fa") }
  OPTIONAL { ?n a ?type FILTER(STRSTARTS(STR(?type), STR(cd:))) } }"""


def project(store: ox.Store, base_iri: str = "https://w3id.org/cdkg/") -> nx.MultiDiGraph:
    """All annotated relations as one multigraph; undirected relations carry directed=False."""
    g = nx.MultiDiGraph()
    rows = run_query(store, EDGES, base_iri).values()
    for r in rows:
        g.add_edge(r["source"], r["target"], key=r["relation"], label=r["label"], relation_class=r["class"],
                   directed=r["directed"] == "true")
    if g.number_of_nodes():
        values = " ".join(f"<{n}>" for n in g.nodes)
        for r in run_query(store, NODE_LABELS % values, base_iri).values():
            data = g.nodes[r["n"]]
            data.setdefault("label", r["en"] or r["n"].rsplit("/", 1)[-1])
            if r["fa"]:
                data.setdefault("label_fa", r["fa"])
            if r["type"]:
                data.setdefault("types", set()).add(r["type"].rsplit("#", 1)[-1])
    return g


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
        net.add_node(n, label=label, title=tooltip, group=sorted(data.get("types", {"Other"}))[0])
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
