"""Views of the projected network that stay small enough to draw: ego views around one node, a
country-level overview, and a city-level overview above a degree threshold; plus the edge filters
they share and resolving a city given as IRI, local id or (English or Persian) label.

All functions read a graph made by kg.network.projection.project (a MultiDiGraph keyed by relation IRI) and
never query the store, so a service can project once and answer each view in milliseconds.
"""
from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

import networkx as nx

from kg.core import NetworkInputError, UnknownNodeError
from kg.network.finder import Ambiguity, find_city, find_country
from kg.network.hubs import HUB_DEGREE, is_hub, pools

EdgeTest = Callable[[str, str, dict], bool]
MEMBERSHIP = "membership"
UNKNOWN_COUNTRY = "urn:cdkg:country-unknown"  # the overview's bucket for cities without a country


@dataclass(frozen=True)
class EdgeFilter:
    """What the user asked to see; empty fields mean no restriction."""
    relations: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()  # "none" selects edges without a status
    year_from: int | None = None
    year_to: int | None = None
    country: str | None = None  # IRI: one end of the edge lies in this country
    network: str | None = None  # IRI: both ends are members of this network (or the network itself)

    def active(self) -> bool:
        return bool(self.relations or self.statuses or self.year_from is not None or self.year_to is not None
                    or self.country or self.network)

    def compile(self, g: nx.MultiDiGraph) -> EdgeTest | None:
        """A test on (source, target, edge data), or None when everything passes."""
        if not self.active():
            return None
        members = network_members(g, self.network) | {self.network} if self.network else None
        nodes = g.nodes

        def test(s: str, t: str, d: dict) -> bool:
            if self.relations and relation_of(d) not in self.relations:
                return False
            if self.statuses and (d.get("status") or "none") not in self.statuses:
                return False
            year = d.get("year")
            if self.year_from is not None and (year is None or year < self.year_from):
                return False
            if self.year_to is not None and (year is None or year > self.year_to):
                return False
            if self.country and self.country not in (country_of(nodes[s]), country_of(nodes[t])):
                return False
            return members is None or (s in members and t in members)
        return test


@dataclass
class View:
    """A drawable graph and what it stands for (shown on the page)."""
    graph: nx.MultiDiGraph | nx.Graph
    mode: str  # "ego", "countries" or "cities"
    title: str
    focus: str | None = None
    hops: int = 0
    total_nodes: int = 0  # before truncation
    notes: list[str] = field(default_factory=list)
    # Ego views: what the collapsed hubs would bring, added on the page when a hub is opened.
    pool_nodes: dict[str, dict] = field(default_factory=dict)
    pool_edges: list[tuple[str, str, str, dict]] = field(default_factory=list)


def relation_of(d: dict) -> str:
    return d.get("relation") or d.get("label") or "other"


def country_of(data: dict) -> str | None:
    return data.get("country")


def kind_of(data: dict) -> str:
    return data.get("kind") or "other"


def network_members(g: nx.MultiDiGraph, network: str) -> set[str]:
    return {s for s, _, d in g.in_edges(network, data=True) if relation_of(d) == MEMBERSHIP}


def memberships(g: nx.MultiDiGraph, node: str) -> list[str]:
    return _membership_index(g).get(node, [])


_MEMBERSHIPS: "weakref.WeakKeyDictionary[nx.MultiDiGraph, dict]" = weakref.WeakKeyDictionary()


def _membership_index(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Networks each node belongs to, computed once per graph (ego views ask for hundreds of nodes)."""
    index = _MEMBERSHIPS.get(g)
    if index is None:
        found: dict[str, set[str]] = {}
        for s, t, d in g.edges(data=True):
            if relation_of(d) == MEMBERSHIP:
                found.setdefault(s, set()).add(t)
        index = _MEMBERSHIPS[g] = {n: sorted(nets) for n, nets in found.items()}
    return index


def degree(g: nx.MultiDiGraph, node: str) -> int:
    return g.in_degree(node) + g.out_degree(node)


def resolve_node(g: nx.MultiDiGraph, text: str, base_iri: str = "https://w3id.org/cdkg/") -> str:
    """A node given as IRI, local id ('isfahan', 'place/isfahan') or English/Persian label; the likeliest
    if several (a page shows it, and the reader looks around)."""
    found = find_city(g, text, Ambiguity.BEST_GUESS, base_iri)
    if found is None:
        raise UnknownNodeError(f"unknown city: {text.strip()!r} is not a node of the network (give an IRI, a local id or a label)")
    return found


def _allowed_edges(g: nx.MultiDiGraph, test: EdgeTest | None) -> Iterable[tuple[str, str, str]]:
    for s, t, k, d in g.edges(keys=True, data=True):
        if test is None or test(s, t, d):
            yield s, t, k


def ego(g: nx.MultiDiGraph, center: str, hops: int = 1, edge_filter: EdgeFilter = EdgeFilter(),
        max_nodes: int = 1500, hub_degree: int | None = None) -> View:
    """Nodes within `hops` ties of `center` (either direction), over allowed edges only.

    Breadth-first, so no full-graph pass. With hub_degree set, the walk does not go on through a hub
    (a network, or a node with more ties than hub_degree) other than the centre: the hub stays one
    collapsed node and what it would bring is kept in view.pool_*. Without it, a hub reached at hop 1
    may bring hundreds of members at hop 2; beyond max_nodes the last ring keeps its best connected
    nodes and the view says so.
    """
    test = edge_filter.compile(g)
    distance = {center: 0}
    ring, total, truncated = [center], 1, False
    for hop in range(1, hops + 1):
        found: set[str] = set()
        for u in ring:
            if u != center and is_hub(g, u, hub_degree):
                continue
            for s, t, d in _incident(g, u):
                v = t if s == u else s
                if v not in distance and v not in found and (test is None or test(s, t, d)):
                    found.add(v)
        total += len(found)
        room = max_nodes - len(distance)
        if len(found) > room:
            found = set(sorted(found, key=lambda n: (-degree(g, n), n))[:room])
            truncated = True
        for v in found:
            distance[v] = hop
        ring = list(found)
        if truncated or not ring:
            break
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, {**g.nodes[n], "hop": distance[n], "nets": memberships(g, n)}) for n in distance)
    for n in distance:
        for _, t, k, d in g.out_edges(n, keys=True, data=True):
            if t in distance and (test is None or test(n, t, d)):
                sub.add_edge(n, t, key=k, **d)
    label = g.nodes[center].get("label") or center.rsplit("/", 1)[-1]
    view = View(sub, "ego", f"{label}: ties within {hops} hop{'s' if hops > 1 else ''}", center, hops, total)
    if truncated:
        view.notes.append(f"showing {len(distance)} of at least {total} nodes (the best connected of the last ring)")
    if hub_degree is not None:
        _collapse(g, view, test, hub_degree)
    return view


def _collapse(g: nx.MultiDiGraph, view: View, test: EdgeTest | None, hub_degree: int) -> None:
    hubs = sorted(n for n in view.graph if n != view.focus and is_hub(g, n, hub_degree))
    view.pool_nodes, view.pool_edges, hidden = pools(g, set(view.graph), hubs, test)
    for h in hubs:
        if hidden[h]:
            view.graph.nodes[h]["hub"] = hidden[h]
    if any(hidden.values()):
        view.notes.append(f"{sum(1 for h in hubs if hidden[h])} hubs (networks, or nodes with more than {hub_degree} ties) "
                          "are drawn collapsed: click one to open it, again to close it")


def _incident(g: nx.MultiDiGraph, u: str):
    for _, t, d in g.out_edges(u, data=True):
        yield u, t, d
    for s, _, d in g.in_edges(u, data=True):
        yield s, u, d


def city_overview(g: nx.MultiDiGraph, min_degree: int, edge_filter: EdgeFilter = EdgeFilter()) -> View:
    """Nodes with at least min_degree allowed ties, and the allowed edges among them."""
    test = edge_filter.compile(g)
    edges = list(_allowed_edges(g, test))
    counts = Counter()
    for s, t, _ in edges:
        counts[s] += 1
        counts[t] += 1
    keep = {n for n, c in counts.items() if c >= min_degree}
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, {**g.nodes[n], "nets": memberships(g, n)}) for n in keep)
    sub.add_edges_from((s, t, k, g.edges[s, t, k]) for s, t, k in edges if s in keep and t in keep)
    view = View(sub, "cities", f"Nodes with at least {min_degree} ties", total_nodes=len(counts))
    view.notes.append(f"{len(keep)} of {len(counts)} connected nodes have at least {min_degree} ties")
    return view


def country_overview(g: nx.MultiDiGraph, edge_filter: EdgeFilter = EdgeFilter(), top: int = 10) -> View:
    """Countries as nodes (cities folded into their country), networks and organisations as themselves.

    Each edge keeps a breakdown of the ties it stands for by (relation, status, year), so the page can
    re-count under its filters; each country keeps its best connected cities as ways in (ego views).
    """
    test = edge_filter.compile(g)
    group = {n: _group(n, d) for n, d in g.nodes(data=True)}
    agg = nx.Graph()
    ties = Counter()
    for s, t, k in _allowed_edges(g, test):
        a, b = group[s], group[t]
        if a is None or b is None:
            continue
        ties[s] += 1
        ties[t] += 1
        if a == b:
            agg.add_node(a)
            agg.nodes[a]["domestic"] = agg.nodes[a].get("domestic", 0) + 1
            continue
        d = g.edges[s, t, k]
        if not agg.has_edge(a, b):
            agg.add_edge(a, b, parts=Counter())
        agg.edges[a, b]["parts"][(relation_of(d), d.get("status"), d.get("year"))] += 1
    members: dict[str, list[str]] = {}
    for n, c in ties.items():
        members.setdefault(group[n], []).append(n)
    for node in agg.nodes:
        cities = sorted(members.get(node, []), key=lambda n: (-ties[n], n))
        agg.nodes[node].update(_group_attrs(g, node, cities))
        agg.nodes[node]["top"] = [(n, g.nodes[n].get("label") or n.rsplit("/", 1)[-1], ties[n]) for n in cities[:top]]
        agg.nodes[node]["ties"] = sum(ties[n] for n in cities)
    view = View(agg, "countries", "Countries, networks and organisations", total_nodes=g.number_of_nodes())
    view.notes.append(f"{g.number_of_nodes()} nodes folded into {agg.number_of_nodes()}; "
                      "open a country to go to its cities' ego views")
    return view


def _group(n: str, d: dict) -> str | None:
    kind = kind_of(d)
    if kind in ("network", "organisation", "country"):
        return n
    if kind in ("city", "other"):
        return d.get("country") or UNKNOWN_COUNTRY
    return None  # people are drawn in ego views only


def _group_attrs(g: nx.MultiDiGraph, node: str, cities: list[str]) -> dict:
    if node == UNKNOWN_COUNTRY:
        return {"label": "(country not known)", "kind": "country", "country": node, "lat": None, "lon": None}
    if node in g and kind_of(g.nodes[node]) != "country":
        d = g.nodes[node]
        return {"label": d.get("label") or node, "label_fa": d.get("label_fa"), "kind": kind_of(d),
                "country": d.get("country"), "lat": d.get("lat"), "lon": d.get("lon")}
    first = g.nodes[cities[0]] if cities else g.nodes.get(node, {})
    # A country is placed at the mean position of its cities that have coordinates (none: set aside).
    coords = [(g.nodes[c].get("lat"), g.nodes[c].get("lon")) for c in cities]
    coords = [(la, lo) for la, lo in coords if la is not None and lo is not None]
    own = g.nodes[node] if node in g else {}
    return {"label": own.get("label") or first.get("country_label") or node.rsplit("/", 1)[-1],
            "label_fa": own.get("label_fa"), "kind": "country", "country": node, "cities": len(cities),
            "lat": sum(c[0] for c in coords) / len(coords) if coords else None,
            "lon": sum(c[1] for c in coords) / len(coords) if coords else None}


def resolve_country(g: nx.MultiDiGraph, text: str, base_iri: str = "https://w3id.org/cdkg/") -> str:
    """A country given as IRI, local id ('iran') or English label, among the countries of g's nodes
    (no ISO codes: the projected nodes do not carry them)."""
    known: dict[str, str] = {}
    for _, d in g.nodes(data=True):
        if d.get("country"):
            known.setdefault(d["country"], d.get("country_label") or "")
    found = find_country(known, text, iso_codes=None, base_iri=base_iri)
    if found is None:
        raise NetworkInputError(f"unknown country: {text.strip()!r} (give an IRI, a local id such as 'iran', or an English name)")
    return found


def resolve_network(g: nx.MultiDiGraph, text: str, base_iri: str = "https://w3id.org/cdkg/") -> str:
    """A network (anything with members) given as IRI, local id or English/Persian label."""
    networks = {t for _, t, d in g.edges(data=True) if relation_of(d) == MEMBERSHIP}
    try:
        node = resolve_node(g.subgraph(networks), text, base_iri)
    except UnknownNodeError:
        raise NetworkInputError(f"unknown network: {text!r} has no members in the network") from None
    return node


def choose_view(g: nx.MultiDiGraph, *, ego_of: str | None = None, hops: int = 1, min_degree: int | None = None,
                edge_filter: EdgeFilter = EdgeFilter(), max_nodes: int = 1500, hub_degree: int | None = HUB_DEGREE) -> View:
    """An ego view (hubs collapsed unless hub_degree is None) when a centre is given, else the city-level
    overview (min_degree) or the country overview."""
    if ego_of is not None:
        return ego(g, ego_of, hops, edge_filter, max_nodes, hub_degree)
    if min_degree is not None:
        return city_overview(g, min_degree, edge_filter)
    return country_overview(g, edge_filter)
