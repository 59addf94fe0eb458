"""Check a small contribution in the context of the published graph, without re-validating everything.

The published store is copied cheaply (an Oxigraph/RocksDB checkpoint: hard links, about a
millisecond) or, for an in-memory store, quad by quad; the contribution goes into its own graph,
its entailments are derived incrementally (kg.dataset.seminaive's rules, starting from the new triples
only), and the nodes it touches are listed in a scope graph so the fast validator checks just those.
"""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from kg.core import Settings
from kg.core import INFERRED_GRAPH, ontology_files
from kg.core import RDF
from kg.validation.shacl_fast import SCOPE_PREDICATE

SCOPE_GRAPH = ox.NamedNode("urn:cdkg:validation:scope")
_TYPE = RDF + "type"
_IN_SCOPE = ox.NamedNode(SCOPE_PREDICATE)
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


@dataclass
class Contribution:
    """Triples to check, by the graph (file) they come from."""

    graphs: dict[ox.NamedNode, list[ox.Triple]] = field(default_factory=dict)

    def triples(self) -> Iterator[ox.Triple]:
        for ts in self.graphs.values():
            yield from ts

    def __len__(self) -> int:
        return sum(len(ts) for ts in self.graphs.values())


@contextmanager
def scratch_copy(store: ox.Store, path: Path | None = None) -> Iterator[ox.Store]:
    """A writable throw-away copy of `store` (the original is never written)."""
    tmp = Path(tempfile.mkdtemp(prefix="cdkg-validate-"))
    try:
        try:
            store.backup(str(tmp / "store"))
            copy = ox.Store(str(tmp / "store"))
        except (OSError, ValueError, RuntimeError):
            copy = ox.Store()  # in-memory stores cannot be checkpointed: copy the quads
            copy.extend(store.quads_for_pattern(None, None, None, None))
        yield copy
        del copy
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def touched_nodes(triples) -> set[ox.Term]:
    """Nodes whose validity a set of triples can change: subjects and (non-class) objects."""
    nodes: set[ox.Term] = set()
    for t in triples:
        nodes.add(t.subject)
        if not isinstance(t.object, ox.Literal) and t.predicate.value != _TYPE:
            nodes.add(t.object)
    return nodes


def infer_delta(store: ox.Store, settings: Settings, new: list[ox.Triple], inferred_graph: ox.NamedNode) -> list[ox.Triple]:
    """Entailments of `new` (already added to `store`) that the store does not hold yet.

    Semi-naive from the new triples only: the published part of the store is already closed, so any
    new entailment has a derivation that uses at least one new triple.
    """
    from kg.dataset import read_schema
    from kg.dataset import RuleIndex, derive

    onto = [ox.NamedNode(settings.graph_iri(name)) for name, _ in ontology_files(settings.ontology_dir)]
    rules = RuleIndex(read_schema(store, onto))
    scope = set(store.named_graphs()) | {inferred_graph}
    known = set(new)
    derived: list[ox.Triple] = []
    queue = list(new)
    for _ in range(50):  # rounds, as kg.dataset.seminaive
        if not queue:
            break
        fresh = []
        for t in queue:
            for d in derive(t, rules, store, scope):
                if d in known:
                    continue
                known.add(d)
                if next(iter(store.quads_for_pattern(d.subject, d.predicate, d.object, None)), None) is None:
                    fresh.append(d)
        store.extend(ox.Quad(d.subject, d.predicate, d.object, inferred_graph) for d in fresh)
        derived.extend(fresh)
        queue = fresh
    return derived


def stage(store: ox.Store, settings: Settings, contribution: Contribution) -> set[ox.Term]:
    """Add the contribution, its entailments and the scope graph to a scratch store; return the scope."""
    for graph, triples in contribution.graphs.items():
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    inferred = infer_delta(store, settings, list(contribution.triples()),
                           ox.NamedNode(settings.graph_iri(INFERRED_GRAPH)))
    scope = touched_nodes(contribution.triples()) | {t.subject for t in inferred}
    store.extend(ox.Quad(n, _IN_SCOPE, _TRUE, SCOPE_GRAPH) for n in scope)
    return scope
