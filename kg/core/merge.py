"""The default graph is the RDF merge of the named graphs: a set of triples, materialised in the store.

Named graphs keep provenance (one per source file, the ontology, metadata, inferences), so a triple
two sources state is two quads. SPARQL's default graph must count it once, as any triple store
does; Oxigraph's union default graph would count it once per graph. So the build writes the merge
into the store's real default graph, queries without a dataset run on it, and every write keeps
it equal to the merge (sync_merge). Dumps and counts of quads read the named graphs only.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pyoxigraph as ox

DEFAULT = ox.DefaultGraph()
_MATERIALISE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def materialise_merge(store: ox.Store) -> int:
    """Write the merge of every named graph into the default graph; returns its size (triples)."""
    store.update(_MATERIALISE)  # evaluated in Rust: ~1 s for the full graph, a Python loop takes longer
    return triple_count(store)


def triple_count(store: ox.Store) -> int:
    """Distinct triples: the size of the default graph."""
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


def quad_count(store: ox.Store) -> int:
    """Quads in named graphs (the materialised default graph is not counted)."""
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)


def has_merge(store: ox.Store) -> bool:
    """True when the default graph holds anything (a built store: the merge)."""
    return next(iter(store.quads_for_pattern(None, None, None, DEFAULT)), None) is not None


def named_quads(store: ox.Store, s=None, p=None, o=None) -> Iterator[ox.Quad]:
    """Quads of the named graphs only (the provenance view), never the materialised merge."""
    return (q for q in store.quads_for_pattern(s, p, o, None) if not isinstance(q.graph_name, ox.DefaultGraph))


def merged_triples(store: ox.Store) -> list[ox.Triple]:
    """The default graph's triples (the merge)."""
    return [q.triple for q in store.quads_for_pattern(None, None, None, DEFAULT)]


def held_by_a_named_graph(store: ox.Store, t: ox.Triple) -> bool:
    return next(named_quads(store, t.subject, t.predicate, t.object), None) is not None


def sync_merge(store: ox.Store, added: Iterable[ox.Triple], removed: Iterable[ox.Triple]) -> None:
    """After a write to named graphs: the default graph gains what was added and loses a removed
    triple only when no named graph still holds it."""
    store.extend(ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in added)
    for t in removed:
        if not held_by_a_named_graph(store, t):
            store.remove(ox.Quad(t.subject, t.predicate, t.object, DEFAULT))
