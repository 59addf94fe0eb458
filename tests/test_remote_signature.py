"""Per-graph signatures (kg.release.signature) decide what a remote push sends: equal for the same
triples whatever the blank node labels or order, different for any change of a triple."""
from __future__ import annotations

import pyoxigraph as ox

from kg.release.signature import graph_signature

G = "https://w3id.org/cdkg/graph/test"
DATA = """<https://w3id.org/cdkg/id/a> <https://w3id.org/cdkg/ontology#date> _:{b} .
_:{b} <http://www.w3.org/2006/time#inXSDDate> "2020-07-15"^^<http://www.w3.org/2001/XMLSchema#date> .
<https://w3id.org/cdkg/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@en .
"""


def _store(label: str, blank: str) -> ox.Store:
    store = ox.Store()
    store.load(DATA.format(b=blank, label=label).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(G))
    return store


def test_signature_ignores_blank_node_labels_and_sees_any_change():
    one, other = graph_signature(_store("Isfahan", "x1"), G), graph_signature(_store("Isfahan", "zz9"), G)
    assert one == other and one["triples"] == 3
    changed = graph_signature(_store("Isfahan ", "x1"), G)
    assert changed["triples"] == 3 and changed["sha256"] != one["sha256"]
