"""Dump the built dataset: TriG / N-Quads keep the named graphs (not the materialised default graph, which
repeats them); Turtle / N-Triples / JSON-LD / RDF/XML give the default graph, the merge (a set)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.core import CdkgError, merged_triples, named_quads
from kg.core import prefixes

DATASET_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
GRAPH_VIEW_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                      "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
FORMATS = [*DATASET_FORMATS, *GRAPH_VIEW_FORMATS]


def export(store: ox.Store, fmt: str, out: Path | None = None, base_iri: str = "https://w3id.org/cdkg/") -> bytes | None:
    if fmt in DATASET_FORMATS:
        kwargs = {"prefixes": prefixes(base_iri)} if fmt == "trig" else {}
        data = ox.serialize(named_quads(store), format=DATASET_FORMATS[fmt], **kwargs)
    elif fmt in GRAPH_VIEW_FORMATS:
        triples = merged_triples(store)
        kwargs = {"prefixes": prefixes(base_iri)} if fmt in ("turtle", "rdfxml") else {}
        data = ox.serialize(sorted(triples, key=str), format=GRAPH_VIEW_FORMATS[fmt], **kwargs)
    else:
        raise CdkgError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if out is None:
        return data
    out.write_bytes(data)
    return None
