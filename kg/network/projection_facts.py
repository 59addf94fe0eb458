"""What the projection needs to know about relation nodes and their endpoints, read in whole-graph scans.

Per relation: kind, status (latest dated status assertion, optionally as of a day), start/end dates with
their precision, and the sources attesting it. Per node: labels, cd types, kind, country, coordinates.
Dates compare as ISO strings, so a date known only to the month or year ("2020-07", "2020") sorts as the
beginning of that month or year, as in queries/agreement-current-status.rq.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.core import NetworkInputError
from kg.core import CD, FOAF, ORG
from kg.core import execute
from kg.network.finder import find_country, local_name

XSD_DATE = "time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear"
# A tie's own dates. cd:expiresOn is a sub-property of cd:date too, so its nodes are told apart.
START_PROPS = ("cd:signedOn", "cd:joinedOn", "cd:receivedOn", "cd:proposedOn", "cd:date", "cd:expiresOn", "cd:attestedAt")
PERIOD_PROPS = "cd:period|cd:during|cd:callPeriod"
KIND_PROPS = "cd:agreementKind|cd:eventKind|cd:designationKind|cd:proposedAgreementKind"
DIRECT_STATUS_PROPS = "cd:eventStatus|cd:shipmentStatus"

Q_CONCEPTS = 'SELECT DISTINCT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(lang(?l) = "en") }'
Q_KINDS = f"SELECT DISTINCT ?r ?k WHERE {{ ?r {KIND_PROPS} ?k }}"
Q_DIRECT_STATUS = f"SELECT DISTINCT ?r ?s WHERE {{ ?r {DIRECT_STATUS_PROPS} ?s }}"
Q_ASSERTIONS = f"""SELECT DISTINCT ?r ?a ?s ?v WHERE {{ ?a cd:statusOf ?r ; cd:status ?s .
  OPTIONAL {{ ?a cd:statusDate|cd:period/time:hasBeginning|cd:period/time:hasEnd ?n . ?n {XSD_DATE} ?v }} }}"""
Q_DATES = f"""SELECT DISTINCT ?r ?p ?n ?v WHERE {{ VALUES ?p {{ {' '.join(START_PROPS)} }} ?r ?p ?n . ?n {XSD_DATE} ?v }}"""
Q_PERIODS = f"""SELECT DISTINCT ?r ?side ?v WHERE {{ ?r {PERIOD_PROPS} ?i . ?i ?side ?n .
  VALUES ?side {{ time:hasBeginning time:hasEnd }} ?n {XSD_DATE} ?v }}"""
Q_SOURCES = "SELECT DISTINCT ?r ?d WHERE { ?r cd:derivedSource ?d }"
Q_LABELS = "SELECT DISTINCT ?n ?l WHERE { ?n rdfs:label ?l }"
# One path per class with a fixed end, and the root classes added in Python: Virtuoso refuses a path whose
# end comes from VALUES ("transitive start not given") and answers nothing when VALUES is a UNION branch.
Q_NODE_CLASSES = """SELECT DISTINCT ?c WHERE { { ?c rdfs:subClassOf+ cd:Place } UNION { ?c rdfs:subClassOf+ org:Organization }
  FILTER(STRSTARTS(STR(?c), STR(cd:))) }"""
ROOT_NODE_CLASSES = (f"{CD}Place", f"{FOAF}Person", f"{ORG}Organization")
Q_TYPES = "SELECT DISTINCT ?n ?t WHERE { VALUES ?t { %s } ?n a ?t }"
Q_IN_COUNTRY = "SELECT DISTINCT ?n ?c WHERE { ?n cd:inCountry ?c }"
Q_GOVERNS = "SELECT DISTINCT ?o ?p ?rel WHERE { { ?o cd:governs ?p BIND('governs' AS ?rel) } UNION { ?o cd:basedIn ?p BIND('based' AS ?rel) } }"
Q_COUNTRY_IDS = "SELECT DISTINCT ?c ?g WHERE { ?c a cd:Country . OPTIONAL { ?c cd:geonamesId ?g } }"
Q_COORDS = "SELECT DISTINCT ?n ?c WHERE { ?n cd:coordinates ?c }"
Q_LAT = "SELECT DISTINCT ?c ?v WHERE { ?c geo:lat ?v }"
Q_LONG = "SELECT DISTINCT ?c ?v WHERE { ?c geo:long ?v }"
Q_MEMBERS = "SELECT DISTINCT ?m ?net WHERE { ?x org:member ?m ; org:organization ?net }"
Q_NETWORKS = "SELECT DISTINCT ?n WHERE { ?n a cd:Network }"


def rows(store: ox.Store, sparql: str, base_iri: str) -> list[tuple[str | None, ...]]:
    """Lexical values of a SELECT, row by row (None for unbound)."""
    return [tuple(t.value if t is not None else None for t in sol) for sol in execute(store, sparql, base_iri)]


def resolve_concepts(concepts: dict[str, str], wanted: Iterable[str], what: str, used: Iterable[str] = ()) -> set[str]:
    """Labels (case-insensitive) or IRIs of SKOS concepts -> IRIs; a clear error (naming the values the
    data uses) for unknown ones."""
    by_label = {label.casefold(): iri for iri, label in concepts.items()}
    out, unknown = set(), []
    for w in wanted:
        w = w.strip()
        iri = w if w in concepts else by_label.get(w.casefold())
        (out.add(iri) if iri else unknown.append(w))
    if unknown:
        raise NetworkInputError(f"unknown {what} {', '.join(repr(u) for u in unknown)}: give an English label "
                                f"({', '.join(repr(v) for v in sorted({concepts[u] for u in used if u in concepts}))}) or a concept IRI.")
    return out


@dataclass
class RelationFacts:
    """Facts about relation nodes (read eagerly) and their endpoints (read on demand by nodes())."""
    store: ox.Store
    base_iri: str
    day: str | None
    concepts: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    assertions: dict[str, dict[str, tuple[str, list[str]]]] = field(default_factory=dict)
    direct_status: dict[str, str] = field(default_factory=dict)
    begins: dict[str, list[str]] = field(default_factory=dict)
    ends: dict[str, list[str]] = field(default_factory=dict)
    attested: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Place scans, filled once by places().
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    in_country: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    governs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    located: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    coordinate_nodes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lat: dict[str, str] = field(default_factory=dict)
    lon: dict[str, str] = field(default_factory=dict)
    _place_scan: bool = False

    def relation(self, r: str) -> dict:
        status_iri, disputed = self._status(r)
        stated = min(self.begins.get(r, ()), default=None)
        first = min((d for _, dates in self.assertions.get(r, {}).values() for d in dates), default=None)
        first = min(filter(None, (first, min(self.attested.get(r, ()), default=None))), default=None)
        start = stated or first
        docs = set(self.sources.get(r, ()))
        for a in self.assertions.get(r, {}):
            docs |= self.sources.get(a, set())
        return {"kind": self.concepts.get(self.kinds.get(r, ""), None), "kind_iri": self.kinds.get(r),
                "status": self.concepts.get(status_iri or "", None), "status_iri": status_iri,
                "status_disputed": disputed, "start": start,
                "start_basis": "stated" if stated else ("first attested" if first else None),
                "end": max(self.ends.get(r, ()), default=None), "year": int(start[:4]) if start else None,
                "sources": sorted({local_name(d) for d in docs}), "source_iris": sorted(docs)}

    def used_statuses(self) -> set[str]:
        return {s for per in self.assertions.values() for s, _ in per.values()} | set(self.direct_status.values())

    def _status(self, r: str) -> tuple[str | None, bool]:
        """Latest status assertion (dated on or before the day, when one is set); sources that disagree on
        the same latest date leave status_disputed=True and the first status by IRI."""
        best, found = None, set()
        for status, dates in self.assertions.get(r, {}).values():
            eligible = [d for d in dates if self.day is None or d <= self.day]
            if self.day is not None and not eligible:
                continue  # an undated (or later) assertion says nothing about that day
            key = max(eligible, default="")
            if best is None or key > best:
                best, found = key, {status}
            elif key == best:
                found.add(status)
        if not found:
            return self.direct_status.get(r), False
        return sorted(found)[0], len(found) > 1

    def places(self) -> None:
        """Scan types, countries, governing bodies and coordinates once (cheap single-pattern scans)."""
        if self._place_scan:
            return
        q = lambda s: rows(self.store, s, self.base_iri)  # noqa: E731
        classes = sorted({*(c for (c,) in q(Q_NODE_CLASSES)), *ROOT_NODE_CLASSES})
        for n, t in q(Q_TYPES % " ".join(f"<{c}>" for c in classes)):
            self.types[n].add(t)
        for n, c in q(Q_IN_COUNTRY):
            self.in_country[n].add(c)
        for o, p, rel in q(Q_GOVERNS):
            (self.governs if rel == "governs" else self.located)[o].add(p)
        self.lat, self.lon = dict(q(Q_LAT)), dict(q(Q_LONG))
        for n, c in q(Q_COORDS):
            self.coordinate_nodes[n].append(c)
        self._place_scan = True

    def nodes(self, wanted: set[str]) -> dict[str, dict]:
        """Attributes of the wanted nodes: label, label_fa, kind, types, country, country_label, lat, lon, governs."""
        self.places()
        out = {}
        for n in wanted:
            label = self.labels.get(n, {})
            ts = self.types.get(n, set())
            c = sorted(self._countries(n, ts))
            lat, lon = self._coordinates(n)
            data = {"label": label.get("en") or local_name(n), "kind": _kind(ts),
                    "types": {local_name(t) for t in ts if t.startswith(CD)}, "countries": set(c),
                    "country": c[0] if c else None, "country_label": self.labels.get(c[0], {}).get("en") if c else None,
                    "lat": lat, "lon": lon}
            if label.get("fa"):
                data["label_fa"] = label["fa"]
            if self.governs.get(n):
                data["governs"] = sorted(self.governs[n])
            out[n] = data
        return out

    def _countries(self, n: str, types: set[str]) -> set[str]:
        if CD + "Country" in types:
            return {n}
        # An organisation lies where the place it governs (or is based in) lies.
        places = self.governs.get(n, set()) | self.located.get(n, set())
        return self.in_country.get(n, set()) | {c for p in places for c in self.in_country.get(p, ())}

    def _coordinates(self, n: str) -> tuple[float | None, float | None]:
        """geo:lat/geo:long of the node itself, else of its cd:Coordinates: the gazetteer's when present,
        else the first by IRI. Never computed or guessed."""
        for c in [n, *sorted(self.coordinate_nodes.get(n, ()), key=lambda c: (not c.endswith("/geonames"), c))]:
            if c in self.lat and c in self.lon:
                return float(self.lat[c]), float(self.lon[c])
        return None, None

    def resolve_country(self, value: str) -> str:
        """A country IRI, local id, English label, or ISO 3166 code -> the country node's IRI."""
        found = rows(self.store, Q_COUNTRY_IDS, self.base_iri)
        hit = find_country({c: self.labels.get(c, {}).get("en", "") for c, _ in found}, value, iso_codes=found,
                           base_iri=self.base_iri)
        if hit is None:
            raise NetworkInputError(f"unknown country '{value}': give a country IRI, its English name (e.g. Iran) or ISO code (e.g. IR).")
        return hit

    def resolve_network(self, value: str) -> tuple[str, dict[str, set[str]]]:
        """A network IRI or English label -> (IRI, members of each network)."""
        members: dict[str, set[str]] = defaultdict(set)
        for m, net in rows(self.store, Q_MEMBERS, self.base_iri):
            members[net].add(m)
        nets = set(members) | {n for (n,) in rows(self.store, Q_NETWORKS, self.base_iri)}
        v = value.strip()
        hit = v if v in nets else next((n for n in sorted(nets) if self.labels.get(n, {}).get("en", "").casefold() == v.casefold()), None)
        if hit is None:
            names = sorted(self.labels.get(n, {}).get("en", local_name(n)) for n in members)
            raise NetworkInputError(f"unknown network '{value}': give a network IRI or one of: {', '.join(names)}.")
        return hit, members


def _kind(types: set[str]) -> str:
    for cls, kind in ((CD + "City", "city"), (CD + "Country", "country"), (CD + "Network", "network"),
                      (FOAF + "Person", "person"), (ORG + "Organization", "organisation")):
        if cls in types:
            return kind
    return "other"


def read_facts(store: ox.Store, base_iri: str, relations: set[str], day: str | None) -> RelationFacts:
    """Everything about the relation nodes, in one scan per property family."""
    q = lambda s: rows(store, s, base_iri)  # noqa: E731
    f = RelationFacts(store, base_iri, day)
    f.concepts = dict(q(Q_CONCEPTS))
    for r, k in q(Q_KINDS):
        if r in relations and (r not in f.kinds or k < f.kinds[r]):
            f.kinds[r] = k
    f.direct_status = {r: s for r, s in sorted(q(Q_DIRECT_STATUS), reverse=True) if r in relations}
    assertions: dict[str, dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    for r, a, s, v in q(Q_ASSERTIONS):
        if r in relations:
            assertions[r].setdefault(a, (s, []))[1].extend([v] if v else [])
    f.assertions = assertions
    dated: list[tuple[str, str, str, str]] = q(Q_DATES)
    expiring = {(r, n) for r, p, n, _ in dated if p == CD + "expiresOn"}
    begins, ends, attested = defaultdict(list), defaultdict(list), defaultdict(list)
    for r, p, n, v in dated:
        if r not in relations:
            continue
        if p == CD + "expiresOn":
            ends[r].append(v)
        elif p == CD + "attestedAt":
            attested[r].append(v)
        elif (r, n) not in expiring:
            begins[r].append(v)
    for r, side, v in q(Q_PERIODS):
        if r in relations:
            (begins if side.endswith("hasBeginning") else ends)[r].append(v)
    f.begins, f.ends, f.attested = begins, ends, attested
    wanted_sources = relations | {a for per in assertions.values() for a in per}
    sources: dict[str, set[str]] = defaultdict(set)
    for r, d in q(Q_SOURCES):
        if r in wanted_sources:
            sources[r].add(d)
    f.sources = sources
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for n, lit in _labelrows(store, base_iri):
        lang = lit.language or ""
        if lang in ("en", "fa") and (lang not in labels[n] or lit.value < labels[n][lang]):
            labels[n][lang] = lit.value
    f.labels = labels
    return f


def _labelrows(store: ox.Store, base_iri: str):
    """(node, literal) with the literal's language kept (rows() keeps only lexical values)."""
    for sol in execute(store, Q_LABELS, base_iri):
        lit = sol["l"]
        if isinstance(lit, ox.Literal):
            yield sol["n"].value, lit
