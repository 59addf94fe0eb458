"""Project the graph's relation nodes to a networkx multigraph, driven by the ontology's edge annotations.

Every class annotated with cd:edgeSource / cd:edgeTarget / cd:edgeLabel / cd:edgeDirected turns each of
its nodes into one edge keyed by the relation node's IRI, so every edge leads back to the sourced fact.
Only the most specific annotated class of a node projects it (an aid shipment is "aid to", not also
"event with"). Short relation names come from the class's local name, lower-cased, except
cd:AidShipment -> "aid": agreement, membership, aid, event, tenure, designation, proposal, programme.

Dates, statuses and sources are read in a handful of whole-graph scans joined in Python (Oxigraph is
much faster at single-pattern scans than at joins over 25k relations); see docs/network.md.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx
import pyoxigraph as ox

from kg.core import NetworkInputError
from kg.core import CD, ORG
from kg.network.projection_facts import RelationFacts, read_facts, resolve_concepts, rows

SHORT_NAMES = {CD + "AidShipment": "aid", ORG + "Membership": "membership"}
NODE_KINDS = ("city", "network", "organisation", "person", "country", "other")

ANNOTATIONS = """SELECT DISTINCT ?class ?sp ?tp ?label ?directed WHERE {
  ?class cd:edgeSource ?sp ; cd:edgeTarget ?tp ; cd:edgeLabel ?label ; cd:edgeDirected ?directed .
  FILTER(lang(?label) = "en") }"""
SUBCLASSES = """SELECT DISTINCT ?sub ?class WHERE {
  ?sub rdfs:subClassOf ?class ; cd:edgeSource ?x . ?class cd:edgeSource ?y . FILTER(?sub != ?class) }"""


def short_name(class_iri: str) -> str:
    return SHORT_NAMES.get(class_iri) or class_iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1].lower()


def parse_date(value: dt.date | str | None) -> str | None:
    """as_of as an ISO day string; a clear error for anything else."""
    if value is None or isinstance(value, dt.date):
        return value.isoformat()[:10] if value else None
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise NetworkInputError(f"'{value}' is not a date: give the day as YYYY-MM-DD (e.g. 2020-07-15).") from None


def relation_classes(store: ox.Store, base_iri: str) -> dict[str, dict]:
    """Annotated relation classes: IRI -> source/target property, label, directed, short name, annotated subclasses."""
    classes = {c: {"sp": sp, "tp": tp, "label": label, "directed": d == "true", "relation": short_name(c), "subs": set()}
               for c, sp, tp, label, d in rows(store, ANNOTATIONS, base_iri)}
    for sub, cls in rows(store, SUBCLASSES, base_iri):
        if cls in classes and sub in classes:
            classes[cls]["subs"].add(sub)
    return classes


def _instances(store: ox.Store, base_iri: str, class_iri: str) -> set[str]:
    return {r for (r,) in rows(store, f"SELECT DISTINCT ?r WHERE {{ ?r a <{class_iri}> }}", base_iri)}


def _values_of(store: ox.Store, base_iri: str, prop: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for r, v in rows(store, f"SELECT DISTINCT ?r ?v WHERE {{ ?r <{prop}> ?v FILTER(isIRI(?v)) }}", base_iri):
        out[r].add(v)
    return out


def raw_edges(store: ox.Store, base_iri: str, classes: dict[str, dict], keep: set[str]) -> list[tuple[str, str, str, str]]:
    """(source, target, relation IRI, class IRI) for every node of the kept relation classes."""
    typed = {c: _instances(store, base_iri, c) for c in classes if classes[c]["relation"] in keep
             or any(classes[s]["relation"] in keep for s in classes[c]["subs"])}
    cache: dict[str, dict[str, set[str]]] = {}
    out = []
    for c, spec in classes.items():
        if spec["relation"] not in keep:
            continue
        nodes = typed[c] - set().union(*(typed.get(s) or _instances(store, base_iri, s) for s in spec["subs"]))
        for prop in (spec["sp"], spec["tp"]):
            if prop not in cache:
                cache[prop] = _values_of(store, base_iri, prop)
        src, tgt = cache[spec["sp"]], cache[spec["tp"]]
        out.extend((s, t, r, c) for r in nodes for s in src.get(r, ()) for t in tgt.get(r, ()) if s != t)
    return out


def project(store: ox.Store, base_iri: str = "https://w3id.org/cdkg/", *, relations: Iterable[str] | None = None,
            kinds: Iterable[str] | None = None, statuses: Iterable[str] | None = None,
            as_of: dt.date | str | None = None, country: str | None = None, network: str | None = None) -> nx.MultiDiGraph:
    """The annotated relations as one multigraph, filtered as asked (all filters combine with AND).

    relations: short names to keep; kinds / statuses: en labels or concept IRIs; as_of: the network as it
    stood that day (ties whose start is unknown are left out and counted in g.graph["undated_excluded"]);
    country: IRI, en label or ISO code, keeps edges with an endpoint in it; network: IRI or en label, keeps
    its memberships and the ties among its members.
    """
    day = parse_date(as_of)
    classes = relation_classes(store, base_iri)
    known = sorted({spec["relation"] for spec in classes.values()})
    keep = set(known) if relations is None else {r.strip().lower() for r in relations}
    if keep - set(known):
        raise NetworkInputError(f"unknown relation {', '.join(sorted(keep - set(known)))}: choose from {', '.join(known)}.")
    edges = raw_edges(store, base_iri, classes, keep)
    facts: RelationFacts = read_facts(store, base_iri, {r for _, _, r, _ in edges}, day)
    kind_iris = resolve_concepts(facts.concepts, kinds, "kind", facts.kinds.values()) if kinds is not None else None
    status_iris = resolve_concepts(facts.concepts, statuses, "status", facts.used_statuses()) if statuses is not None else None

    g = nx.MultiDiGraph()
    undated = 0
    kept = []
    for s, t, r, c in edges:
        info = facts.relation(r)
        if day is not None and (info["start"] is None):
            undated += 1
            continue
        if day is not None and info["start"][:len(day)] > day:
            continue
        if kind_iris is not None and info["kind_iri"] not in kind_iris:
            continue
        if status_iris is not None and info["status_iri"] not in status_iris:
            continue
        spec = classes[c]
        kept.append((s, t, r, {"relation": spec["relation"], "label": spec["label"], "relation_class": c,
                               "directed": spec["directed"], **{k: v for k, v in info.items() if not k.endswith("_iri")}}))
    target = facts.resolve_country(country) if country is not None else None
    net, members = facts.resolve_network(network) if network is not None else (None, {})
    endpoints = {n for s, t, _, _ in kept for n in (s, t)} | members.get(net, set())
    facts.places()  # facts.governs is read below, before nodes() would scan the places
    # A municipality's ties count for the city it governs (city_graph): keep those cities' attributes at hand.
    nodes = facts.nodes(endpoints | {p for n in endpoints for p in facts.governs.get(n, ())})
    if target is not None:
        kept = [e for e in kept if target in (nodes[e[0]]["countries"] | nodes[e[1]]["countries"])]
    if net is not None:
        kept = _network_ties(kept, net, members[net], nodes)
    # Sorted, so that traversal order (shortest paths, Louvain with a seed) is the same in every process.
    kept.sort(key=lambda e: (e[0], e[1], e[2]))
    used = sorted({n for s, t, _, _ in kept for n in (s, t)})
    public = lambda n: {k: v for k, v in nodes[n].items() if k != "countries"}  # noqa: E731
    g.add_nodes_from((n, public(n)) for n in used)
    g.add_edges_from(kept)
    g.graph.update(base_iri=base_iri, relations=sorted(keep), kinds=sorted(kind_iris) if kind_iris is not None else None,
                   statuses=sorted(status_iris) if status_iris is not None else None, as_of=day,
                   country=target, network=net, undated_excluded=undated,
                   governed_places={p: public(p) for n in used for p in nodes[n].get("governs", ()) if p not in used})
    return g


def _network_ties(edges: list, net: str, members: set[str], nodes: dict[str, dict]) -> list:
    """The network's memberships, and the ties among its members (a member municipality stands for its city)."""
    members = members | {p for m in members for p in nodes[m].get("governs", ())}
    return [e for e in edges if (e[1] == net and e[3]["relation"] == "membership") or (e[0] in members and e[1] in members)]


def co_membership(g: nx.MultiDiGraph) -> nx.Graph:
    """City-to-city graph through shared networks: an edge for each pair of cities in one network, networks=[...]."""
    by_network: dict[str, set[str]] = defaultdict(set)
    for s, t, d in g.edges(data=True):
        if d["relation"] == "membership":
            by_network[t] |= set(_as_cities(g, s))
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for net, members in sorted(by_network.items()):
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pairs[(a, b)].append(net)
    h = nx.Graph()
    h.add_nodes_from((n, _node(g, n)) for members in by_network.values() for n in members)
    h.add_edges_from((a, b, {"networks": nets}) for (a, b), nets in pairs.items())
    return h


def city_graph(g: nx.MultiDiGraph, kinds: Iterable[str] = ("city",)) -> nx.Graph:
    """Undirected simple graph of cities only: parallel ties aggregate into count, relations and ties (relation IRIs).

    A municipality's ties count for the city it governs (it acts on the city's behalf); places of other
    kinds (regions, countries, places the gazetteer could not type) are left out unless listed in kinds.
    """
    wanted = set(kinds)
    agg: dict[tuple[str, str], dict] = {}
    for s, t, key, d in g.edges(keys=True, data=True):
        for a in _as_cities(g, s, wanted):
            for b in _as_cities(g, t, wanted):
                if a == b:
                    continue
                e = agg.setdefault((a, b) if a < b else (b, a), {"count": 0, "relations": set(), "ties": []})
                e["count"] += 1
                e["relations"].add(d["relation"])
                e["ties"].append(key)
    h = nx.Graph()
    h.add_nodes_from((n, g.nodes[n]) for n in g.nodes if g.nodes[n].get("kind") in wanted)
    h.add_nodes_from((p, _node(g, p)) for a, b in agg for p in (a, b) if p not in g)
    h.add_edges_from((a, b, {**e, "relations": sorted(e["relations"])}) for (a, b), e in agg.items())
    return h


def _node(g: nx.MultiDiGraph, n: str) -> dict:
    return g.nodes[n] if n in g else g.graph.get("governed_places", {}).get(n, {})


def _as_cities(g: nx.MultiDiGraph, n: str, wanted: set[str] = frozenset({"city"})) -> list[str]:
    data = g.nodes[n]
    if data.get("kind") in wanted:
        return [n]
    return [p for p in data.get("governs", ()) if _node(g, p).get("kind") in wanted]
