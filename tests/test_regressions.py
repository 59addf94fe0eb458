"""Regression tests named after the bugs found by the publication gate on the full data."""
from __future__ import annotations

from kg.core.query import run_query


def test_no_tie_of_a_place_with_itself_after_reconciliation(store):
    # Rows like "Kadikoy, Istanbul" reconciled both names to one place and made self-twinnings.
    rows = run_query(store, "SELECT ?a WHERE { ?a cd:partyA ?p ; cd:partyB ?p }").values()
    assert rows == []


def test_unmatched_place_named_by_two_sources_has_one_english_label(store):
    # Eurocities said "Kadikoy", the twin-town list "Kadıköy": both became rdfs:label @en.
    rows = run_query(store, """SELECT ?p (COUNT(DISTINCT ?l) AS ?n) WHERE { ?p a cd:Place ; rdfs:label ?l FILTER(lang(?l) = "en") }
        GROUP BY ?p HAVING (COUNT(DISTINCT ?l) > 1)""").values()
    assert rows == []


def test_self_reconciled_rows_are_reported_not_dropped_silently(settings, built):
    issues = (settings.build_dir / "import-issues.csv").read_text(encoding="utf-8")
    assert "reconcile to the same place" in issues


def test_service_over_a_notebooks_store_sees_changes_made_outside_it(tmp_path):
    # The result cache must not serve a stale answer when the store was passed in and changed directly.
    import pyoxigraph as ox
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kg.core.config import Settings

    store = ox.Store()
    probe = {"query": "ASK { <https://w3id.org/cdkg/id/test/x> ?p ?o }"}
    with TestClient(create_app(Settings(build_dir=tmp_path), store=store)) as client:
        assert client.get("/sparql", params=probe).json()["boolean"] is False
        assert client.get("/sparql", params=probe).json()["boolean"] is False
        store.add(ox.Quad(ox.NamedNode("https://w3id.org/cdkg/id/test/x"), ox.NamedNode("https://w3id.org/cdkg/ontology#p"),
                          ox.Literal("changed outside the service")))
        assert client.get("/sparql", params=probe).json()["boolean"] is True


def test_build_counts_a_quad_two_import_rows_state_once(settings, built, store):
    """Two rows of a mapped source may state the same quad (a place's label, say); the store holds it
    once, so the build's counts must too (they were 20 quads over on the full build)."""
    import json

    from kg.core import quad_count

    manifest = json.loads((settings.build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["asserted"] + manifest["inferred"] == quad_count(store)
    assert sum(manifest["graphs"].values()) == quad_count(store)
