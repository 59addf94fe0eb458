"""The query library (queries/*.rq) gives the same answers on OpenLink Virtuoso and on the Oxigraph
server as on the embedded store: every query runs on each over the seed-articles build, the dataset
restricted to the build's named graphs (a store's own graphs are left out), and the rows are compared
modulo the engine freedoms listed in tests/compare_answers.py (docs/scale-out.md).

Virtuoso's answers depend on its plans, and its plans on what else the store holds and on its
statistics: the Virtuoso here also holds an unrelated graph of 120k SYNTHETIC triples, loaded before
the build's graphs (a store shared with other data; with it, jalali-and-gregorian-dates once lost
rows), and every query is compared twice: as loaded, and after the statistics are refreshed
(DB.DBA.SYS_STAT_ANALYZE; organisations-by-type then ran past 120 s)."""
from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from compare_answers import ask_endpoint, local_rows, remote_rows
from kg.core import open_store
from kg.core.query import query_library, run_query
from kg.release.auth import RemoteAuth
from kg.release.remote import GraphStore, push
from kg.release.signature import graph_signatures
from seed_build import seed_settings
from service import running_oxigraph
from virtuoso import PASSWORD, USER, isql, running_virtuoso, virtuoso_path

LIBRARY = query_library()
# Quality checks whose right answer is no rows (any row is a failure): every engine must give none.
EMPTY_BY_DESIGN = {"wikidata-id-conflicts"}
UNRELATED = "urn:example:unrelated-synthetic"
pytestmark = pytest.mark.timeout(600)


def _unrelated_triples() -> list[ox.Triple]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate
    return list(ox.parse(generate(120_000, seed=5).encode(), format=ox.RdfFormat.N_TRIPLES))


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    store = open_store(seed_settings(tmp_path_factory.getbasetemp()))
    return store, sorted(g.value for g in store.named_graphs())


@pytest.fixture(scope="module")
def virtuoso(seed, tmp_path_factory):
    """Virtuoso holding an unrelated synthetic graph, then the seed build's graphs: (endpoint, SQL port)."""
    if virtuoso_path() is None:
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does this)")
    store, _ = seed
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-queries")) as (base, sql_port, _):
        target = GraphStore(f"{base}/sparql-graph-crud-auth", RemoteAuth(USER, PASSWORD))
        target.preauthenticate(UNRELATED)
        target.replace(UNRELATED, iter(_unrelated_triples()))
        push(store, target, graph_signatures(store), tmp_path_factory.mktemp("state") / "state.json")
        yield f"{base}/sparql", sql_port


@pytest.fixture(scope="module", params=["as-loaded", "statistics-refreshed"])
def virtuoso_endpoint(request, virtuoso):
    """The same Virtuoso, first as loaded, then after its statistics are refreshed (pytest runs every
    test of the first state before the second)."""
    endpoint, sql_port = virtuoso
    if request.param == "statistics-refreshed":
        isql(sql_port, "DB.DBA.SYS_STAT_ANALYZE('DB.DBA.RDF_QUAD', 10, 0)", timeout=300)
    return endpoint


@pytest.fixture(scope="module")
def oxigraph_endpoint(seed, tmp_path_factory):
    """The Oxigraph server (`oxigraph serve`, from the pip package `oxigraph`) holding the same graphs."""
    store, _ = seed
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph-queries"), store) as base:
        yield f"{base}/query"


def _compare(seed, endpoint: str, name: str, engine: str) -> None:
    store, graphs = seed
    text = LIBRARY[name].text
    local = run_query(store, text)
    r = ask_endpoint(endpoint, text, graphs)
    assert r.status_code == 200, f"{name}: {engine} answered {r.status_code}: {r.text[:500]}"
    mine, theirs = local_rows(local, text), remote_rows(r.json(), local.variables, text)
    if name in EMPTY_BY_DESIGN:
        assert mine == [] and theirs == [], f"{name}: a check query must give no rows on either engine"
        return
    assert mine, f"{name}: no rows on the seed build, so the comparison would prove nothing"
    assert theirs == mine, (f"{name}: only embedded {sorted(set(mine) - set(theirs))[:3]}; "
                            f"only {engine} {sorted(set(theirs) - set(mine))[:3]}")


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_query_answers_the_same_on_virtuoso_holding_other_data(seed, virtuoso_endpoint, name):
    _compare(seed, virtuoso_endpoint, name, "Virtuoso")


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_query_answers_the_same_on_the_oxigraph_server(seed, oxigraph_endpoint, name):
    _compare(seed, oxigraph_endpoint, name, "the Oxigraph server")
