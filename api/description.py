"""SPARQL 1.1 Service Description (at /sparql) and VoID description (at /.well-known/void)."""
from __future__ import annotations

import pyoxigraph as ox

from kg.core import Settings
from kg.core import DCAT, DCTERMS, RDF, RDFS, VOID
from kg.dataset import stats

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_N, _L = ox.NamedNode, ox.Literal
_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG"]
DESCRIPTION_PREFIXES = {"sd": SD, "void": VOID, "formats": FORMATS, "dcterms": DCTERMS, "rdfs": RDFS, "dcat": DCAT}
UNION_NOTE = ("Unless the request names a dataset (default-graph-uri / named-graph-uri, or FROM / FROM NAMED in the "
              "query), the default graph is the RDF merge of every named graph (each triple once): all sources, the "
              "ontology and the inferred triples (OWL RL). Every named graph can also be queried with GRAPH.")


def dataset_counts(store: ox.Store, base_iri: str) -> dict:
    """Counts for the descriptions (cached per data generation by the caller)."""
    s = stats(store, base_iri)
    sources = []
    for row in store.query(f"""SELECT ?ds ?title ?licence ?about WHERE {{ GRAPH <{base_iri}graph/meta> {{
        ?ds a <{DCAT}Dataset> ; <{DCTERMS}title> ?title OPTIONAL {{ ?ds <{DCTERMS}license> ?licence }}
        OPTIONAL {{ ?ds <{DCTERMS}description> ?about }} }} }} ORDER BY ?ds"""):
        sources.append({"iri": row["ds"].value, "title": row["title"].value,
                        "licence": row["licence"].value if row["licence"] else None,
                        "description": row["about"].value if row["about"] else ""})
    totals = dict(s.pop("totals"))
    triples, quads = totals.values()  # distinct triples (the default graph), quads in named graphs
    return {"triples": triples, "quads": quads, **s, "source_datasets": sources}


def service_description(endpoint: str, settings: Settings, counts: dict, writable: bool, void_url: str) -> list[ox.Triple]:
    svc, ds, dg = _N(endpoint + "#service"), _N(endpoint + "#dataset"), _N(endpoint + "#default-graph")
    t = [
        (svc, _N(RDF + "type"), _N(SD + "Service")),
        (svc, _N(SD + "endpoint"), _N(endpoint)),
        (svc, _N(SD + "supportedLanguage"), _N(SD + "SPARQL11Query")),
        (svc, _N(SD + "feature"), _N(SD + "UnionDefaultGraph")),
        (svc, _N(DCTERMS + "title"), _L("City Diplomacy Knowledge Graph SPARQL endpoint", language="en")),
        (svc, _N(RDFS + "comment"), _L(UNION_NOTE, language="en")),
        (svc, _N(RDFS + "seeAlso"), _N(void_url)),
        (svc, _N(SD + "defaultDataset"), ds),
        (ds, _N(RDF + "type"), _N(SD + "Dataset")),
        (ds, _N(SD + "defaultGraph"), dg),
        (dg, _N(RDF + "type"), _N(SD + "Graph")),
        (dg, _N(VOID + "triples"), _L(str(counts["triples"]), datatype=_N("http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    if writable:
        t.append((svc, _N(SD + "supportedLanguage"), _N(SD + "SPARQL11Update")))
    t += [(svc, _N(SD + "resultFormat"), _N(FORMATS + f)) for f in _RESULT_FORMATS]
    for i, (graph, n) in enumerate(counts["graphs"]):
        ng, g = _N(f"{endpoint}#named-graph-{i}"), _N(f"{endpoint}#graph-{i}")
        t += [(ds, _N(SD + "namedGraph"), ng), (ng, _N(RDF + "type"), _N(SD + "NamedGraph")), (ng, _N(SD + "name"), _N(graph)),
              (ng, _N(SD + "graph"), g), (g, _N(RDF + "type"), _N(SD + "Graph")),
              (g, _N(VOID + "triples"), _L(str(n), datatype=_N("http://www.w3.org/2001/XMLSchema#integer")))]
    return [ox.Triple(*x) for x in t]


def void_description(settings: Settings, counts: dict, site: str) -> list[ox.Triple]:
    """VoID: the dataset, its endpoint and dumps, class partitions and one subset per source."""
    integer = _N("http://www.w3.org/2001/XMLSchema#integer")
    ds = _N(f"{settings.base_iri}dataset")
    t = [
        (ds, _N(RDF + "type"), _N(VOID + "Dataset")),
        (ds, _N(DCTERMS + "title"), _L("City Diplomacy Knowledge Graph", language="en")),
        (ds, _N(DCTERMS + "description"), _L("Sourced facts on city diplomacy (sister-city agreements, memberships, "
                                               "events, officials) with their status over time; every fact cites its "
                                               "document and quote.", language="en")),
        (ds, _N(VOID + "sparqlEndpoint"), _N(f"{site}/sparql")),
        (ds, _N(VOID + "uriSpace"), _L(f"{settings.base_iri}id/")),
        (ds, _N(VOID + "vocabulary"), _N("https://w3id.org/cdkg/ontology#")),
        (ds, _N(VOID + "triples"), _L(str(counts["triples"]), datatype=integer)),
        (ds, _N(VOID + "dataDump"), _N(f"{site}/downloads/cdkg.trig")),
        (ds, _N(VOID + "dataDump"), _N(f"{site}/downloads/cdkg.nq")),
    ]
    for i, (cls, n) in enumerate(counts["classes"]):
        part = _N(f"{settings.base_iri}dataset#class-{i}")
        t += [(ds, _N(VOID + "classPartition"), part), (part, _N(VOID + "class"), _N(cls)),
              (part, _N(VOID + "entities"), _L(str(n), datatype=integer))]
    for src in counts["source_datasets"]:
        sub = _N(src["iri"])
        t += [(ds, _N(VOID + "subset"), sub), (sub, _N(RDF + "type"), _N(VOID + "Dataset")),
              (sub, _N(DCTERMS + "title"), _L(src["title"], language="en"))]
        if src["licence"]:
            t.append((sub, _N(DCTERMS + "license"), _N(src["licence"])))
    return [ox.Triple(*x) for x in t]
