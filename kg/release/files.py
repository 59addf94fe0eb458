"""The files of a release: dumps (TriG, N-Quads, Turtle of the default view, JSON-LD with a context),
a VoID + DCAT description, the validation report and checksums. Written into a fresh folder; the
switch into place is kg.release.publishing's job."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from kg.core import Settings
from kg.core import merged_triples, named_quads, prefixes, quad_count, triple_count
from kg.validation import to_json, to_turtle
from kg.validation import ValidationReport
from kg.sources import discover_sources

DUMPS = {  # file -> (media type, description)
    "dataset.trig": ("application/trig", "All named graphs (one per source file, ontology, inferences, metadata)"),
    "dataset.nq": ("application/n-quads", "All named graphs, one quad per line"),
    "default.ttl": ("text/turtle", "The default graph: every named graph merged, each triple once"),
    "dataset.jsonld": ("application/ld+json", "All named graphs as JSON-LD, with the project's context inline"),
}
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
SHAPES = "https://w3id.org/cdkg/shapes"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- JSON-LD with a context ------------------------------------------------------------------

def jsonld_context(base_iri: str) -> dict:
    ctx = dict(sorted(prefixes(base_iri).items()))
    ctx["cdsh"] = SHAPES + "#"
    return {"@context": ctx}


def _compact(iri: str, table: list[tuple[str, str]]) -> str:
    for p, ns in table:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{p}:{iri[len(ns):]}"
    return iri


def _jsonld_value(term: ox.Term, table) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"@id": _compact(term.value, table)}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == str(XSD.string):
        return {"@value": term.value}
    return {"@value": term.value, "@type": _compact(term.datatype.value, table)}


def write_jsonld(store: ox.Store, path: Path, base_iri: str) -> None:
    """JSON-LD of every named graph, IRIs compacted with the project's prefixes (context inline)."""
    ctx = jsonld_context(base_iri)
    table = sorted(((p, ns) for p, ns in ctx["@context"].items()), key=lambda kv: -len(kv[1]))
    graphs: dict[str, dict[str, dict]] = defaultdict(dict)
    for q in named_quads(store):
        gname = q.graph_name.value
        sid = _compact(q.subject.value, table) if isinstance(q.subject, ox.NamedNode) else f"_:{q.subject.value}"
        node = graphs[gname].setdefault(sid, {"@id": sid})
        if q.predicate.value == str(RDF.type) and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(_compact(q.object.value, table))
        else:
            node.setdefault(_compact(q.predicate.value, table), []).append(_jsonld_value(q.object, table))
    doc = {**ctx, "@graph": [{"@id": _compact(g, table), "@graph": list(nodes.values())}
                             for g, nodes in sorted(graphs.items()) if g != "@default"]}
    doc["@graph"].extend(graphs.get("@default", {}).values())
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)


# -- VoID + DCAT -------------------------------------------------------------------------------

def describe_release(store: ox.Store, settings: Settings, files: dict[str, tuple[int, str]], created: dt.datetime,
                     report: ValidationReport) -> rdflib.Graph:
    """The release as a void:Dataset / dcat:Dataset: triples per graph, sources with licences, dates,
    one dcat:Distribution per dump (media type, size, SHA-256). Dump IRIs are relative to the folder."""
    g = rdflib.Graph()
    for p, ns in prefixes(settings.base_iri).items():
        g.bind(p, ns)
    for p, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("spdx", SPDX), ("sd", SD)):
        g.bind(p, ns)
    ds = rdflib.URIRef(f"{settings.base_iri}dataset")
    when = rdflib.Literal(created.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, rdflib.Literal("City Diplomacy Knowledge Graph", lang="en")))
    g.add((ds, DCTERMS.title, rdflib.Literal("گراف دانش دیپلماسی شهری", lang="fa")))
    g.add((ds, DCTERMS.issued, when))
    g.add((ds, DCTERMS.modified, when))
    g.add((ds, DCTERMS.conformsTo, rdflib.URIRef(SHAPES)))
    g.add((ds, RDFS.seeAlso, rdflib.URIRef("validation-report.ttl")))
    counts: dict[str, int] = defaultdict(int)
    for q in named_quads(store):
        counts[q.graph_name.value] += 1
    g.add((ds, VOID.triples, rdflib.Literal(triple_count(store))))  # distinct: the default graph (the merge)
    g.add((ds, RDFS.comment, rdflib.Literal(
        f"{triple_count(store)} distinct triples (the default graph, the merge of every named graph); "
        f"{sum(counts.values())} quads in {len(counts)} named graphs (a triple stated in two graphs is two quads).", lang="en")))
    for name, n in sorted(counts.items()):
        if not name:
            continue
        sub = rdflib.URIRef(name)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, SD.name, sub))
        g.add((sub, VOID.triples, rdflib.Literal(n)))
    for src in discover_sources(settings.data_dir):
        s = rdflib.URIRef(settings.graph_iri(f"dataset/{src.id}"))
        g.add((ds, DCTERMS.source, s))
        g.add((s, RDF.type, DCAT.Dataset))
        g.add((s, DCTERMS.title, rdflib.Literal(src.meta["title"], lang="en")))
        g.add((s, DCTERMS.description, rdflib.Literal(f"Publisher(s): {src.meta['publisher']}. Licence: {src.meta['licence']}", lang="en")))
        g.add((s, DCTERMS.issued, rdflib.Literal(str(src.meta["retrieved"]), datatype=XSD.date)))
        if src.meta.get("licence_url"):
            g.add((s, DCTERMS.license, rdflib.URIRef(src.meta["licence_url"])))
        n = sum(v for k, v in counts.items() if k.startswith(settings.graph_iri(f"{src.id}/")))
        g.add((s, VOID.triples, rdflib.Literal(n)))
    for name, (size, digest) in sorted(files.items()):
        dist = rdflib.URIRef(f"{settings.base_iri}dataset/distribution/{name}")
        media, title = DUMPS.get(name, ("text/turtle" if name.endswith(".ttl") else "application/json", name))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, rdflib.Literal(title, lang="en")))
        g.add((dist, DCAT.downloadURL, rdflib.URIRef(name)))
        g.add((dist, DCAT.mediaType, rdflib.Literal(media)))
        g.add((dist, DCAT.byteSize, rdflib.Literal(size, datatype=XSD.nonNegativeInteger)))
        cs = rdflib.BNode()
        g.add((dist, SPDX.checksum, cs))
        g.add((cs, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((cs, SPDX.checksumValue, rdflib.Literal(digest, datatype=XSD.hexBinary)))
        if name in ("dataset.trig", "dataset.nq", "default.ttl"):
            g.add((ds, VOID.dataDump, rdflib.URIRef(name)))
    g.add((ds, DCTERMS.description, rdflib.Literal(
        f"Validated with the project's SHACL shapes: {report.count(rdflib.namespace.SH.Violation)} violations, "
        f"{report.count(rdflib.namespace.SH.Warning)} warnings, {report.count(rdflib.namespace.SH.Info)} infos.", lang="en")))
    return g


def write_release_files(folder: Path, store: ox.Store, settings: Settings, report: ValidationReport,
                        created: dt.datetime, fingerprint: str = "") -> dict:
    """Write every file of a release into `folder` (which must exist and be empty); return the manifest."""
    pre = prefixes(settings.base_iri)
    (folder / "dataset.trig").write_bytes(ox.serialize(named_quads(store), format=ox.RdfFormat.TRIG, prefixes=pre))
    (folder / "dataset.nq").write_bytes(ox.serialize(named_quads(store), format=ox.RdfFormat.N_QUADS))
    union = sorted(merged_triples(store), key=str)
    (folder / "default.ttl").write_bytes(ox.serialize(union, format=ox.RdfFormat.TURTLE, prefixes=pre))
    del union
    write_jsonld(store, folder / "dataset.jsonld", settings.base_iri)
    (folder / "context.jsonld").write_text(json.dumps(jsonld_context(settings.base_iri), indent=2) + "\n", encoding="utf-8")
    (folder / "validation-report.ttl").write_text(to_turtle(report, settings.base_iri), encoding="utf-8")
    (folder / "validation-report.json").write_text(to_json(report), encoding="utf-8")
    from kg.sources import cross_source_report, write_report  # which source attests what (docs/import.md)
    write_report(cross_source_report(store, settings), folder)
    files = {p.name: (p.stat().st_size, sha256(p)) for p in sorted(folder.iterdir())}
    void = describe_release(store, settings, files, created, report)
    (folder / "void.ttl").write_text(void.serialize(format="turtle"), encoding="utf-8")
    files["void.ttl"] = ((folder / "void.ttl").stat().st_size, sha256(folder / "void.ttl"))
    from kg.release.signature import graph_signatures  # what a remote push compares (kg.release.remote)
    signatures = graph_signatures(store)
    graphs = sorted(signatures)
    manifest = {"created": created.isoformat(timespec="seconds"), "fingerprint": fingerprint,
                "triples": triple_count(store), "quads": quad_count(store),
                "graphs": graphs, "graph_signatures": signatures, "validation": {"conforms": report.conforms,
                                                 "counts": json.loads(to_json(report))["counts"]},
                "files": {n: {"bytes": s, "sha256": d} for n, (s, d) in sorted(files.items())}}
    (folder / "release.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    files["release.json"] = ((folder / "release.json").stat().st_size, sha256(folder / "release.json"))
    (folder / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, (_, d) in sorted(files.items())), encoding="utf-8")
    return manifest
