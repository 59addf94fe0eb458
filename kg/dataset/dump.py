"""Dump the built dataset: TriG / N-Quads keep named graphs; Turtle / JSON-LD give the union view."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.core import CdkgError
from kg.core import prefixes

DATASET_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
GRAPH_VIEW_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                      "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
FORMATS = [*DATASET_FORMATS, *GRAPH_VIEW_FORMATS]


def export(store: ox.Store, fmt: str, out: Path | None = None, base_iri: str = "https://w3id.org/cdkg/") -> bytes | None:
    if fmt in DATASET_FORMATS:
        kwargs = {"prefixes": prefixes(base_iri)} if fmt == "trig" else {}
        data = store.dump(format=DATASET_FORMATS[fmt], **kwargs)
    elif fmt in GRAPH_VIEW_FORMATS:
        triples = {q.triple for q in store}  # union of all graphs, duplicates merged
        kwargs = {"prefixes": prefixes(base_iri)} if fmt in ("turtle", "rdfxml") else {}
        data = ox.serialize(sorted(triples, key=str), format=GRAPH_VIEW_FORMATS[fmt], **kwargs)
    else:
        raise CdkgError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if out is None:
        return data
    out.write_bytes(data)
    return None
