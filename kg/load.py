"""Parse ontology and data files into an Oxigraph store, one named graph per file."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from kg.config import CANONICAL_BASE
from kg.errors import DataSyntaxError
from kg.intake.review import published
from kg.namespaces import DCAT, DCTERMS, RDF, RDFS
from kg.sources import Source

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


def _rebase_term(term, old: str, new: str):
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
        triples = [ox.Triple(_rebase_term(t.subject, old, new), t.predicate, _rebase_term(t.object, old, new)) for t in triples]
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


def metadata_triples(source: Source, graph_iri_of) -> Iterator[ox.Triple]:
    """DCAT description of a source folder and the graphs it contributes."""
    meta = source.meta
    ds = ox.NamedNode(graph_iri_of(f"dataset/{source.id}"))
    lit = ox.Literal
    yield ox.Triple(ds, ox.NamedNode(RDF + "type"), ox.NamedNode(DCAT + "Dataset"))
    yield ox.Triple(ds, ox.NamedNode(RDFS + "label"), lit(meta["title"], language="en"))
    yield ox.Triple(ds, ox.NamedNode(DCTERMS + "title"), lit(meta["title"], language="en"))
    yield ox.Triple(ds, ox.NamedNode(DCTERMS + "description"), lit(f"Publisher(s): {meta['publisher']}. Licence: {meta['licence']}", language="en"))
    yield ox.Triple(ds, ox.NamedNode(DCTERMS + "issued"), lit(str(meta["retrieved"]), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")))
    if meta.get("licence_url"):
        yield ox.Triple(ds, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(meta["licence_url"]))
    if meta.get("url"):
        yield ox.Triple(ds, ox.NamedNode(DCAT + "landingPage"), ox.NamedNode(meta["url"]))
    for name in getattr(source, "graph_names", None) or [source.graph_name(f) for f in source.files]:
        yield ox.Triple(ds, ox.NamedNode(DCTERMS + "hasPart"), ox.NamedNode(graph_iri_of(name)))
