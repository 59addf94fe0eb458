"""Reported figures (cd:ReportedFigure: "13 sister cities in 2020") for the pages' partner-count chart,
read once for the whole graph (a few hundred at most), so an ego page picks its focus's in memory."""
from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pyoxigraph as ox

from kg.network.finder import local_name
from kg.network.projection_facts import rows

# What the graph's own counts are set beside: reported partners beside agreement partners, reported
# memberships beside membership ties.
SERIES = {"measure-sister-city-count": "partners", "measure-network-membership-count": "memberships"}
ALL_FIGURES = """SELECT DISTINCT ?figure ?subject ?m ?measure ?value ?reference ?document WHERE {
  ?figure a cd:ReportedFigure ; cd:figureSubject ?subject ; cd:measure ?m ; cd:value ?value .
  ?m skos:prefLabel ?measure FILTER(lang(?measure) = "en")
  OPTIONAL { ?figure cd:referenceDate ?r . ?r time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?reference }
  OPTIONAL { ?figure cd:attestedBy/cd:document ?document } }"""


def reported_figures(store: ox.Store, base_iri: str = "https://w3id.org/cdkg/") -> dict[str, list[dict]]:
    """Subject IRI -> its figures: measure, value, reference date (None when the source gives none), documents."""
    by_figure: dict[str, dict] = {}
    for figure, subject, m, measure, value, reference, document in rows(store, ALL_FIGURES, base_iri):
        f = by_figure.setdefault(figure, {"figure": figure, "subject": subject, "measure": measure,
                                          "series": SERIES.get(local_name(m)),
                                          "value": float(value), "date": reference, "documents": set()})
        if document:
            f["documents"].add(document)
    out: dict[str, list[dict]] = defaultdict(list)
    for f in sorted(by_figure.values(), key=lambda f: (f["date"] or "", f["measure"], f["figure"])):
        out[f["subject"]].append({**f, "documents": sorted(f["documents"]), "doc_names": sorted(local_name(d) for d in f["documents"])})
    return dict(out)


def figures_of(g: nx.MultiDiGraph, node: str | None, figures: dict[str, list[dict]]) -> list[dict]:
    """The figures about a node or about a body that governs it (a municipality speaks for its city)."""
    if node is None:
        return []
    governing = [n for n, d in g.nodes(data=True) if node in d.get("governs", ())] if node in g else []
    return [f for s in [node, *governing] for f in figures.get(s, [])]
