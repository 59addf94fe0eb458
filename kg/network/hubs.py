"""Collapsed hubs of an ego view: a network (anything with members) or a node with many ties is drawn
as one node instead of pulling in everything it touches, so the focus's own ties stay readable.

The walk does not go on through a hub; what the hub would have brought in (its other neighbours and
their ties to the view) is kept aside as a pool that the page adds when the hub is clicked open.
"""
from __future__ import annotations

from typing import Callable

import networkx as nx

EdgeTest = Callable[[str, str, dict], bool]
HUB_DEGREE = 15  # a node with more ties than this is drawn collapsed in ego views (networks always are)
POOL_PER_HUB = 400  # members kept aside per hub (its best connected), so a page stays a few MB


def is_hub(g: nx.MultiDiGraph, node: str, hub_degree: int | None) -> bool:
    if hub_degree is None:
        return False
    d = g.nodes[node]
    return d.get("kind") == "network" or g.in_degree(node) + g.out_degree(node) > hub_degree


def _incident(g: nx.MultiDiGraph, u: str):
    for _, t, k, d in g.out_edges(u, keys=True, data=True):
        yield u, t, k, d
    for s, _, k, d in g.in_edges(u, keys=True, data=True):
        yield s, u, k, d


def pools(g: nx.MultiDiGraph, shown: set[str], hubs: list[str], test: EdgeTest | None,
          per_hub: int = POOL_PER_HUB) -> tuple[dict[str, dict], list[tuple[str, str, str, dict]], dict[str, int]]:
    """The nodes the collapsed hubs would bring (attribute `via`: the hubs that bring each), the ties
    from them to the view or to each other, and per hub how many neighbours it has outside the view."""
    via: dict[str, list[str]] = {}
    hidden: dict[str, int] = {}
    for h in hubs:
        found = {(t if s == h else s) for s, t, _, d in _incident(g, h) if test is None or test(s, t, d)} - shown
        hidden[h] = len(found)
        for n in sorted(found, key=lambda n: (-(g.in_degree(n) + g.out_degree(n)), n))[:per_hub]:
            via.setdefault(n, []).append(h)
    nodes = {n: {**g.nodes[n], "via": hs, "ties_all": g.in_degree(n) + g.out_degree(n)} for n, hs in via.items()}
    reach = shown | set(via)
    edges, seen = [], set()
    for n in via:
        for s, t, k, d in _incident(g, n):
            if (s, t, k) not in seen and (t if s == n else s) in reach and (test is None or test(s, t, d)):
                seen.add((s, t, k))
                edges.append((s, t, k, d))
    return nodes, edges, hidden
