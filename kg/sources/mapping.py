"""Mapping files: how the records of one source file become graph nodes (declarative, TOML).

A mapping names the input file, the places each record mentions (reconciled, see kg.sources.reconcile) and
the nodes each record yields, with their class and properties. Every class, property and
vocabulary term must be declared in the ontology: a mapping that uses an unknown one is rejected
before anything is written, naming the term and the file. See docs/import.md for the format.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import MappingError
from kg.core import OWL, RDF, RDFS, prefixes

MAPPING_GLOB = "*.mapping.toml"
FORMATS = ("csv", "json")
DATATYPES = ("xsd:string", "xsd:decimal", "xsd:integer", "xsd:date", "xsd:gYear", "xsd:boolean", "iri")
_TEMPLATE_VAR = re.compile(r"\{([^{}]+)\}")
_BUILTIN_NS = (RDF, RDFS, OWL)
_DECLARED_KINDS = {OWL + k for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")}
_KINDS_OF = {"class": {OWL + "Class"}, "property": {OWL + k for k in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")}}


@dataclass
class ValueSpec:
    """One property value: a constant IRI, a reference (@alias), a column, or a template."""
    constant: str | None = None
    ref: str | None = None
    column: str | None = None
    template: str | None = None
    datatype: str | None = None
    lang: str | None = None
    mapping: dict[str, str] | None = None  # column value -> IRI
    required: bool = True


@dataclass
class PlaceSpec:
    alias: str
    name: str
    country: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    wikidata: str | None = None
    unmatched_class: str = ""


@dataclass
class NodeSpec:
    alias: str
    cls: str
    iri: str
    match: list[tuple[str, ...]] = field(default_factory=list)  # properties identifying an existing node
    properties: dict[str, ValueSpec] = field(default_factory=dict)      # when the node is created
    row_properties: dict[str, ValueSpec] = field(default_factory=dict)  # for every record
    attested: bool = True


@dataclass
class Mapping:
    path: Path
    source_id: str
    file: Path
    format: str
    graph: str
    records: str | None = None
    places: list[PlaceSpec] = field(default_factory=list)
    nodes: list[NodeSpec] = field(default_factory=list)
    attestation: dict[str, ValueSpec] = field(default_factory=dict)  # per-row facts about the evidence itself
    exclude: tuple[str, re.Pattern] | None = None  # (column, pattern): rows the source says are not facts of this kind

    @property
    def graph_name(self) -> str:
        return f"{self.source_id}/{self.graph}"

    def columns(self) -> set[str]:
        cols = set()
        for p in self.places:
            cols |= {c for c in (p.name, p.country, p.latitude, p.longitude, p.wikidata) if c}
        for n in self.nodes:
            for v in [*n.properties.values(), *n.row_properties.values()]:
                if v.column:
                    cols.add(v.column)
        cols |= {v.column for v in self.attestation.values() if v.column}
        if self.exclude:
            cols.add(self.exclude[0])
        return cols


def declared_terms(ontology_triples) -> dict[str, set[str]]:
    """IRI -> its declared kinds (owl:Class, owl:ObjectProperty...) for every subject the ontology describes."""
    out: dict[str, set[str]] = {}
    for t in ontology_triples:
        if isinstance(t.subject, ox.NamedNode):
            kinds = out.setdefault(t.subject.value, set())
            if t.predicate.value == RDF + "type" and t.object.value in _DECLARED_KINDS:
                kinds.add(t.object.value)
    return out


class _Reader:
    def __init__(self, path: Path, base_iri: str, terms: dict[str, set[str]]):
        self.path, self.terms = path, terms
        self.prefixes = prefixes(base_iri)
        self.data_ns = f"{base_iri}id/"

    def fail(self, where: str, msg: str) -> MappingError:
        return MappingError(f"{self.path}: {where}: {msg}")

    def expand(self, curie: str, where: str) -> str:
        if curie.startswith("<") and curie.endswith(">"):
            return curie[1:-1]
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in self.prefixes:
            raise self.fail(where, f"'{curie}' is not a prefixed name with a known prefix ({', '.join(sorted(self.prefixes))})")
        return self.prefixes[prefix] + local

    def term(self, curie: str, where: str, what: str) -> str:
        """A class, property or vocabulary term: it must be declared in the ontology."""
        iri = self.expand(curie, where)
        if iri.startswith(_BUILTIN_NS):
            return iri
        kinds = self.terms.get(iri)
        if kinds is not None and (what == "term" or kinds & _KINDS_OF[what]):
            return iri
        raise self.fail(where, f"unknown {what} '{curie}': it is not declared in the ontology "
                               f"(declare it in ontology/cdkg.ttl with en+fa labels and an en definition, or fix the name)")

    def value(self, raw, where: str, aliases: set[str]) -> ValueSpec:
        if isinstance(raw, str):
            if raw.startswith("@"):
                if raw[1:] not in aliases:
                    raise self.fail(where, f"reference '{raw}' names no place or node of this mapping ({', '.join(sorted(aliases))})")
                return ValueSpec(ref=raw[1:])
            iri = self.expand(raw, where)
            if not iri.startswith(self.data_ns):  # data IRIs (inst:eurocities) are checked against the graph at import
                self.term(raw, where, "term")
            return ValueSpec(constant=iri)
        if not isinstance(raw, dict):
            raise self.fail(where, f"a value is a string (constant or @reference) or a table, not {raw!r}")
        unknown = set(raw) - {"column", "template", "datatype", "lang", "map", "required"}
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(sorted(unknown))} in a value table")
        spec = ValueSpec(column=raw.get("column"), template=raw.get("template"), datatype=raw.get("datatype"),
                         lang=raw.get("lang"), required=raw.get("required", True))
        if bool(spec.column) == bool(spec.template):
            raise self.fail(where, "a value table needs exactly one of 'column' or 'template'")
        if spec.datatype and spec.datatype not in DATATYPES:
            raise self.fail(where, f"datatype '{spec.datatype}' is not one of {', '.join(DATATYPES)}")
        if "map" in raw:
            spec.mapping = {str(k): self.expand(v, f"{where} map") for k, v in raw["map"].items()}
            for k, v in raw["map"].items():
                if not self.expand(v, where).startswith(self.data_ns):
                    self.term(v, f"{where} map '{k}'", "term")
        if spec.template:
            for var in _TEMPLATE_VAR.findall(spec.template):
                self.check_var(var, where, aliases)
        return spec

    def check_var(self, var: str, where: str, aliases: set[str]) -> None:
        head = var.split(".", 1)[0]
        if var in ("row", "source") or var.startswith("col:") or head in aliases:
            return
        raise self.fail(where, f"template variable '{{{var}}}' is unknown (use row, source, col:<column>, or a place/node alias)")


def load_mapping(path: Path, source_id: str, base_iri: str, terms: dict[str, set[str]]) -> Mapping:
    """Read and check one mapping file; raises MappingError naming the file and the bad entry."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: invalid TOML: {exc}") from None
    r = _Reader(path, base_iri, terms)
    inp = raw.get("input") or {}
    for key in ("file", "format", "graph"):
        if not inp.get(key):
            raise r.fail("[input]", f"missing '{key}'")
    if inp["format"] not in FORMATS:
        raise r.fail("[input]", f"format '{inp['format']}' is not one of {', '.join(FORMATS)}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", inp["graph"]):
        raise r.fail("[input]", f"graph '{inp['graph']}' must be lower-case letters, digits and hyphens")
    data_file = path.parent / inp["file"]
    if not data_file.is_file():
        raise r.fail("[input]", f"data file {data_file} does not exist")
    m = Mapping(path, source_id, data_file, inp["format"], inp["graph"], inp.get("records"))
    unknown = set(inp) - {"file", "format", "graph", "records", "exclude"}
    if unknown:
        raise r.fail("[input]", f"unknown key(s) {', '.join(sorted(unknown))}")
    if "exclude" in inp:
        ex = inp["exclude"]
        if not isinstance(ex, dict) or set(ex) != {"column", "pattern"}:
            raise r.fail("[input] exclude", "needs exactly 'column' and 'pattern' (a regular expression)")
        try:
            m.exclude = (ex["column"], re.compile(ex["pattern"], re.I))
        except re.error as exc:
            raise r.fail("[input] exclude", f"bad pattern: {exc}") from None
    unknown = set(raw) - {"input", "places", "nodes", "attestation"}
    if unknown:
        raise r.fail("mapping", f"unknown table(s) {', '.join(sorted(unknown))}")
    places = raw.get("places") or {}
    nodes = raw.get("nodes") or {}
    aliases = set(places) | set(nodes)
    if set(places) & set(nodes):
        raise r.fail("[places]/[nodes]", f"alias(es) {', '.join(sorted(set(places) & set(nodes)))} used twice")
    for alias, p in places.items():
        where = f"[places.{alias}]"
        if not p.get("name"):
            raise r.fail(where, "missing 'name' (the column holding the place's name)")
        unknown = set(p) - {"name", "country", "latitude", "longitude", "wikidata", "unmatched_class"}
        if unknown:
            raise r.fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
        m.places.append(PlaceSpec(alias, p["name"], p.get("country"), p.get("latitude"), p.get("longitude"),
                                  p.get("wikidata"), r.term(p.get("unmatched_class", "cd:Place"), where, "class")))
    for alias, n in nodes.items():
        where = f"[nodes.{alias}]"
        unknown = set(n) - {"class", "iri", "match", "properties", "row_properties", "attested"}
        if unknown:
            raise r.fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
        if not n.get("class") or not n.get("iri"):
            raise r.fail(where, "needs 'class' and 'iri' (an IRI template such as \"agr:{a}-{b}\")")
        r.expand(n["iri"].split("{", 1)[0] or "x:", where)
        for var in _TEMPLATE_VAR.findall(n["iri"]):
            r.check_var(var, where, aliases)
        spec = NodeSpec(alias, r.term(n["class"], where, "class"), n["iri"], attested=n.get("attested", True))
        for table, target in (("properties", spec.properties), ("row_properties", spec.row_properties)):
            for prop, val in (n.get(table) or {}).items():
                target[r.term(prop, f"{where}.{table}", "property")] = r.value(val, f"{where}.{table} '{prop}'", aliases)
        for item in n.get("match", []):
            spec.match.append(tuple(r.term(p, f"{where}.match", "property") for p in item.split("|")))
            missing = [p for p in spec.match[-1] if p not in spec.properties]
            if missing:
                raise r.fail(f"{where}.match", f"'{item}' must be among the node's properties")
        m.nodes.append(spec)
    att = raw.get("attestation") or {}
    if set(att) - {"properties"}:
        raise r.fail("[attestation]", f"unknown key(s) {', '.join(sorted(set(att) - {'properties'}))}")
    for prop, val in (att.get("properties") or {}).items():
        m.attestation[r.term(prop, "[attestation.properties]", "property")] = r.value(val, f"[attestation.properties] '{prop}'", aliases)
    return m


def ontology_terms(files: list[tuple[str, Path]]) -> dict[str, set[str]]:
    """Declared terms of the ontology files ((graph name, path) pairs as kg.core.load.ontology_files gives)."""
    from kg.core import parse_file
    terms: dict[str, set[str]] = {}
    for _, path in files:
        for iri, kinds in declared_terms(parse_file(path)).items():
            terms.setdefault(iri, set()).update(kinds)
    return terms
