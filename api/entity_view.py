"""What an entity page shows, read from the store by IRI (quad patterns; no query text is built).

An entity's own facts, the relation nodes that point at it (agreements, memberships, events,
figures...) with their status history and dates, and for every fact its named graph (source) and
the attestations (document, speaker, Persian quote, English translation).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.core import CD, PROV, RDF, RDFS, SKOS, named_quads

TIME = "http://www.w3.org/2006/time#"
_N = ox.NamedNode
TYPE, LABEL, PREF, ALT, NOTE = _N(RDF + "type"), _N(RDFS + "label"), _N(SKOS + "prefLabel"), _N(SKOS + "altLabel"), _N(SKOS + "note")
ATTESTED, DERIVED, STATUS_OF, STATUS = _N(CD + "attestedBy"), _N(PROV + "wasDerivedFrom"), _N(CD + "statusOf"), _N(CD + "status")
STATUS_DATE, CERTAINTY = _N(CD + "statusDate"), _N(CD + "certainty")
_DATE_PROPS = [TIME + p for p in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear", "inXSDDateTimeStamp")]
_SPECIAL = {TYPE, LABEL, PREF, ALT, ATTESTED, DERIVED, NOTE}
MAX_INCOMING = 400


@dataclass
class Text:
    value: str
    lang: str = ""


@dataclass
class Link:
    iri: str
    en: str = ""
    fa: str = ""

    @property
    def name(self) -> str:
        return self.en or self.fa or self.iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass
class Attestation:
    document: Link | None = None
    speaker: Link | None = None
    quotes: list[Text] = field(default_factory=list)
    translations: list[Text] = field(default_factory=list)


@dataclass
class Value:
    link: Link | None = None
    text: Text | None = None
    date: str = ""  # a time:Instant / interval, rendered
    nested: list["Fact"] = field(default_factory=list)  # other blank nodes
    graphs: list[str] = field(default_factory=list)
    inferred: bool = False


@dataclass
class Fact:
    predicate: Link
    values: list[Value] = field(default_factory=list)


@dataclass
class Status:
    node: Link
    status: Link | None
    date: str
    certainty: Link | None
    attestations: list[Attestation]


@dataclass
class Relation:
    node: Link
    roles: list[Link]
    types: list[Link]
    facts: list[Fact]
    statuses: list[Status]
    attestations: list[Attestation]
    inferred: bool


@dataclass
class EntityView:
    iri: str
    labels: list[Text]
    alt_labels: list[Text]
    notes: list[Text]
    types: list[Link]
    facts: list[Fact]
    attestations: list[Attestation]
    derived_from: list[Link]
    relations: list[Relation]
    graphs: list[str]
    truncated: bool = False


class Reader:
    """Label and date lookups with a per-page cache."""

    def __init__(self, store: ox.Store, inferred_graph: str):
        self.store = store
        self.inferred = inferred_graph
        self._links: dict[str, Link] = {}

    def quads(self, s=None, p=None, o=None):
        return named_quads(self.store, s, p, o)  # provenance: the graphs that state it

    def link(self, node: ox.NamedNode) -> Link:
        if node.value not in self._links:
            en = fa = ""
            for pred in (LABEL, PREF):
                for q in self.quads(node, pred):
                    lang = getattr(q.object, "language", None) or ""
                    if lang.startswith("en") and not en:
                        en = q.object.value
                    elif lang.startswith("fa") and not fa:
                        fa = q.object.value
                    elif not lang and not en and isinstance(q.object, ox.Literal):
                        en = q.object.value
            self._links[node.value] = Link(node.value, en, fa)
        return self._links[node.value]

    def date(self, node) -> str:
        """A time:Instant (or interval of two) as 'YYYY-MM-DD (Jalali text)'; '' if not a date."""
        parts = [q.object.value for p in _DATE_PROPS for q in self.quads(node, _N(p))][:1]
        parts += [f"({q.object.value})" for q in self.quads(node, _N(CD + "jalaliText"))]
        if parts:
            return " ".join(parts)
        begin = [self.date(q.object) for q in self.quads(node, _N(TIME + "hasBeginning"))]
        end = [self.date(q.object) for q in self.quads(node, _N(TIME + "hasEnd"))]
        if begin or end:
            return f"{begin[0] if begin else '?'} – {end[0] if end else '?'}"
        return ""

    def attestations(self, node) -> list[Attestation]:
        out = []
        for q in self.quads(node, ATTESTED):
            att = Attestation()
            for a in self.quads(q.object):
                p = a.predicate.value
                if p == CD + "document" and isinstance(a.object, ox.NamedNode):
                    att.document = self.link(a.object)
                elif p == CD + "speaker" and isinstance(a.object, ox.NamedNode):
                    att.speaker = self.link(a.object)
                elif p == CD + "quote":
                    att.quotes.append(Text(a.object.value, a.object.language or ""))
                elif p == CD + "quoteTranslation":
                    att.translations.append(Text(a.object.value, a.object.language or ""))
            out.append(att)
        return out

    def value(self, term, graphs: list[str], depth: int = 0) -> Value:
        v = Value(graphs=sorted(set(graphs)), inferred=all(g == self.inferred for g in graphs))
        if isinstance(term, ox.NamedNode):
            v.link = self.link(term)
        elif isinstance(term, ox.Literal):
            v.text = Text(term.value, term.language or "")
        elif isinstance(term, ox.BlankNode):
            v.date = self.date(term)
            if not v.date and depth < 2:
                v.nested = self.facts(term, depth + 1)
        return v

    def facts(self, node, depth: int = 0, skip: frozenset = frozenset()) -> list[Fact]:
        grouped: dict[str, dict[object, list[str]]] = {}
        for q in self.quads(node):
            if q.predicate in _SPECIAL or q.predicate in skip:
                continue
            graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            grouped.setdefault(q.predicate.value, {}).setdefault(q.object, []).append(graph)
        out = [Fact(self.link(_N(p)), [self.value(o, g, depth) for o, g in objs.items()]) for p, objs in grouped.items()]
        return sorted(out, key=lambda f: f.predicate.name.lower())


def _texts(reader: Reader, node, pred) -> list[Text]:
    seen = dict.fromkeys((q.object.value, getattr(q.object, "language", "") or "") for q in reader.quads(node, pred))
    return [Text(v, lang) for v, lang in seen]


def describe(store: ox.Store, iri: str, inferred_graph: str) -> EntityView | None:
    """The page of one entity, or None when the store has no triple about it."""
    node = _N(iri)
    reader = Reader(store, inferred_graph)
    own = list(reader.quads(node))
    if not own:
        return None
    graphs = sorted({q.graph_name.value for q in own if isinstance(q.graph_name, ox.NamedNode)})
    types = sorted({reader.link(q.object).iri: reader.link(q.object) for q in reader.quads(node, TYPE)
                    if isinstance(q.object, ox.NamedNode)}.values(), key=lambda link: link.name)
    derived = [reader.link(q.object) for q in reader.quads(node, DERIVED) if isinstance(q.object, ox.NamedNode)]
    incoming: dict[str, tuple[ox.NamedNode, dict[str, list[str]]]] = {}
    truncated = False
    for i, q in enumerate(reader.quads(o=node)):
        if i >= MAX_INCOMING:
            truncated = True
            break
        if isinstance(q.subject, ox.NamedNode):
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            entry = incoming.setdefault(q.subject.value, (q.subject, {}))
            entry[1].setdefault(q.predicate.value, []).append(graph)
    relations = [_relation(reader, subj, roles, node) for subj, roles in incoming.values()]
    # Sourced relation nodes with a status history first, then other sourced ones, inferred links last.
    relations.sort(key=lambda r: (r.inferred, not r.statuses, not r.attestations, r.roles[0].name if r.roles else "", r.node.name))
    return EntityView(
        iri=iri, labels=_texts(reader, node, LABEL) + _texts(reader, node, PREF), alt_labels=_texts(reader, node, ALT),
        notes=_texts(reader, node, NOTE), types=types, facts=reader.facts(node),
        attestations=reader.attestations(node), derived_from=list({d.iri: d for d in derived}.values()),
        relations=relations, graphs=graphs, truncated=truncated)


def _relation(reader: Reader, subject: ox.NamedNode, roles: dict[str, list[str]], page: ox.NamedNode) -> Relation:
    statuses = []
    for q in reader.quads(o=subject, p=STATUS_OF):
        st = q.subject
        status = next((reader.link(s.object) for s in reader.quads(st, STATUS) if isinstance(s.object, ox.NamedNode)), None)
        date = next((reader.date(s.object) for s in reader.quads(st, STATUS_DATE)), "")
        certainty = next((reader.link(s.object) for s in reader.quads(st, CERTAINTY) if isinstance(s.object, ox.NamedNode)), None)
        statuses.append(Status(reader.link(st) if isinstance(st, ox.NamedNode) else Link(""), status, date, certainty,
                               reader.attestations(st)))
    statuses.sort(key=lambda s: (s.date or "9999", s.node.iri))
    types = [reader.link(q.object) for q in reader.quads(subject, TYPE)
             if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(CD)]
    inferred = all(g == reader.inferred for graphs in roles.values() for g in graphs)
    return Relation(node=reader.link(subject), roles=[reader.link(_N(p)) for p in roles],
                    types=list({t.iri: t for t in types}.values()),
                    facts=[f for f in reader.facts(subject, skip=frozenset({STATUS_OF}))
                           if not all(v.link and v.link.iri == page.value for v in f.values)],
                    statuses=statuses, attestations=reader.attestations(subject), inferred=inferred)


def description_quads(store: ox.Store, iri: str) -> list[ox.Quad]:
    """Concise bounded description for Turtle / JSON-LD: the entity's triples (following blank
    nodes) and the triples that point at it, each in its graph."""
    node = _N(iri)
    out, todo, seen = [], [node], set()
    while todo and len(out) < 20_000:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in named_quads(store, n):
            out.append(q)
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    for i, q in enumerate(named_quads(store, None, None, node)):
        if i >= 5_000:
            break
        if isinstance(q.subject, ox.NamedNode):
            out.append(q)
    return out
