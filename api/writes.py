"""Writes (SPARQL Update, Graph Store Protocol): stage on a copy, check with SHACL, then commit.

A write is first applied to a staged copy of the dataset (a RocksDB checkpoint: hard links, a few
milliseconds whatever the size); the quads it adds (found by comparing only the graphs it can write
to) go through the write gate (api/write_gate.py). Only when the gate finds no violation is the
same change committed to the real store, as one transactional SPARQL update. An update whose target
graph cannot be read from its text (INSERT { GRAPH ?g ... }) is compared over every graph: slow on a
large dataset (see docs/service.md). After the commit, what the ontology's rules entail from the
added triples is added to the inferred graph (kg.dataset.reason.extend_inferences); a deletion leaves
derived triples in place until the next `cdkg build`.
"""
from __future__ import annotations

import gc
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from api.sparql import insert_targets

Check = Callable[[ox.Store, list[ox.Quad]], list[str]]
Infer = Callable[[ox.Store, list[ox.Triple]], int]  # after the commit: derive from the added triples


class WriteError(Exception):
    """The write is malformed (400)."""


@dataclass
class WriteRefused(Exception):
    """The write would break a shape (422); nothing was committed."""

    violations: list[str] = field(default_factory=list)


@dataclass
class WriteReport:
    added: int = 0
    created: bool = False
    inferred: int = 0


@contextmanager
def staged_copy(store: ox.Store, staging_dir: Path | None):
    """A writable copy of the dataset: a RocksDB checkpoint (hard links, milliseconds) for a store on
    disk, a full copy for an in-memory one."""
    if staging_dir is None:
        copy = ox.Store()
        copy.bulk_extend(store)
        yield copy
        return
    staging_dir.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="stage-", dir=staging_dir))
    shutil.rmtree(target)  # backup() wants to create the folder itself
    try:
        store.backup(str(target))
        copy = ox.Store(str(target))
        yield copy
        del copy
        gc.collect()
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _graphs(store: ox.Store, staged: ox.Store) -> list:
    return [ox.DefaultGraph(), *{*store.named_graphs(), *staged.named_graphs()}]


def added_quads(store: ox.Store, staged: ox.Store, targets: set[str | None] | None) -> list[ox.Quad]:
    """Quads in `staged` and not in `store`, looking only at the graphs the write can add to."""
    graphs = _graphs(store, staged) if targets is None else [graph_node(g) for g in targets]
    added: list[ox.Quad] = []
    for g in graphs:
        before = set(store.quads_for_pattern(None, None, None, g))
        added += [q for q in staged.quads_for_pattern(None, None, None, g) if q not in before]
    return added


def _gate(staged: ox.Store, added: list[ox.Quad], check: Check) -> None:
    violations = check(staged, added)
    if violations:
        raise WriteRefused(violations)


def sparql_update(store: ox.Store, update: str, check: Check, base_iri: str | None, prefixes: dict[str, str],
                  staging_dir: Path | None = None, infer: Infer | None = None) -> WriteReport:
    with staged_copy(store, staging_dir) as staged:
        try:
            staged.update(update, base_iri=base_iri, prefixes=prefixes)
        except SyntaxError as exc:
            raise WriteError(f"SPARQL Update syntax error: {exc}") from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise WriteError(f"update failed: {exc}") from None
        added = added_quads(store, staged, insert_targets(update, base_iri))
        _gate(staged, added, check)
    store.update(update, base_iri=base_iri, prefixes=prefixes)  # the same change, in one transaction
    return WriteReport(added=len(added), inferred=infer(store, [q.triple for q in added]) if infer else 0)


def graph_node(graph: str | None):
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def graph_exists(store: ox.Store, graph: str | None) -> bool:
    return graph is None or store.contains_named_graph(ox.NamedNode(graph))


def _data_update(graph: str | None, triples: list[ox.Triple], replace: bool) -> str:
    """One SPARQL update (so one transaction) that replaces or extends the graph."""
    target = "DEFAULT" if graph is None else f"GRAPH <{graph}>"
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode() if triples else ""
    insert = f"INSERT DATA {{ {body} }}" if graph is None else f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}"
    parts = ([f"DROP SILENT {target}"] if replace else []) + ([insert] if triples else [])
    return " ;\n".join(parts)


def put_or_post_graph(store: ox.Store, graph: str | None, triples: list[ox.Triple], replace: bool, check: Check,
                      staging_dir: Path | None = None, infer: Infer | None = None) -> WriteReport:
    """PUT (replace=True) or POST (merge) triples into a graph (None = the default graph)."""
    existed = graph_exists(store, graph)
    g = graph_node(graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
    with staged_copy(store, staging_dir) as staged:
        if replace:
            staged.clear_graph(g)
        staged.extend(quads)
        added = [q for q in quads if q not in store or replace]
        _gate(staged, added, check)
    update = _data_update(graph, triples, replace)
    if update:
        store.update(update)
    if graph is not None and not triples and not existed:
        store.add_graph(ox.NamedNode(graph))
    return WriteReport(added=len(added), created=not existed,
                       inferred=infer(store, [q.triple for q in added]) if infer else 0)


def delete_graph(store: ox.Store, graph: str | None) -> None:
    if graph is None:
        store.clear_graph(ox.DefaultGraph())
    else:
        store.remove_graph(ox.NamedNode(graph))
