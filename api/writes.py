"""Writes (SPARQL Update, Graph Store Protocol): applied to a staged copy, checked, then served.

A write runs on a staged copy of the dataset (api/state.py makes it: a RocksDB checkpoint, hard
links, milliseconds). What it changes is found by comparing the named graphs it can write to (an
update whose graphs cannot be read from its text, INSERT { GRAPH ?g ... }, is compared over every
named graph: slow on a large dataset, see docs/service.md). The SHACL gate (api/write_gate.py)
then checks every node the change touches, added and deleted triples alike. If it passes, the
copy's default graph is brought back to the merge of the named graphs (kg.core.merge) and what the
rules entail from the added triples goes to the inferred graph, still on the copy, which the
service then serves. So the inferences are made from the very quads (blank nodes included) the
write committed. The default graph is derived, so a write must name a graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from api.sparql import write_targets
from kg.core import named_quads, sync_merge

Check = Callable[[ox.Store, list[ox.Quad]], list[str]]
Infer = Callable[[ox.Store, list[ox.Triple]], int]  # derive from the added triples into the inferred graph
DEFAULT_IS_DERIVED = ("the default graph is the merge of the named graphs and cannot be written directly: "
                      "name a graph, e.g. INSERT DATA { GRAPH <https://w3id.org/cdkg/graph/...> { ... } } "
                      "or /rdf-graph-store?graph=IRI")


class WriteError(Exception):
    """The write is malformed (400)."""


@dataclass
class WriteRefused(Exception):
    """The write would break a shape (422); nothing was committed."""

    violations: list[str] = field(default_factory=list)


@dataclass
class WriteReport:
    added: int = 0
    removed: int = 0
    created: bool = False
    inferred: int = 0


@dataclass
class Change:
    added: list[ox.Quad] = field(default_factory=list)
    removed: list[ox.Quad] = field(default_factory=list)


def diff(live: ox.Store, staged: ox.Store, graphs: list[ox.NamedNode] | None) -> Change:
    """What changed from `live` to `staged` in `graphs` (None: every named graph of either)."""
    if graphs is None:
        graphs = sorted({*live.named_graphs(), *staged.named_graphs()}, key=str)
    change = Change()
    for g in graphs:
        before, after = _lines(live, g), _lines(staged, g)
        change.added += _quads(after - before, g)
        change.removed += _quads(before - after, g)
    return change


def _lines(store: ox.Store, g: ox.NamedNode) -> set[bytes]:
    """The graph as N-Triples lines: serialised in Rust, ~1.5x faster to compare than quad objects
    (blank node labels are the stored ones, so the same node gives the same line)."""
    return set(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).splitlines()) if store.contains_named_graph(g) else set()


def _quads(lines: set[bytes], g: ox.NamedNode) -> list[ox.Quad]:
    triples = ox.parse(b"\n".join(sorted(lines)), format=ox.RdfFormat.N_TRIPLES) if lines else []
    return [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]


def touched_focus(staged: ox.Store, removed: list[ox.Quad]) -> list[ox.Quad]:
    """A deletion's focus nodes, given to the gate as their remaining statements (the gate validates
    the subjects of the quads it is handed): removing an agreement's cd:partyB revalidates it."""
    nodes = {q.subject for q in removed}
    for q in removed:  # a blank node's facts are validated through the IRI that holds it
        if isinstance(q.subject, ox.BlankNode):
            nodes.update(r.subject for r in named_quads(staged, None, None, q.subject))
    return [q for n in nodes for q in named_quads(staged, n)]


def commit(staged: ox.Store, change: Change, check: Check, infer: Infer | None) -> WriteReport:
    """Bring the staged copy's default graph up to date (the gate reads it), gate the change, then add
    the inferences. A refused write throws the copy away."""
    sync_merge(staged, [q.triple for q in change.added], [q.triple for q in change.removed])
    violations = check(staged, change.added + touched_focus(staged, change.removed))
    if violations:
        raise WriteRefused(violations)
    inferred = infer(staged, [q.triple for q in change.added]) if infer else 0
    return WriteReport(added=len(change.added), removed=len(change.removed), inferred=inferred)


def sparql_update(live: ox.Store, staged: ox.Store, update: str, check: Check, base_iri: str | None,
                  prefixes: dict[str, str], infer: Infer | None = None) -> WriteReport:
    try:  # first, so that a syntax error is reported as such; the copy is thrown away on any error
        staged.update(update, base_iri=base_iri, prefixes=prefixes)
    except SyntaxError as exc:
        raise WriteError(f"SPARQL Update syntax error: {exc}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise WriteError(f"update failed: {exc}") from None
    targets = write_targets(update, base_iri)
    if targets is not None and None in targets:
        raise WriteError(DEFAULT_IS_DERIVED)
    graphs = None if targets is None else [ox.NamedNode(g) for g in sorted(targets)]
    return commit(staged, diff(live, staged, graphs), check, infer)


def graph_node(graph: str | None):
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def graph_exists(store: ox.Store, graph: str | None) -> bool:
    return graph is None or store.contains_named_graph(ox.NamedNode(graph))


def put_or_post_graph(live: ox.Store, staged: ox.Store, graph: str | None, triples: list[ox.Triple], replace: bool,
                      check: Check, infer: Infer | None = None) -> WriteReport:
    """PUT (replace=True) or POST (merge) triples into a named graph."""
    if graph is None:
        raise WriteError(DEFAULT_IS_DERIVED)
    g = ox.NamedNode(graph)
    existed = live.contains_named_graph(g)
    if replace:
        staged.clear_graph(g)
    staged.add_graph(g)
    staged.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
    report = commit(staged, diff(live, staged, [g]), check, infer)
    report.created = not existed
    return report


def delete_graph(live: ox.Store, staged: ox.Store, graph: str | None, check: Check) -> WriteReport:
    if graph is None:
        raise WriteError(DEFAULT_IS_DERIVED)
    g = ox.NamedNode(graph)
    staged.remove_graph(g)
    return commit(staged, diff(live, staged, [g]), check, None)
