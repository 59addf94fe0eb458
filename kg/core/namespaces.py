"""Namespace IRIs used in code (the ontology is the definition; these are just names)."""
from __future__ import annotations

CD = "https://w3id.org/cdkg/ontology#"
CDC = "https://w3id.org/cdkg/concept/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
FOAF = "http://xmlns.com/foaf/0.1/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"

PREFIXES: dict[str, str] = {
    "cd": CD, "cdc": CDC, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS,
    "org": ORG, "prov": PROV, "time": TIME, "foaf": FOAF, "geo": GEO, "dcterms": DCTERMS,
    "dcat": DCAT,
    "place": "https://w3id.org/cdkg/id/place/", "inst": "https://w3id.org/cdkg/id/org/",
    "person": "https://w3id.org/cdkg/id/person/", "post": "https://w3id.org/cdkg/id/post/",
    "doc": "https://w3id.org/cdkg/id/document/", "agr": "https://w3id.org/cdkg/id/agreement/",
    "mem": "https://w3id.org/cdkg/id/membership/", "st": "https://w3id.org/cdkg/id/status/",
    "ev": "https://w3id.org/cdkg/id/event/", "fig": "https://w3id.org/cdkg/id/figure/",
    "prog": "https://w3id.org/cdkg/id/programme/", "ten": "https://w3id.org/cdkg/id/tenure/",
    "prop": "https://w3id.org/cdkg/id/proposal/", "des": "https://w3id.org/cdkg/id/designation/",
}


CANONICAL_ID_BASE = "https://w3id.org/cdkg/id/"


def prefixes(base_iri: str = "https://w3id.org/cdkg/") -> dict[str, str]:
    """PREFIXES with the data namespaces moved under a deployer's base IRI."""
    new_id = f"{base_iri}id/"
    return {p: iri.replace(CANONICAL_ID_BASE, new_id, 1) for p, iri in PREFIXES.items()}


def sparql_prefixes(base_iri: str = "https://w3id.org/cdkg/") -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes(base_iri).items())
