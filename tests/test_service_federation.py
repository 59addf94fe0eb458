"""SERVICE and LOAD make the server send HTTP requests: off by default (the endpoint is no open proxy),
on for the endpoints listed in CDKG_FEDERATION_ALLOW. A real listener on 127.0.0.1 records every
request it gets, so a refusal is proven by silence, not by a message alone."""
from __future__ import annotations

import httpx
import pytest

from api.sparql.sparql_text import outbound_requests
from service import WRITE_TOKEN as TOKEN

client = httpx.Client(timeout=60)


@pytest.fixture(scope="module")
def service(writable):
    """The session's writable server (so updates reach the check): federation allowed to one path of the
    session's listener only."""
    return writable


def _refused_queries(target: str) -> list[str]:
    host_port = target.removeprefix("http://")
    escaped = target.replace(":", "\\u003A", 2).replace("\\u003A", ":", 1)  # http://127.0.0.1\u003A<port>/...
    return [
        f"SELECT * WHERE {{ SERVICE <{target}/x> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{target}/x> {{ ?s ?p ?o }} }}",
        f"PREFIX far: <{target}/> SELECT * WHERE {{ SERVICE far:x {{ ?s ?p ?o }} }}",
        f"PREFIX : <{target}/> SELECT * WHERE {{ SERVICE :x {{ ?s ?p ?o }} }}",
        f"BASE <http://{host_port}/> SELECT * WHERE {{ SERVICE <x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped}/x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p true.SERVICE <{target}/x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}/x> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ ?s ?p "x" # {target}\n SERVICE <{target}/x> {{ ?s ?p ?o }} }}',
    ]


def test_service_is_not_an_open_proxy_by_default(service, listener):
    before = len(listener.calls)
    for query in _refused_queries(listener.url):
        for r in (client.get(f"{service}/sparql", params={"query": query}),
                  client.post(f"{service}/sparql", content=query, headers={"content-type": "application/sparql-query"})):
            assert r.status_code == 400, (query, r.status_code, r.text)
            assert "is disabled on this endpoint" in r.text and "CDKG_FEDERATION_ALLOW" in r.text, r.text
            assert f"{listener.url}/allowed" in r.text  # says what is allowed
    assert listener.calls[before:] == []
    assert client.get(f"{service}/health").status_code == 200


def test_load_and_service_in_updates_are_refused_even_with_the_token(service, listener):
    before = len(listener.calls)
    auth = {"Authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
    for update in (f"LOAD <{listener.url}/doc.ttl>",
                   f"LOAD SILENT <{listener.url}/doc.ttl> INTO GRAPH <https://w3id.org/cdkg/graph/test/loaded>",
                   f"INSERT {{ GRAPH <https://w3id.org/cdkg/graph/test/f> {{ ?s ?p ?o }} }} "
                   f"WHERE {{ SERVICE <{listener.url}/x> {{ ?s ?p ?o }} }}"):
        for path in ("/update", "/sparql"):
            r = client.post(f"{service}{path}", content=update, headers=auth)
            assert r.status_code == 400 and "CDKG_FEDERATION_ALLOW" in r.text, (update, r.status_code, r.text)
    assert listener.calls[before:] == []


def test_keywords_inside_strings_and_iris_are_not_federation(service, listener):
    query = f'SELECT ?x WHERE {{ BIND("SERVICE <{listener.url}/x> {{ }}" AS ?x) FILTER(?x != <urn:SERVICE>) }}'
    r = client.get(f"{service}/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) == 1


def test_allow_listed_endpoint_is_queried(service, listener):
    before = len(listener.calls)
    query = f"SELECT ?s WHERE {{ SERVICE <{listener.url}/allowed> {{ ?s ?p ?o }} }}"
    r = client.post(f"{service}/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert [b["s"]["value"] for b in r.json()["results"]["bindings"]] == ["from-the-remote-endpoint"]
    assert listener.calls[before:] == [("POST", "/allowed")]


def test_outbound_requests_resolve_like_the_engine():
    base = "http://127.0.0.1:8000/sparql"
    found = outbound_requests("PREFIX cd: <http://other/> SELECT * { SERVICE cd:a {} SERVICE place:b {} SERVICE nope:c {} "
                              "SERVICE <sparql> {} SERVICE $v {} }", base, {"place": "https://w3id.org/cdkg/id/place/"})
    assert [(o.written, o.target) for o in found] == [
        ("cd:a", "http://other/a"), ("place:b", "https://w3id.org/cdkg/id/place/b"), ("nope:c", None),
        ("<sparql>", "http://127.0.0.1:8000/sparql"), ("$v", None)]
    assert outbound_requests('SELECT * { ?s ?p "SERVICE <http://x/>" } # LOAD <http://y/>', base) == []


# Valid SPARQL pieces that are hard on a lexer: quotes, escapes, '#', '<' as an operator, dots after words.
TRICKY = [r'FILTER("a#b" != "c")', r'FILTER(?o != """x"y""")', r"FILTER(?o != '''it's''')", r'FILTER(?o != "\\")',
          r'FILTER(?o != "a\"b")', '# c SERVICE <urn:x> {}\n', r'BIND(<urn:a#b> AS ?z)', 'FILTER(1<2)',
          'FILTER(?o<?s&&true)', '?s ?p ?o.', r'VALUES ?v { "#" }', r'FILTER(?o != <http://x\u0023y>)',
          r'FILTER(?o != """a\\""")', r"FILTER(?o != '\'#')", r'FILTER(?o != """\"""")', r'FILTER(?o != "#\"")',
          r'FILTER(?o != """"a""")', r"FILTER(?o != ''''a''')", 'OPTIONAL { ?s ?p true }', '?s ?p true.',
          r'FILTER(?o != "1"^^<urn:t#x>)', '{ } UNION { }', 'ex:a ex:b ex:c.', 'FILTER(?o != ex:a.b)',
          r'FILTER(?o != """a""b""")', r'FILTER(?o != "\u0022#")', r'FILTER(?o != "\\\"#")', r'FILTER(?o != """\\\"""")',
          r'FILTER(REGEX(?o, "\\d#"))', r'FILTER(?o != <urn:a\u003E>)', '?s ?p _:b.', '?s ?p 1.', '?s ?p 1.5.', "FILTER(?o != '\"')",
          'FILTER(?o != "\'")', ' ', '\n', '.', ';']


def test_every_service_the_engine_calls_is_found_by_the_check(listener):
    """Differential: queries built from tricky pieces run in the real engine against the listener; each one
    that reaches the listener must have been found by outbound_requests. Regression: `\"\"\"\\\\\\"\"\"\"` (an
    escaped backslash then an escaped quote in a long string) ended the string early in the lexer, and
    the quote after it opened a string that hid the SERVICE."""
    import random

    import pyoxigraph as ox

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    rng, called, missed = random.Random(20261201), 0, []
    for i in range(3000):
        before = " ".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 5)))
        glue = rng.choice(["", " ", "\n", "."]) + rng.choice(TRICKY) + rng.choice(["", " ", "."])
        keyword = rng.choice(["SERVICE", "service", "SERVICE SILENT", "Service"])
        query = (f"PREFIX ex: <{listener.url}/> SELECT * WHERE {{ ?s ?p ?o {before}{glue}{keyword} "
                 f"<{listener.url}/d{i}> {{ ?a ?b ?c }} }}")
        count = len(listener.calls)
        try:
            list(store.query(query))
        except (SyntaxError, OSError, ValueError):
            pass
        if len(listener.calls) > count:
            called += 1
            if not outbound_requests(query, "http://127.0.0.1:1/sparql"):
                missed.append(query)
    assert called > 1000  # the pieces mostly make valid queries: the comparison has something to compare
    assert missed == [], missed[:5]
