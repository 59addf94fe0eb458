"""The protocol's look at query text: a query's own FROM wins over the union default graph."""
from __future__ import annotations

import pytest

from api.sparql.sparql_text import has_dataset_clause


@pytest.mark.parametrize("query, expected", [
    ("SELECT * FROM <g> WHERE { ?s ?p ?o }", True),
    ("ASK FROM NAMED <g> { GRAPH ?g { ?s ?p ?o } }", True),
    ("DESCRIBE <x> FROM <g>", True),
    ("CONSTRUCT FROM <g> WHERE { ?s ?p ?o }", True),
    # A CONSTRUCT template comes before the dataset clause: lexing must read through it.
    ("CONSTRUCT { ?s ?p ?o } FROM <g> WHERE { ?s ?p ?o }", True),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", False),
    ("SELECT * { ?s ?p ?o }", False),
    ('SELECT * WHERE { ?s ?p "FROM <g>" } # FROM <g>', False),
    ("# FROM <g>\nSELECT * WHERE { ?s ?p ?o }", False),
    ("SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } } } ", False),
])
def test_dataset_clause_is_found_only_where_the_grammar_puts_it(query, expected):
    assert has_dataset_clause(query) is expected
