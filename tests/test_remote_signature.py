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


def _chain_store(n: int, prefix: str, date_of=lambda i: i) -> ox.Store:
    """n facts, each with a blank-node date (as the build's attestations and dates are)."""
    lines = []
    for i in range(n):
        lines.append(f"<https://w3id.org/cdkg/id/f{i}> <https://w3id.org/cdkg/ontology#date> _:{prefix}{i} .")
        lines.append(f'_:{prefix}{i} <http://www.w3.org/2006/time#inXSDDate> "2020-01-{1 + date_of(i) % 28:02d}" .')
    store = ox.Store()
    store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(G))
    return store


def test_signature_sees_a_change_in_which_fact_a_blank_node_belongs_to():
    same = graph_signature(_chain_store(50, "a"), G), graph_signature(_chain_store(50, "other"), G)
    assert same[0] == same[1]
    swapped = graph_signature(_chain_store(50, "a", lambda i: {3: 4, 4: 3}.get(i, i)), G)  # two dates swapped
    assert swapped["triples"] == same[0]["triples"] and swapped["sha256"] != same[0]["sha256"]


def test_signature_memory_does_not_hold_blank_node_triples_as_objects():
    # Regression: a 5M-triple graph's signature peaked at 1,777 MB (every blank-node triple kept as objects).
    import tracemalloc
    store = _chain_store(100_000, "b")
    tracemalloc.start()
    graph_signature(store, G)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 40 * 2**20, f"{peak / 2**20:.0f} MB for 200,000 blank-node triples"
