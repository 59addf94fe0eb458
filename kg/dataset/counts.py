"""Counts per class, per named graph, per source dataset and per source document."""
from __future__ import annotations

import pyoxigraph as ox

from kg.core import run_query, triple_count

_PER_CLASS = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class
  FILTER(isIRI(?class) && !STRSTARTS(STR(?class), STR(owl:)) && !STRSTARTS(STR(?class), STR(rdfs:))) }
GROUP BY ?class ORDER BY DESC(?n) ?class"""
_PER_GRAPH = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
_PER_DOCUMENT = """SELECT ?document (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?fact) AS ?n) WHERE {
  ?fact cd:attestedBy/cd:document ?document . OPTIONAL { ?document rdfs:label ?l FILTER(lang(?l) = "en") } }
GROUP BY ?document ORDER BY ?document"""


def stats(store: ox.Store, base_iri: str = "https://w3id.org/cdkg/") -> dict[str, list[tuple[str, int]]]:
    """{'totals': [(label, n)], 'classes': [(class, n)], 'graphs': [(graph, triples)], 'sources': [(dataset, quads)],
    'documents': [...]}. A source's count sums its graphs, so it counts quads."""
    def pairs(q: str, key: str) -> list[tuple[str, int]]:
        return [(r[key], int(r["n"])) for r in run_query(store, q, base_iri).values()]

    graphs = pairs(_PER_GRAPH, "graph")
    prefix = f"{base_iri}graph/"
    per_source: dict[str, int] = {}
    for g, n in graphs:
        name = g[len(prefix):] if g.startswith(prefix) else g
        per_source[name.split("/")[0]] = per_source.get(name.split("/")[0], 0) + n
    totals = [("triples (distinct: the default graph)", triple_count(store)),
              ("quads (in named graphs)", sum(n for _, n in graphs))]
    docs = [(f"{r['document']} {r['label'] or ''}".strip(), int(r["n"])) for r in run_query(store, _PER_DOCUMENT, base_iri).values()]
    return {"totals": totals, "classes": pairs(_PER_CLASS, "class"), "graphs": graphs, "sources": sorted(per_source.items()), "documents": docs}
