"""Write the draft: the document and its candidate facts as Turtle in the model of
data/seed-articles (reified status assertions, tenures, figures, events, each with an attestation
quoting the stored text), every node marked cd:reviewStatus cdc:review-candidate."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from kg.intake.candidates import Candidate
from kg.intake.dates import DateMention
from kg.intake.names import Entity

ID = "https://w3id.org/cdkg/id/"
DIGEST_LINE = "# cdkg-intake-digest: "
PREFIXES = """@prefix cd: <https://w3id.org/cdkg/ontology#> .
@prefix cdc: <https://w3id.org/cdkg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""
_KIND_SLUG = {"agreement-sister-city": "sister-city", "agreement-mou": "mou",
              "agreement-cooperation-document": "cooperation-document", "agreement-friendship": "friendship"}
_CLASS = {"city": "cd:City", "country": "cd:Country", "region": "cd:Region", "org": "org:Organization",
          "network": "cd:Network", "person": "foaf:Person", "post": "org:Post", "programme": "cd:Programme"}


def lit(text: str, lang: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"' + (f"@{lang}" if lang else "")


def iri(value: str) -> str:
    return f"<{value}>"


def local(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Document:
    doc_id: str
    language: str
    title: str | None
    publisher: Entity | None
    publisher_name: str | None
    news_code: str | None
    url: str | None
    published: DateMention | None
    published_text: str | None  # the date as printed
    text_file: str


def instant(d: DateMention | None, printed: str | None, lang: str) -> str:
    if d is None:
        return ""
    dt = {"day": "date", "month": "gYearMonth", "year": "gYear"}[d.precision]
    prop = {"day": "inXSDDate", "month": "inXSDgYearMonth", "year": "inXSDgYear"}[d.precision]
    unit = {"day": "unitDay", "month": "unitMonth", "year": "unitYear"}[d.precision]
    parts = [f"a time:Instant ; time:{prop} {lit(d.value)}^^xsd:{dt} ; time:unitType time:{unit}"]
    if printed and lang == "fa":
        parts.append(f"cd:jalaliText {lit(printed, 'fa')}")
    if d.inferred:
        parts.append("cd:certainty cdc:certainty-inferred")
        parts.append(f"skos:note {lit(d.note or 'resolved from context', 'en')}")
    return "[ " + " ; ".join(parts) + " ]"


_KIND_WORDS = {"sister-city": ("sister-city agreement", "خواهرخواندگی"), "mou": ("memorandum of understanding", "تفاهم‌نامه"),
               "cooperation-document": ("cooperation document", "سند همکاری"), "friendship": ("friendship agreement", "دوستی")}


class Writer:
    def __init__(self, doc: Document, text: str, to_source, gaz, decisions: dict[str, str] | None = None):
        self.doc, self.text, self.to_source, self.gaz = doc, text, to_source, gaz  # to_source: normalised span -> source span
        self.decisions = decisions or {}  # node IRI -> the curator's review status in the previous draft
        self.new: dict[str, Entity] = {}  # entities the article proposes: their labels name them in statements
        self.blocks: list[str] = []
        self.counter = 0
        self.declared: set[str] = set()

    def attestation(self, span: tuple[int, int]) -> str:
        s, e = self.to_source(*span)
        quote = self.text[s:e]
        return (f"[ a cd:Attestation ; cd:document {iri(ID + 'document/' + self.doc.doc_id)} ; "
                f"cd:quote {lit(quote, self.doc.language)} ; cd:textStart {s} ; cd:textEnd {e} ]")

    def review(self, subject: str) -> str:
        """A re-run keeps the curator's decision on a node it proposes again (rejected stays rejected)."""
        return f"cd:reviewStatus cdc:{self.decisions.get(subject, 'review-candidate')}"

    def _node(self, subject: str, cls: str, lines: list[str], c: Candidate, printed: dict) -> None:
        spans = [c.sentence, *c.quotes]
        body = [f"a {cls}", *lines, self.review(subject), f'cd:extractionConfidence "{c.confidence:.2f}"^^xsd:decimal',
                "cd:certainty cdc:certainty-" + ("approximate" if c.fields.get("approximate") else "inferred" if c.inferred else "stated")]
        if c.note:
            body.append(f"skos:note {lit(c.note, 'en')}")
        body.append("cd:attestedBy " + " ,\n        ".join(self.attestation(sp) for sp in spans))
        self.blocks.append(f"{iri(subject)}\n    " + " ;\n    ".join(body) + " .\n")

    def document(self) -> None:
        d = self.doc
        lines = ["a cd:NewsArticle", self.review(ID + "document/" + d.doc_id), f"dcterms:language {lit(d.language)}", f"cd:textFile {lit(d.text_file)}"]
        who = self.gaz.label(d.publisher.iri, "en") if d.publisher else "News"
        lines.append(f"rdfs:label {lit(f'{who} article {d.news_code or d.doc_id}', 'en')}")
        if d.title:
            lines.append(f"dcterms:title {lit(d.title, d.language)}")
        if d.language != "en":
            lines.append(f"rdfs:label {lit(d.title or ('خبر ' + (d.news_code or d.doc_id)), d.language)}")
        if d.publisher:
            lines.append(f"dcterms:publisher {iri(d.publisher.iri)}")
        elif d.publisher_name:
            lines.append(f"skos:note {lit('Publisher as the page names it: ' + d.publisher_name, 'en')}")
        if d.news_code:
            lines.append(f"dcterms:identifier {lit(d.news_code)}")
        if d.url:
            lines.append(f"foaf:page {iri(d.url)}")
        if d.published:
            lines.append("cd:publicationDate " + instant(d.published, d.published_text, d.language))
        self.blocks.append(f"{iri(ID + 'document/' + d.doc_id)}\n    " + " ;\n    ".join(lines) + " .\n")

    def label(self, iri_: str, lang: str) -> str:
        e = self.new.get(iri_)
        if e is not None:
            return e.labels.get(lang) or next(iter(e.labels.values()))
        return self.gaz.label(iri_, lang)

    def entity(self, e: Entity) -> None:
        self.new[e.iri] = e
        lines = [f"a {_CLASS.get(e.kind, 'prov:Entity')}", self.review(e.iri),
                 *[f"rdfs:label {lit(v, k)}" for k, v in e.labels.items() if k in ("fa", "en")],
                 f"prov:wasDerivedFrom {iri(ID + 'document/' + self.doc.doc_id)}",
                 f"skos:note {lit('Named in the article and unknown to the graph; proposed as a new entity.', 'en')}"]
        if e.country:
            lines.append(f"cd:inCountry {iri(e.country)}")
        self.blocks.append(f"{iri(e.iri)}\n    " + " ;\n    ".join(lines) + " .\n")

    def candidate(self, c: Candidate, printed: dict) -> None:
        self.counter += 1
        n, f, did = self.counter, c.fields, self.doc.doc_id
        date = instant(c.date, printed.get(c.date), self.doc.language) if c.date else ""
        if c.kind == "agreement":
            kind = _KIND_SLUG.get(f["kind"], f["kind"])
            agr = f"{ID}agreement/{local(f['partyA'])}-{local(f['partyB'])}-{kind}"
            a_en, b_en = self.label(f["partyA"], "en"), self.label(f["partyB"], "en")
            a_fa, b_fa = self.label(f["partyA"], "fa"), self.label(f["partyB"], "fa")
            words_en, words_fa = _KIND_WORDS.get(kind, (kind, kind))
            if agr not in self.gaz.agreements and agr not in self.declared:  # a tie the graph does not know yet: the node itself is a candidate
                signed = ""
                if f["status"] == "status-signed":  # the sentence's own date is the signing date; none is 'unknown'
                    signed = f" ;\n    cd:signedOn {date}" if date and c.date and not c.date.inferred and c.date is not self.doc.published \
                        else " ;\n    cd:signingDateUnknown true"
                self.blocks.append(f"{iri(agr)} a cd:Agreement ; cd:agreementKind cdc:{f['kind']} ;\n    cd:partyA {iri(f['partyA'])} ; "
                                   f"cd:partyB {iri(f['partyB'])} ; {self.review(agr)} ;\n    rdfs:label {lit(f'{a_en} – {b_en} {words_en}', 'en')} , "
                                   f"{lit(f'{words_fa} {a_fa} و {b_fa}', 'fa')}{signed} .\n")
                self.declared.add(agr)  # declared once per draft
            status = f["status"].removeprefix("status-").replace("-", " ")
            lines = [f"cd:statusOf {iri(agr)}", f"cd:status cdc:{f['status']}",
                     f"rdfs:label {lit(f'{a_en} – {b_en} {words_en}: {status} ({did})', 'en')}"] + ([f"cd:statusDate {date}"] if date else [])
            self._node(f"{ID}status/{local(agr)}-{did}-{n}", "cd:StatusAssertion", lines, c, printed)
        elif c.kind == "membership":
            lines = [f"org:member {iri(f['member'])}", f"org:organization {iri(f['organization'])}",
                     f"rdfs:label {lit(self.label(f['member'], 'en') + ' in ' + self.label(f['organization'], 'en') + f' ({did})', 'en')}"]
            c.note = (c.note + " " if c.note else "") + f"Membership cue: {f['status']}."
            self._node(f"{ID}membership/{local(f['member'])}-{local(f['organization'])}-{did}-{n}", "org:Membership", lines, c, printed)
        elif c.kind == "tenure":
            lines = [f"cd:holder {iri(f['holder'])}", f"cd:post {iri(f['post'])}",
                     f"rdfs:label {lit(self.label(f['holder'], 'en') + ', ' + self.label(f['post'], 'en') + f' ({did})', 'en')}",
                     f"rdfs:label {lit(self.label(f['holder'], 'fa') + '، ' + self.label(f['post'], 'fa') + f' ({did})', 'fa')}"]
            lines += [f"cd:attestedAt {date}"] if date else []
            self._node(f"{ID}tenure/{local(f['holder'])}-{did}-{n}", "cd:Tenure", lines, c, printed)
        elif c.kind == "figure":
            measure = f["measure"].removeprefix("measure-").replace("-", " ")
            label = f"{self.label(f['subject'], 'en')}: {measure} {f['value']} ({did})"
            lines = [f"cd:figureSubject {iri(f['subject'])}", f"cd:measure cdc:{f['measure']}", f"cd:value {f['value']}",
                     f"rdfs:label {lit(label, 'en')}"]
            lines += [f"cd:referenceDate {date}"] if date else []
            self._node(f"{ID}figure/{local(f['subject'])}-{f['measure'].removeprefix('measure-')}-{did}-{n}", "cd:ReportedFigure", lines, c, printed)
        elif c.kind == "event":
            lines = [f"cd:eventKind cdc:{f['eventKind']}", f"rdfs:label {lit(f['eventKind'].removeprefix('exchange-').replace('-', ' ') + ' (from ' + did + ')', 'en')}"]
            lines += [f"cd:participant {iri(p)}" for p in f["participants"]] + ([f"cd:date {date}"] if date else [])
            self._node(f"{ID}event/{did}-{n}", "cd:Event", lines, c, printed)

    def render(self, header: str) -> str:
        body = PREFIXES + "\n" + "\n".join(self.blocks)
        digest = hashlib.sha256((header + body).encode()).hexdigest()
        return header + DIGEST_LINE + digest + "\n" + body


def decisions(existing: str) -> dict[str, str]:
    """The review status of every node in a previous draft that a curator decided (not candidate)."""
    import pyoxigraph as ox

    try:
        quads = ox.parse(existing.encode("utf-8"), format=ox.RdfFormat.TURTLE)
        return {q.subject.value: q.object.value.rsplit("/", 1)[-1] for q in quads
                if q.predicate.value == "https://w3id.org/cdkg/ontology#reviewStatus"
                and isinstance(q.subject, ox.NamedNode) and not q.object.value.endswith("/review-candidate")}
    except SyntaxError:
        return {}  # a draft broken by hand: --force starts afresh


def edited_by_hand(existing: str) -> bool:
    """A draft that no longer matches the digest intake wrote into it (over everything but that
    line) was edited since."""
    m = re.search("^" + re.escape(DIGEST_LINE) + r"([0-9a-f]{64})\n", existing, re.M)
    if not m:
        return True
    rest = existing[:m.start()] + existing[m.end():]
    return hashlib.sha256(rest.encode()).hexdigest() != m.group(1)
