"""The query library (queries/*.rq) gives the same answers on OpenLink Virtuoso as on the embedded
store: every query runs on both over the seed-articles build, the dataset restricted to the build's
named graphs (Virtuoso's own system graphs are left out), and the rows are compared modulo the
engine freedoms listed in tests/compare_answers.py (docs/scale-out.md)."""
from __future__ import annotations

import pytest

from compare_answers import ask_endpoint, local_rows, remote_rows
from kg.core import open_store
from kg.core.query import query_library, run_query
from kg.release.auth import RemoteAuth
from kg.release.remote import GraphStore, push
from kg.release.signature import graph_signatures
from seed_build import seed_settings
from virtuoso import PASSWORD, USER, running_virtuoso, virtuoso_path

LIBRARY = query_library()
# Quality checks whose right answer is no rows (any row is a failure): both engines must give none.
EMPTY_BY_DESIGN = {"wikidata-id-conflicts"}
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    if virtuoso_path() is None:
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does this)")
    settings = seed_settings(tmp_path_factory.getbasetemp())
    store = open_store(settings)
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-queries")) as (base, _, _):
        push(store, GraphStore(f"{base}/sparql-graph-crud-auth", RemoteAuth(USER, PASSWORD)), graph_signatures(store),
             tmp_path_factory.mktemp("state") / "state.json")
        yield store, f"{base}/sparql", sorted(g.value for g in store.named_graphs())


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_query_answers_the_same_on_virtuoso(stores, name):
    store, endpoint, graphs = stores
    text = LIBRARY[name].text
    local = run_query(store, text)
    r = ask_endpoint(endpoint, text, graphs)
    assert r.status_code == 200, f"{name}: Virtuoso answered {r.status_code}: {r.text[:500]}"
    mine, theirs = local_rows(local, text), remote_rows(r.json(), local.variables, text)
    if name in EMPTY_BY_DESIGN:
        assert mine == [] and theirs == [], f"{name}: a check query must give no rows on either engine"
        return
    assert mine, f"{name}: no rows on the seed build, so the comparison would prove nothing"
    assert theirs == mine, (f"{name}: only embedded {sorted(set(mine) - set(theirs))[:3]}; "
                            f"only Virtuoso {sorted(set(theirs) - set(mine))[:3]}")
