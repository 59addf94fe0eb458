"""Network measures on the projected graph (kg.network.projection): centralities, communities, components,
explained shortest paths, ego networks and timelines.

Measures run on the city graph (kg.network.projection.city_graph: cities only, parallel ties aggregated) unless
said otherwise. Anything random (sampled betweenness, Louvain) is seeded, and a sampled figure says
how many sources it sampled, so a result can be reproduced and judged.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from kg.network import explore
from kg.network.finder import Ambiguity, find_city
from kg.core import NetworkInputError, UnknownNodeError
from kg.network.projection import city_graph
from kg.network.projection_facts import local_name, rows

SEED = 7
EXACT_BETWEENNESS_BELOW = 2_000  # nodes; exact Brandes costs O(nodes x edges), too slow on the world graph
BETWEENNESS_SAMPLES = 100


@dataclass
class Measures:
    """Per-node figures and what they are: method notes say how each was computed."""
    nodes: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    communities: list[list[str]] = field(default_factory=list)


def resolve_city(g: nx.Graph, name: str) -> str:
    """A node IRI, local id, or English or Persian label -> the node IRI; several places are an error."""
    found = find_city(g, name, Ambiguity.REFUSE_AMBIGUOUS)
    if found is None:
        raise UnknownNodeError(f"no city '{name}' in the network ({g.number_of_nodes()} nodes with these filters): "
                               "give its IRI or English name as `cdkg query agreements-of-city` shows it, "
                               "check the spelling, or loosen --relation/--status/--as-of/--country/--network.")
    return found


def degree_distribution(h: nx.Graph) -> list[tuple[int, int]]:
    """(degree, number of nodes with it), by degree."""
    return sorted(Counter(d for _, d in h.degree()).items())


def betweenness(h: nx.Graph, exact_below: int = EXACT_BETWEENNESS_BELOW, k: int = BETWEENNESS_SAMPLES,
                seed: int = SEED) -> tuple[dict[str, float], str]:
    """Normalised betweenness; exact below exact_below nodes, else estimated from k seeded source samples."""
    n = h.number_of_nodes()
    if n < exact_below or k >= n:
        return nx.betweenness_centrality(h), "exact"
    return nx.betweenness_centrality(h, k=k, seed=seed), f"sampled (k={k} of {n} sources, seed {seed})"


def eigenvector(h: nx.Graph, max_iter: int = 1000, tol: float = 1e-6) -> tuple[dict[str, float], str]:
    """Eigenvector centrality on the largest connected component (it is undefined across components)."""
    if h.number_of_nodes() == 0:
        return {}, "empty graph"
    giant = h.subgraph(max(nx.connected_components(h), key=len))
    try:
        values = nx.eigenvector_centrality(giant, max_iter=max_iter, tol=tol)
    except nx.PowerIterationFailedConvergence:
        return {}, (f"did not converge in {max_iter} iterations (tolerance {tol}) on the largest component "
                    f"({giant.number_of_nodes()} nodes); no values given - raise max_iter or use degree/betweenness")
    return values, f"largest component ({giant.number_of_nodes()} of {h.number_of_nodes()} nodes)"


def communities(h: nx.Graph, seed: int = SEED, resolution: float = 1.0) -> list[set[str]]:
    """Louvain communities (networkx), largest first; isolated nodes are their own community."""
    found = nx.community.louvain_communities(h, seed=seed, resolution=resolution) if h.number_of_edges() else []
    covered = set().union(*found) if found else set()
    found += [{n} for n in h if n not in covered]
    return sorted(found, key=lambda c: (-len(c), min(c)))


def measures(g: nx.MultiDiGraph, top: int | None = None, k: int = BETWEENNESS_SAMPLES, seed: int = SEED) -> Measures:
    """Degree, betweenness, eigenvector, Louvain community and component of every city, with notes."""
    h = city_graph(g)
    comps = sorted(nx.connected_components(h), key=lambda c: (-len(c), min(c)))
    component = {n: i for i, c in enumerate(comps) for n in c}
    comms = communities(h, seed)
    community = {n: i for i, c in enumerate(comms) for n in c}
    between, between_note = betweenness(h, k=k, seed=seed)
    eigen, eigen_note = eigenvector(h)
    table = [{"node": n, "label": d.get("label"), "country": d.get("country_label"), "degree": h.degree(n),
              "ties": sum(e["count"] for _, _, e in h.edges(n, data=True)), "betweenness": round(between.get(n, 0.0), 6),
              "eigenvector": round(eigen[n], 6) if n in eigen else None, "community": community[n], "component": component[n]}
             for n, d in h.nodes(data=True)]
    table.sort(key=lambda r: (-r["degree"], -r["betweenness"], r["node"]))
    modularity = nx.community.modularity(h, comms) if h.number_of_edges() else None
    summary = {"cities": h.number_of_nodes(), "city pairs tied": h.number_of_edges(), "components": len(comps),
               "largest component": len(comps[0]) if comps else 0, "communities (Louvain)": len(comms),
               "modularity": round(modularity, 4) if modularity is not None else None, "louvain seed": seed,
               "betweenness": between_note, "eigenvector": eigen_note, **_filters(g)}
    return Measures(table[:top] if top else table, summary, [sorted(c) for c in comms])


def _filters(g: nx.MultiDiGraph) -> dict:
    keys = ("relations", "statuses", "kinds", "as_of", "country", "network", "undated_excluded")
    return {f"filter {k}": g.graph.get(k) for k in keys if g.graph.get(k) not in (None, 0)}


def explain_path(g: nx.MultiDiGraph, a: str, b: str) -> dict:
    """Shortest chain of ties between two cities, each hop with its ties' IRI, kind, status, start and sources."""
    h = city_graph(g)
    src, dst = resolve_city(h, a), resolve_city(h, b)
    try:
        path = nx.shortest_path(h, src, dst)
    except nx.NetworkXNoPath:
        return {"from": src, "to": dst, "connected": False, "hops": [],
                "message": f"no chain of ties connects {_label(h, src)} and {_label(h, dst)} with these filters"}
    edges = {k: (s, t, d) for s, t, k, d in g.edges(keys=True, data=True)}
    hops = []
    for x, y in zip(path, path[1:]):
        ties = [{"relation_iri": k, "relation": edges[k][2]["relation"], "kind": edges[k][2].get("kind"),
                 "status": edges[k][2].get("status"), "start": edges[k][2].get("start"), "sources": edges[k][2].get("sources", [])}
                for k in sorted(h.edges[x, y]["ties"])]
        hops.append({"from": x, "from_label": _label(h, x), "to": y, "to_label": _label(h, y), "ties": ties})
    return {"from": src, "to": dst, "connected": True, "length": len(hops), "hops": hops}


def _label(h: nx.Graph, n: str) -> str:
    return h.nodes[n].get("label") or local_name(n)


def ego(g: nx.MultiDiGraph, city: str, hops: int = 1) -> nx.MultiDiGraph:
    """The ties within `hops` steps (1-3) of a node, whatever their direction."""
    if hops not in (1, 2, 3):
        raise NetworkInputError(f"--hops must be 1, 2 or 3, not {hops}: the world graph's 4-hop neighbourhood is most of it.")
    centre = resolve_city(g, city)
    # The walk the network pages use, without their cap on the number of nodes.
    sub = explore.ego(g, centre, hops, max_nodes=g.number_of_nodes()).graph
    sub.graph.update(centre=centre, hops=hops)
    return sub


def growth_timeline(g: nx.MultiDiGraph) -> dict:
    """Ties per year of their start, by relation; ties with no known start are counted apart, not guessed."""
    per_year: dict[int, Counter] = defaultdict(Counter)
    undated: Counter = Counter()
    for _, _, d in g.edges(data=True):
        (per_year[d["year"]] if d.get("year") else undated)[d["relation"]] += 1
    relations = sorted({r for c in per_year.values() for r in c} | set(undated))
    table = [{"year": y, **{r: per_year[y][r] for r in relations}, "total": sum(per_year[y].values())} for y in sorted(per_year)]
    return {"rows": table, "relations": relations, "undated": dict(undated), "undated_total": sum(undated.values())}


FIGURES = """SELECT DISTINCT ?figure ?measure ?value ?reference ?note ?document WHERE {
  VALUES ?subject { %s }
  ?figure a cd:ReportedFigure ; cd:figureSubject ?subject ; cd:measure ?m ; cd:value ?value .
  ?m skos:prefLabel ?measure FILTER(lang(?measure) = "en")
  OPTIONAL { ?figure cd:referenceDate ?r . ?r time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?reference }
  OPTIONAL { ?figure cd:referencePeriodNote ?note FILTER(lang(?note) = "en") }
  OPTIONAL { ?figure cd:attestedBy/cd:document ?document } }"""


def partner_timeline(store: ox.Store, g: nx.MultiDiGraph, city: str, base_iri: str = "https://w3id.org/cdkg/") -> dict:
    """A city's agreement partners over time (cumulative, by start year) beside the counts sources reported."""
    centre = resolve_city(g, city)
    first_year: dict[str, int | None] = {}
    for s, t, d in g.edges(data=True):
        if d["relation"] != "agreement" or centre not in (s, t):
            continue
        partner = t if s == centre else s
        y = d.get("year")
        prev = first_year.get(partner, "absent")
        if prev == "absent" or (y is not None and (prev is None or y < prev)):
            first_year[partner] = y
    years = sorted({y for y in first_year.values() if y is not None})
    table = [{"year": y, "partners (cumulative, dated)": sum(1 for v in first_year.values() if v is not None and v <= y)} for y in years]
    governing = [n for n, d in g.nodes(data=True) if centre in d.get("governs", ())]
    subjects = " ".join(f"<{n}>" for n in [centre, *governing])
    reported = [{"figure": f, "measure": m, "value": int(v), "reference date": ref, "reference note": note,
                 "document": local_name(doc) if doc else None}
                for f, m, v, ref, note, doc in rows(store, FIGURES % subjects, base_iri)]
    reported.sort(key=lambda r: (r["reference date"] or "", r["measure"], r["figure"], r["document"] or ""))
    return {"city": centre, "label": _label(g, centre), "rows": table, "reported": reported,
            "partners_known": len(first_year), "partners_undated": sum(1 for v in first_year.values() if v is None)}
