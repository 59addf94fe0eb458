"""Figures for docs/network.md: projection and analysis times on the full build (not a timed test).

Run after `cdkg build`:  .venv/bin/python benchmarks/analysis_bench.py [--exact]
Baselines: the projection's first version (one SPARQL join over all relation classes plus a VALUES
query for node labels, kept here as OLD_*), and exact betweenness for the sampled estimate (--exact:
takes minutes on the world graph).
"""
from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx

from kg.network import analysis
from kg.core.config import Settings
from kg.network.projection import city_graph, co_membership, project
from kg.core.query import open_store, run_query

ISFAHAN = "https://w3id.org/cdkg/id/place/isfahan"

OLD_EDGES = """SELECT ?relation ?class ?source ?target ?label ?directed WHERE {
  ?class cd:edgeSource ?sp ; cd:edgeTarget ?tp ; cd:edgeLabel ?label ; cd:edgeDirected ?directed .
  FILTER(lang(?label) = "en")
  ?relation a ?class ; ?sp ?source ; ?tp ?target .
  FILTER(isIRI(?source) && isIRI(?target) && ?source != ?target)
  FILTER NOT EXISTS { ?relation a ?sub . ?sub rdfs:subClassOf ?class ; cd:edgeSource ?x . FILTER(?sub != ?class) } }"""
OLD_LABELS = """SELECT ?n ?en ?fa ?type WHERE { VALUES ?n { %s }
  OPTIONAL { ?n rdfs:label ?en FILTER(lang(?en) = "en") } OPTIONAL { ?n rdfs:label ?fa FILTER(lang(?fa) = "fa") }
  OPTIONAL { ?n a ?type FILTER(STRSTARTS(STR(?type), STR(cd:))) } }"""


def old_project(store, base):
    """The first projection: edges and labels only (no status, dates, sources, countries or coordinates)."""
    g = nx.MultiDiGraph()
    for r in run_query(store, OLD_EDGES, base).values():
        g.add_edge(r["source"], r["target"], key=r["relation"], label=r["label"], directed=r["directed"] == "true")
    run_query(store, OLD_LABELS % " ".join(f"<{n}>" for n in g.nodes), base)
    return g


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exact", action="store_true", help="also time exact betweenness (minutes)")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    settings = Settings()
    store = open_store(settings)
    base = settings.base_iri

    t_new, g = timed(lambda: project(store, base), args.repeat)
    t_old, old = timed(lambda: old_project(store, base), args.repeat)
    print(f"projection (full graph): {t_new:.2f} s for {g.number_of_nodes()} nodes, {g.number_of_edges()} edges "
          f"with status, dates, sources, countries, coordinates; first version (edges + labels only): {t_old:.2f} s "
          f"-> ratio {t_new / t_old:.2f}")
    t_asof, ga = timed(lambda: project(store, base, as_of="2020-07-15"))
    print(f"projection as_of 2020-07-15: {t_asof:.2f} s, {ga.number_of_edges()} edges, {ga.graph['undated_excluded']} undated left out")
    t_city, h = timed(lambda: city_graph(g))
    print(f"city graph: {t_city:.2f} s -> {h.number_of_nodes()} cities, {h.number_of_edges()} tied pairs")
    t_co, m = timed(lambda: co_membership(g))
    print(f"co-membership graph: {t_co:.2f} s -> {m.number_of_nodes()} cities, {m.number_of_edges()} pairs")
    t_comp, comps = timed(lambda: list(nx.connected_components(h)))
    print(f"connected components: {t_comp:.3f} s -> {len(comps)}, largest {max(map(len, comps))}")
    t_louv, comms = timed(lambda: analysis.communities(h))
    print(f"Louvain (seed {analysis.SEED}): {t_louv:.2f} s -> {len(comms)} communities, "
          f"modularity {nx.community.modularity(h, comms):.3f}")
    t_bet, (_, note) = timed(lambda: analysis.betweenness(h, k=args.k))
    print(f"betweenness {note}: {t_bet:.2f} s")
    t_eig, (_, enote) = timed(lambda: analysis.eigenvector(h))
    print(f"eigenvector ({enote}): {t_eig:.2f} s")
    print(f"analysis total (components + Louvain + sampled betweenness): {t_comp + t_louv + t_bet:.2f} s")
    t_ego, ego = timed(lambda: analysis.ego(g, ISFAHAN, 2), args.repeat)
    print(f"ego network, 2 hops around Isfahan: {t_ego * 1000:.0f} ms -> {ego.number_of_nodes()} nodes, {ego.number_of_edges()} ties")
    t_nx, ego_nx = timed(lambda: nx.ego_graph(g, ISFAHAN, radius=2, undirected=True))
    print(f"  baseline networkx.ego_graph(undirected=True): {t_nx * 1000:.0f} ms ({ego_nx.number_of_nodes()} nodes) "
          f"-> ratio {t_ego / t_nx:.3f}")
    if args.exact:
        t_exact, (exact, _) = timed(lambda: analysis.betweenness(h, exact_below=10**9))
        sampled, _ = analysis.betweenness(h, k=args.k)
        top = lambda d: {n for n, _ in sorted(d.items(), key=lambda kv: -kv[1])[:20]}  # noqa: E731
        print(f"exact betweenness: {t_exact:.1f} s -> sampled/exact time {t_bet / t_exact:.3f}; "
              f"top-20 overlap {len(top(exact) & top(sampled))}/20")


if __name__ == "__main__":
    main()
