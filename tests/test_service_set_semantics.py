"""SPARQL's default graph is a set: the RDF merge of the named graphs, each triple once (a triple two
sources state is two quads in the named graphs, one triple in the default graph). Counts on /health,
the home page and the service description say triples and quads each for what they are, the dumps
keep the two apart, and writes keep the default graph equal to the merge."""
from __future__ import annotations

import httpx

from service import WRITE_TOKEN

http = httpx.Client(timeout=120)
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}", "content-type": "application/sparql-update"}
ID = "https://w3id.org/cdkg/id/test/"
DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def count(base: str, query: str) -> int:
    r = http.get(f"{base}/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# `readonly` and `writable` are the session's servers on the full build (conftest.py).


def test_default_graph_counts_a_triple_once_not_once_per_named_graph(readonly):
    distinct, quads = count(readonly, DISTINCT_TRIPLES), count(readonly, QUADS)
    assert distinct < quads  # the data does state some triples in several graphs (sources agree, inferences repeat)
    assert count(readonly, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == distinct
    cities = "SELECT (COUNT(*) AS ?n) WHERE { ?c a cd:City }"
    assert count(readonly, cities) == count(readonly, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a cd:City }")


def test_graph_variable_sees_only_the_named_graphs_never_the_materialised_merge(readonly):
    r = http.get(f"{readonly}/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                 headers={"accept": "application/sparql-results+json"})
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs and all(g.startswith("https://w3id.org/cdkg/graph/") for g in graphs)


def test_health_home_and_service_description_say_triples_and_quads_for_what_they_are(readonly):
    distinct, quads = count(readonly, DISTINCT_TRIPLES), count(readonly, QUADS)
    health = http.get(f"{readonly}/health").json()
    assert (health["triples"], health["quads"]) == (distinct, quads)
    home = http.get(f"{readonly}/", headers={"accept": "application/json"}).json()
    assert (home["triples"], home["quads"]) == (distinct, quads)
    page = http.get(f"{readonly}/").text
    assert f"{distinct} distinct triples in the default graph" in page and f"{quads} quads in the named graphs" in page
    description = http.get(f"{readonly}/sparql", headers={"accept": "application/n-triples"}).text
    default_graph_size = [line for line in description.splitlines() if "#default-graph>" in line and "void#triples" in line]
    assert len(default_graph_size) == 1 and f'"{distinct}"' in default_graph_size[0]


def test_dumps_keep_quads_in_named_graphs_and_triples_in_the_union_files(readonly):
    distinct, quads = count(readonly, DISTINCT_TRIPLES), count(readonly, QUADS)
    nquads = http.get(f"{readonly}/downloads/cdkg.nq").text.splitlines()
    assert len([line for line in nquads if line.strip()]) == quads  # the merge is not dumped again as quads
    ntriples = http.get(f"{readonly}/downloads/cdkg.nt").text.splitlines()
    assert len([line for line in ntriples if line.strip()]) == distinct


def test_triple_deleted_from_one_graph_stays_in_the_default_graph_while_another_holds_it(writable):
    triple = f"<{ID}set-a> <{ID}p> <{ID}set-b>"
    ask_once = f"SELECT (COUNT(*) AS ?n) WHERE {{ {triple} }}"
    for g in ("one", "two"):
        r = http.post(f"{writable}/update", headers=AUTH,
                      content=f"INSERT DATA {{ GRAPH <https://w3id.org/cdkg/graph/test/{g}> {{ {triple} }} }}")
        assert r.status_code == 204, r.text
    assert count(writable, ask_once) == 1  # two quads, one triple
    r = http.post(f"{writable}/update", headers=AUTH,
                  content=f"DELETE DATA {{ GRAPH <https://w3id.org/cdkg/graph/test/one> {{ {triple} }} }}")
    assert r.status_code == 204, r.text
    assert count(writable, ask_once) == 1  # graph "two" still states it
    r = http.delete(f"{writable}/rdf-graph-store", params={"graph": "https://w3id.org/cdkg/graph/test/two"}, headers=AUTH)
    assert r.status_code == 204, r.text
    assert count(writable, ask_once) == 0
    health = http.get(f"{writable}/health").json()
    assert (health["triples"], health["quads"]) == (count(writable, DISTINCT_TRIPLES), count(writable, QUADS))


def test_write_to_the_default_graph_itself_is_refused_with_a_clear_400(writable):
    r = http.post(f"{writable}/update", headers=AUTH, content=f"INSERT DATA {{ <{ID}x> <{ID}p> <{ID}y> }}")
    assert r.status_code == 400 and "name a graph" in r.text
    r = http.put(f"{writable}/rdf-graph-store", params={"default": ""}, content=f"<{ID}x> <{ID}p> <{ID}y> .",
                 headers={**AUTH, "content-type": "text/turtle"})
    assert r.status_code == 400 and "name a graph" in r.text
    assert count(writable, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}x> ?p ?o }}") == 0
    assert http.get(f"{writable}/health").json()["status"] == "ok"
