"""The one importer: runs a mapping (kg.sources.mapping) over its CSV or JSON records and yields quads.

Every record gets an attestation node (cd:Attestation, IRI .../attestation/{source}/{graph}/{row})
with cd:document = the dataset node (described in the meta graph: publisher, licence, retrieval
date) and cd:rowNumber = the record's number; each node the record yields points to it with
cd:attestedBy. (One document per dataset rather than one per row keeps the graph and the derived
prov:wasDerivedFrom edges small; the row number says which record.)
A record that cannot be imported (missing name, bad number, unknown country or value) is reported
with its file and row and skipped whole: a row is added only when all of it is good. IRIs are
built from templates over reconciled places and column values, so a re-run yields the same IRIs.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from kg.core import MappingError
from kg.sources.gazetteer import slug
from kg.sources.mapping import Mapping, NodeSpec, ValueSpec
from kg.core import CD, GEO, RDF, RDFS, SKOS, XSD, prefixes
from kg.sources.reconcile import COUNTRY, PlaceQuery, Reconciler, Resolution, ReviewItem, RowError
from kg.sources.wikidata_ids import WikidataIds

_TEMPLATE_VAR = re.compile(r"\{([^{}]+)\}")
_N = ox.NamedNode
TYPE, LABEL, ALT = _N(RDF + "type"), _N(RDFS + "label"), _N(SKOS + "altLabel")
ATTESTED_BY, DOCUMENT, ROW = _N(CD + "attestedBy"), _N(CD + "document"), _N(CD + "rowNumber")
IN_COUNTRY, COORDS = _N(CD + "inCountry"), _N(CD + "coordinates")
WIKIDATA, LAT, LONG = _N(CD + "wikidataId"), _N(GEO + "lat"), _N(GEO + "long")
ATTESTATION, COORDINATES = _N(CD + "Attestation"), _N(CD + "Coordinates")
DECIMAL = _N(XSD + "decimal")


@dataclass
class RowIssue:
    file: str
    row: int
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}" + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.message}; row skipped"


@dataclass
class ImportStats:
    graph: str
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    excluded: int = 0                                           # rows the mapping's [input] exclude leaves out
    triples: int = 0
    seconds: float = 0.0
    references: dict[str, int] = field(default_factory=dict)   # place references by resolution status
    places: dict[str, int] = field(default_factory=dict)       # distinct place nodes by status
    fill: dict[str, float] = field(default_factory=dict)       # column -> share of rows with a value


@dataclass
class ImportResult:
    mapping: Mapping
    quads: list[ox.Quad]
    stats: ImportStats
    issues: list[RowIssue]
    review: list[ReviewItem]


def read_records(m: Mapping) -> Iterator[tuple[int, int | None, dict]]:
    """(row number from 1, line number or None, record as a flat dict of strings/numbers)."""
    if m.format == "csv":
        with m.file.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = m.columns() - set(reader.fieldnames or ())
            if missing:
                raise MappingError(f"{m.path}: column(s) {', '.join(sorted(missing))} not in {m.file.name} (it has {', '.join(reader.fieldnames or ())})")
            for i, rec in enumerate(reader, 1):
                yield i, reader.line_num, rec
        return
    try:
        data = json.loads(m.file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MappingError(f"{m.file}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    for key in (m.records or "").split("."):
        if key:
            if not isinstance(data, dict) or key not in data:
                raise MappingError(f"{m.path}: records path '{m.records}' not found in {m.file.name}")
            data = data[key]
    if not isinstance(data, list):
        raise MappingError(f"{m.path}: records path '{m.records}' in {m.file.name} is not a list")
    for i, rec in enumerate(data, 1):
        yield i, None, rec if isinstance(rec, dict) else {"value": rec}


def _text(rec: dict, col: str | None) -> str | None:
    if not col:
        return None
    v = rec.get(col)
    if v is None:
        return None
    v = str(v).strip()
    return v or None


def _number(rec: dict, col: str | None, what: str) -> float | None:
    raw = _text(rec, col)
    if raw is None:
        return None
    try:
        x = float(raw)
    except ValueError:
        raise RowError(f"non-numeric {what} '{raw}' in column '{col}'") from None
    limit = 90 if what == "latitude" else 180
    if not math.isfinite(x) or abs(x) > limit:
        raise RowError(f"{what} {raw} in column '{col}' is out of range")
    return x


def _decimal(x: float) -> ox.Literal:
    return ox.Literal(format(x, ".6f").rstrip("0").rstrip(".") if "e" not in repr(x) else f"{x:.8f}", datatype=DECIMAL)


class Importer:
    """Runs mappings against one store (for matching existing nodes) and one reconciler."""

    def __init__(self, store: ox.Store, base_iri: str, reconciler: Reconciler, dataset_iri_of, graph_names: list[str]):
        self.store, self.base, self.rec = store, base_iri, reconciler
        self.dataset_iri_of = dataset_iri_of
        self.prefixes = prefixes(base_iri)
        self.created: set[str] = set()
        self.labelled: set[str] = set()  # places an earlier mapping of this run already gave an English label
        self._graphs = [ox.NamedNode(g) for g in graph_names]
        self._existing: dict[tuple, dict[tuple, str]] = {}
        self._preexisting: set[str] = set()  # matched nodes from curated data: only attested, never redefined
        self.qids = WikidataIds(WIKIDATA)  # one node per Wikidata id across all mappings (kg.wikidata_ids)

    # -- helpers ------------------------------------------------------------------------------
    def _expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return self.prefixes[prefix] + local if prefix in self.prefixes else curie

    def _existing_index(self, spec: NodeSpec) -> dict[tuple, str]:
        """Nodes of the spec's class already in the graph, keyed by their `match` property values."""
        key = (spec.cls, tuple(spec.match))  # shared by mappings that identify nodes the same way
        if key in self._existing:
            return self._existing[key]
        index: dict[tuple, str] = {}
        if spec.match:
            props = [p for item in spec.match for p in item]
            body = " ".join(f"<{p}> ?v{i} ;" for i, p in enumerate(props)).rstrip(";")
            q = f"SELECT ?n {' '.join(f'?v{i}' for i in range(len(props)))} WHERE {{ ?n a <{spec.cls}> ; {body} }}"
            for r in self.store.query(q, default_graph=self._graphs):
                vals, i = [], 0
                for item in spec.match:
                    group = [r[f"v{i + j}"].value for j in range(len(item))]
                    vals.append(frozenset(group) if len(item) > 1 else group[0])
                    i += len(item)
                index.setdefault(tuple(vals), r["n"].value)
                self._preexisting.add(r["n"].value)
        self._existing[key] = index
        return index

    def _fill(self, template: str, ctx: dict, names: dict, rec: dict, row: int, source: str, for_iri: bool) -> str:
        def sub(m: re.Match) -> str:
            var = m.group(1)
            if var == "row":
                return str(row)
            if var == "source":
                return source
            if var.startswith("col:"):
                v = _text(rec, var[4:]) or ""
                return slug(v) if for_iri else v
            alias, _, attr = var.partition(".")
            if attr == "name":
                return names.get(alias, "")
            return ctx[alias].rsplit("/", 1)[-1] if for_iri else ctx[alias]
        return _TEMPLATE_VAR.sub(sub, template)

    def _value(self, spec: ValueSpec, ctx, names, rec, row, source) -> ox.Term | None:
        if spec.constant:
            return _N(spec.constant)
        if spec.ref:
            return _N(ctx[spec.ref])
        if spec.template:
            text = self._fill(spec.template, ctx, names, rec, row, source, for_iri=False)
            return ox.Literal(text, language=spec.lang) if spec.lang else ox.Literal(text)
        raw = _text(rec, spec.column)
        if raw is None:
            if spec.required:
                raise RowError(f"missing value in column '{spec.column}'")
            return None
        if spec.mapping is not None:
            if raw not in spec.mapping:
                raise RowError(f"unknown value '{raw}' in column '{spec.column}' (known: {', '.join(sorted(spec.mapping))})")
            return _N(spec.mapping[raw])
        if spec.datatype == "iri":
            if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", raw):
                raise RowError(f"'{raw}' in column '{spec.column}' is not an http(s) IRI")
            return _N(raw)
        if spec.datatype in ("xsd:decimal", "xsd:integer"):
            try:
                float(raw)
            except ValueError:
                raise RowError(f"non-numeric value '{raw}' in column '{spec.column}'") from None
            if spec.datatype == "xsd:integer" and not re.fullmatch(r"-?\d+", raw):
                raise RowError(f"'{raw}' in column '{spec.column}' is not an integer")
        if spec.datatype == "xsd:gYear" and not re.fullmatch(r"\d{4}", raw):
            raise RowError(f"'{raw}' in column '{spec.column}' is not a year (four digits)")
        if spec.lang:
            return ox.Literal(raw, language=spec.lang)
        return ox.Literal(raw, datatype=_N(self._expand(spec.datatype))) if spec.datatype else ox.Literal(raw)

    # -- one mapping ----------------------------------------------------------------------------
    def run(self, m: Mapping, graph: ox.NamedNode) -> ImportResult:
        """Import every record of `m` as quads of `graph` (returned, not yet in the store)."""
        t0 = time.perf_counter()
        self._graph = graph
        stats = ImportStats(m.graph_name)
        issues: list[RowIssue] = []
        review: dict[str, ReviewItem] = {}
        quads: list[ox.Quad] = []
        emitted: set[str] = set()         # place facts and coordinates already written in this graph
        place_status: dict[str, str] = {}
        filled: dict[str, int] = {c: 0 for c in sorted(m.columns())}
        dataset = _N(self.dataset_iri_of(m.source_id))
        rel = f"data/{m.source_id}/{m.file.name}"
        for spec in m.nodes:
            for prop in [*spec.properties.values(), *spec.row_properties.values()]:
                if prop.constant and prop.constant.startswith(f"{self.base}id/") and not self._exists(prop.constant):
                    raise MappingError(f"{m.path}: [nodes.{spec.alias}] refers to {prop.constant}, which no data file defines")
        for row, line, rec in read_records(m):
            stats.rows += 1
            for c in filled:
                if _text(rec, c) is not None:
                    filled[c] += 1
            if m.exclude and m.exclude[1].search(_text(rec, m.exclude[0]) or ""):
                stats.excluded += 1
                stats.rows -= 1  # rows counts what the mapping imports or skips; shares are of those
                continue
            try:
                out, new_places, pending, resolved = self._row(m, row, rec, dataset, emitted)
            except RowError as exc:
                stats.skipped += 1
                issues.append(RowIssue(rel, row, line, str(exc)))
                continue
            stats.imported += 1
            quads.extend(out)
            self.qids.commit(resolved, out, quads)
            emitted.update(new_places)
            self.created.update(pending)
            self.labelled.update(q.subject.value for q in out if q.predicate == LABEL)
            for spec, q, res in resolved:
                stats.references[res.status] = stats.references.get(res.status, 0) + 1
                place_status.setdefault(res.iri, res.status)
                if res.status == "unmatched" or (res.status == "region" and res.method.startswith("the name says")):
                    key = f"{res.iri}|{q.name}"
                    if key in review:
                        review[key].rows += 1
                    else:
                        cands = [(c, None if q.lat is None else _dist(q, c)) for c in res.candidates]
                        # nearest first when the source gives coordinates, else most populous first
                        cands = sorted(cands, key=lambda x: (x[1], -x[0].population) if x[1] is not None else (0, -x[0].population))[:12]
                        review[key] = ReviewItem(m.source_id, rel, row, q.name, q.country or "", q.lat, q.lon, res.iri, res.method, cands)
        for status in place_status.values():
            stats.places[status] = stats.places.get(status, 0) + 1
        stats.fill = {c: round(n / stats.rows, 4) if stats.rows else 0.0 for c, n in filled.items()}
        stats.triples = len(quads)
        stats.seconds = round(time.perf_counter() - t0, 3)
        return ImportResult(m, quads, stats, issues, list(review.values()))

    def _quad(self, s, p, o) -> ox.Quad:
        return ox.Quad(s, p, o, self._graph)

    def _exists(self, iri: str) -> bool:
        return any(self.store.quads_for_pattern(_N(iri), None, None))

    def _row(self, m: Mapping, row: int, rec: dict, dataset, emitted: set[str]):
        """All quads of one record, or RowError. Nothing is shared state until the caller commits."""
        Q = self._quad
        out: list[ox.Triple] = []
        new_places: set[str] = set()
        pending: set[str] = set()
        ctx: dict[str, str] = {}
        names: dict[str, str] = {}
        resolved: list[tuple] = []
        att = _N(f"{self.base}id/attestation/{m.source_id}/{m.graph}/{row}")
        for p in m.places:
            q = PlaceQuery(_text(rec, p.name) or "", _text(rec, p.country), _number(rec, p.latitude, "latitude"),
                           _number(rec, p.longitude, "longitude"), _text(rec, p.wikidata), p.unmatched_class)
            if (q.lat is None) != (q.lon is None):
                raise RowError("latitude without longitude (or the reverse)")
            res = self.rec.resolve(q)
            ctx[p.alias], names[p.alias] = res.iri, q.name
            resolved.append((p, q, res))
            self._place_triples(m, q, res, att, out, emitted, new_places)
        # Two names of a row that reconcile to one place (a district and its city, a spelling
        # variant) would make a tie of a place with itself: report the row rather than guess.
        iris = [r.iri for _, _, r in resolved]
        twice = {i for i in iris if iris.count(i) > 1}
        if twice:
            named = " and ".join(repr(q.name) for _, q, r in resolved if r.iri in twice)
            raise RowError(f"{named} reconcile to the same place <{min(twice)}>; a tie needs two distinct parties")
        for spec in m.nodes:
            props = {p: self._value(v, ctx, names, rec, row, m.source_id) for p, v in spec.properties.items()}
            iri = None
            if spec.match:
                key = tuple(frozenset(props[p].value for p in item) if len(item) > 1 else props[item[0]].value
                            for item in spec.match)
                iri = self._existing_index(spec).get(key)
                if iri is None:
                    iri = self._fill(spec.iri, ctx, names, rec, row, m.source_id, for_iri=True)
                    iri = self._expand(iri)
                    self._existing_index(spec)[key] = iri  # later rows naming the same tie reuse it
            else:
                iri = self._expand(self._fill(spec.iri, ctx, names, rec, row, m.source_id, for_iri=True))
            ctx[spec.alias] = iri
            node = _N(iri)
            if iri not in self.created and iri not in pending and iri not in self._preexisting:
                pending.add(iri)
                out.append(Q(node, TYPE, _N(spec.cls)))
                out.extend(Q(node, _N(p), v) for p, v in props.items() if v is not None)
            for p, v in spec.row_properties.items():
                val = self._value(v, ctx, names, rec, row, m.source_id)
                if val is not None:
                    out.append(Q(node, _N(p), val))
            if spec.attested:
                out.append(Q(node, ATTESTED_BY, att))
        for p, v in m.attestation.items():
            val = self._value(v, ctx, names, rec, row, m.source_id)
            if val is not None:
                out.append(Q(att, _N(p), val))
        out += [Q(att, TYPE, ATTESTATION), Q(att, DOCUMENT, dataset),
                Q(att, ROW, ox.Literal(str(row), datatype=_N(XSD + "integer")))]
        return out, new_places, pending, resolved

    def _place_triples(self, m: Mapping, q: PlaceQuery, res: Resolution, att, out, emitted, new_places) -> None:
        Q = self._quad
        node = _N(res.iri)
        if res.iri not in emitted and res.iri not in new_places:
            new_places.add(res.iri)
            if res.cls and not res.existing:
                out.append(Q(node, TYPE, _N(res.cls)))
            named = res.city.name if res.city else (self.rec.gaz.country_name(res.country) if res.status == "country" and res.country else None)
            named = named or res.status == "admin"  # the countries-states-cities graph gives its label
            # the source's own spelling: the label of a place only it knows, else an alternative
            # label (the gazetteer graph and curated files give the main one)
            # another source may already have named an unmatched place: one label per language
            labelled = res.iri in self.labelled
            out.append(Q(node, ALT if (res.existing or named or labelled) else LABEL, ox.Literal(q.name, language="en")))
            if res.country and res.cls != COUNTRY and res.status != "country":
                out.append(Q(node, IN_COUNTRY, _N(self.rec.country_iri(res.country))))
        if q.wikidata and self.qids.may_give(q.wikidata, res.iri):
            key = f"{res.iri}|wd|{q.wikidata}"
            if key not in emitted and key not in new_places:
                new_places.add(key)
                out.append(Q(node, WIKIDATA, ox.Literal(q.wikidata)))
        if q.lat is not None and q.lon is not None:
            where = hashlib.sha1(f"{q.lat},{q.lon}".encode()).hexdigest()[:8]
            c_iri = f"{res.iri}/coordinates/{m.source_id}-{where}"
            c = _N(c_iri)
            if c_iri not in emitted and c_iri not in new_places:  # attested by the first row giving them
                new_places.add(c_iri)
                out += [Q(node, COORDS, c), Q(c, TYPE, COORDINATES),
                        Q(c, LAT, _decimal(q.lat)), Q(c, LONG, _decimal(q.lon)),
                        Q(c, ATTESTED_BY, att)]


def _dist(q: PlaceQuery, c) -> float:
    from kg.sources.gazetteer import distance_km
    return round(distance_km(q.lat, q.lon, c.lat, c.lon), 1)


def write_review(items: list[ReviewItem], path: Path) -> None:
    """One line per unreconciled place: where it was first seen, why, and the gazetteer candidates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "file", "first_row", "rows", "name", "country", "latitude", "longitude", "node", "reason", "candidates"])
        for it in sorted(items, key=lambda i: (i.source, i.file, i.row)):
            cands = "; ".join(f"{c.name} ({c.country}, GeoNames {c.geonameid}, pop. {c.population}"
                              + (f", {d:.0f} km" if d is not None else "") + ")" for c, d in it.candidates)
            w.writerow([it.source, it.file, it.row, it.rows, it.name, it.country,
                        "" if it.lat is None else it.lat, "" if it.lon is None else it.lon, it.node, it.reason, cands])


def write_issues(issues: list[RowIssue], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "row", "line", "problem"])
        for i in issues:
            w.writerow([i.file, i.row, i.line or "", i.message])
