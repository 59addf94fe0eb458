"""The SHACL gate every write passes before it is committed.

Seam: `check_before_commit(store, new_quads) -> list of violation messages` (empty = commit), where
`store` is the dataset as it would be after the write (a staged copy) and `new_quads` what the write
adds. The project's validation (`kg.validation.check_before_commit`, same signature) is used when it
exists; otherwise the shapes in shapes/ are run with pyshacl here. A deployer (or a test) can
name another folder of shapes with CDKG_WRITE_SHAPES_DIR, which replaces both. Only the nodes the write touches are validated (their
descriptions from the staged store), so a write costs little however large the graph is.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

from kg.core import RDF, RDFS
from kg.core import shapes_dir

Check = Callable[[ox.Store, list[ox.Quad]], list[str]]
_TYPE = ox.NamedNode(RDF + "type")
_SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
_SHAPES_CACHE: dict[tuple, object] = {}


def project_check() -> Check | None:
    """kg.validation.check_before_commit if the validation package provides it."""
    try:
        module = importlib.import_module("kg.validation")
    except ImportError:
        return None
    check = getattr(module, "check_before_commit", None)
    return check if callable(check) else None


def check_before_commit(store: ox.Store, new_quads: list[ox.Quad], shapes: Path | None = None) -> list[str]:
    """Violations the write would introduce. `shapes` (CDKG_WRITE_SHAPES_DIR) replaces the project's checks."""
    if not new_quads:
        return []
    if shapes is not None:
        return shacl_violations(store, new_quads, shapes)
    project = project_check()
    if project is not None:
        return [str(v) for v in project(store, new_quads)]
    return shacl_violations(store, new_quads, shapes_dir())


def _shapes_graph(folder: Path):
    import rdflib

    files = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
    key = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    if key not in _SHAPES_CACHE:
        g = rdflib.Graph()
        for f in files:
            g.parse(f, format="turtle")
        _SHAPES_CACHE[key] = g if len(g) else None
    return _SHAPES_CACHE[key]


def _describe(store: ox.Store, nodes: Iterable, depth: int = 3) -> set[ox.Triple]:
    """Outgoing triples of the nodes, following blank nodes, plus the types of every object."""
    out: set[ox.Triple] = set()
    todo, seen = list(nodes), set()
    for _ in range(depth):
        nxt = []
        for node in todo:
            if node in seen:
                continue
            seen.add(node)
            for q in store.quads_for_pattern(node, None, None, None):
                out.add(q.triple)
                if isinstance(q.object, ox.BlankNode):
                    nxt.append(q.object)
        todo = nxt
    for t in list(out):
        if isinstance(t.object, (ox.NamedNode, ox.BlankNode)):
            out.update(q.triple for q in store.quads_for_pattern(t.object, _TYPE, None, None))
    return out


def shacl_violations(store: ox.Store, new_quads: list[ox.Quad], folder: Path) -> list[str]:
    shapes = _shapes_graph(folder)
    if shapes is None:
        return []
    import pyshacl
    import rdflib

    focus = {q.subject for q in new_quads if isinstance(q.subject, ox.NamedNode)}
    for q in new_quads:  # a blank node's facts are validated through the IRI that holds it
        if isinstance(q.subject, ox.BlankNode):
            focus.update(r.subject for r in store.quads_for_pattern(None, None, q.subject, None)
                         if isinstance(r.subject, ox.NamedNode))
    if not focus:
        return []
    triples = _describe(store, focus)
    triples.update(q.triple for q in store.quads_for_pattern(None, _SUBCLASS, None, None))
    data = rdflib.Graph().parse(data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES), format="nt")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                           focus_nodes=[rdflib.URIRef(n.value) for n in focus])
    if conforms:
        return []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    messages = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        if report.value(result, sh.resultSeverity) != sh.Violation:
            continue
        node, path, msg = (report.value(result, p) for p in (sh.focusNode, sh.resultPath, sh.resultMessage))
        messages.append(f"<{node}>" + (f" {path.n3()}" if path is not None else "") + f": {msg or 'violates a shape'}")
    return sorted(messages)
