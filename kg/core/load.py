"""Parse ontology and data files into an Oxigraph store, one named graph per file."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from kg.core.config import CANONICAL_BASE
from kg.core.errors import DataSyntaxError
from kg.core.review import published

ONTOLOGY_GRAPH = "ontology"
META_GRAPH = "meta"
INFERRED_GRAPH = "inferred"

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
            ".nq": ox.RdfFormat.N_QUADS, ".rdf": ox.RdfFormat.RDF_XML, ".jsonld": ox.RdfFormat.JSON_LD}


def rdf_format(path: Path) -> ox.RdfFormat:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise DataSyntaxError(str(path), None, None, f"unknown RDF file extension '{path.suffix}' (use {', '.join(_FORMATS)})") from None


def rebase_term(term, old: str, new: str):
    if isinstance(term, ox.NamedNode) and term.value.startswith(old):
        return ox.NamedNode(new + term.value[len(old):])
    return term


def parse_file(path: Path, base_iri: str = CANONICAL_BASE) -> list[ox.Triple]:
    """Parse one file to triples, naming file, line and column on a syntax error."""
    try:
        triples = [q.triple for q in ox.parse(path=str(path), format=rdf_format(path))]
    except SyntaxError as exc:
        raise DataSyntaxError(str(path), exc.lineno, exc.offset, exc.msg or str(exc)) from None
    if base_iri != CANONICAL_BASE:
        old, new = CANONICAL_BASE + "id/", base_iri + "id/"
        triples = [ox.Triple(rebase_term(t.subject, old, new), t.predicate, rebase_term(t.object, old, new)) for t in triples]
    return published(triples)  # article candidates are not data until a curator accepts them


def add_triples(store: ox.Store, triples: Iterable[ox.Triple], graph: str) -> int:
    g = ox.NamedNode(graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
    store.extend(quads)
    return len(quads)


def ontology_files(ontology_dir: Path) -> list[tuple[str, Path]]:
    """(graph name, file): the edit source in graph 'ontology', each import module in its own graph."""
    main = [(ONTOLOGY_GRAPH, p) for p in sorted(ontology_dir.glob("*.ttl"))]
    imports = [(f"{ONTOLOGY_GRAPH}/imports/{p.stem}", p) for p in sorted((ontology_dir / "imports").glob("*.ttl"))]
    return main + imports

