"""Measure intake against the curated seed articles (data/seed-articles is the gold standard):
recall and precision of agreements (pair + kind + status), memberships, posts held, reported
figures (subject + measure + value) and dates (Gregorian values, as curated)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.intake.pipeline import Analysis

CD = "https://w3id.org/cdkg/ontology#"
DOC = "https://w3id.org/cdkg/id/document/"
CATEGORIES = ("agreements", "memberships", "posts", "figures", "dates")

_GOLD = {
    "agreements": f"""SELECT DISTINCT ?a ?b ?kind ?status WHERE {{
        ?st a <{CD}StatusAssertion> ; <{CD}statusOf> ?agr ; <{CD}status> ?status ;
            <{CD}attestedBy>/<{CD}document> ?doc .
        ?agr <{CD}partyA> ?a ; <{CD}partyB> ?b ; <{CD}agreementKind> ?kind }}""",
    "memberships": f"""SELECT DISTINCT ?member ?org ?governs WHERE {{
        ?m a <http://www.w3.org/ns/org#Membership> ; <http://www.w3.org/ns/org#member> ?member ;
           <http://www.w3.org/ns/org#organization> ?org ; <{CD}attestedBy>/<{CD}document> ?doc .
        OPTIONAL {{ ?member <{CD}governs> ?governs }} }}""",
    "posts": f"""SELECT DISTINCT ?holder ?post WHERE {{
        ?t a <{CD}Tenure> ; <{CD}holder> ?holder ; <{CD}post> ?post ; <{CD}attestedBy>/<{CD}document> ?doc }}""",
    "figures": f"""SELECT DISTINCT ?subject ?measure ?value WHERE {{
        ?f a <{CD}ReportedFigure> ; <{CD}figureSubject> ?subject ; <{CD}measure> ?measure ; <{CD}value> ?value ;
           <{CD}attestedBy>/<{CD}document> ?doc }}""",
}
_DATES = """SELECT DISTINCT ?v WHERE { ?x ?p ?v . VALUES ?p { <http://www.w3.org/2006/time#inXSDDate>
    <http://www.w3.org/2006/time#inXSDgYearMonth> <http://www.w3.org/2006/time#inXSDgYear> } }"""


def _local(term) -> str:
    return term.value.rsplit("/", 1)[-1]


def gold_documents(folder: Path) -> dict[str, str]:
    """doc id -> seed file name, from the gold folder's source.toml."""
    meta = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
    return {d["id"]: d["file"] for d in meta.get("documents", [])}


def gold(folder: Path, doc_id: str) -> dict[str, set]:
    store = ox.Store()
    for p in sorted(folder.glob("*.ttl")):
        store.load(path=str(p), format=ox.RdfFormat.TURTLE)
    doc = ox.NamedNode(DOC + doc_id)
    out: dict[str, set] = {}
    rows = store.query(_GOLD["agreements"].replace("?doc", f"<{doc.value}>"))
    out["agreements"] = {(frozenset((_local(r["a"]), _local(r["b"]))), _local(r["kind"]), _local(r["status"])) for r in rows}
    rows = store.query(_GOLD["memberships"].replace("?doc", f"<{doc.value}>"))
    out["memberships"] = {(_local(r["governs"] or r["member"]), _local(r["org"])) for r in rows}
    rows = store.query(_GOLD["posts"].replace("?doc", f"<{doc.value}>"))
    out["posts"] = {(_local(r["holder"]), _local(r["post"])) for r in rows}
    rows = store.query(_GOLD["figures"].replace("?doc", f"<{doc.value}>"))
    out["figures"] = {(_local(r["subject"]), _local(r["measure"]), int(r["value"].value)) for r in rows}
    # Dates: every date the curators wrote into this article's facts file, and its publication date.
    facts = ox.Store()
    facts_file = folder / f"{doc_id}-facts.ttl"
    if facts_file.is_file():
        facts.load(path=str(facts_file), format=ox.RdfFormat.TURTLE)
    dates = {r["v"].value for r in facts.query(_DATES)}
    pub = store.query(f"""SELECT ?v WHERE {{ <{DOC}{doc_id}> <{CD}publicationDate>/(<http://www.w3.org/2006/time#inXSDDate>) ?v }}""")
    out["dates"] = dates | {r["v"].value for r in pub}
    return out


def predicted(a: Analysis) -> dict[str, set]:
    out: dict[str, set] = {c: set() for c in CATEGORIES}
    for c in a.candidates:
        f = c.fields
        if c.kind == "agreement":
            out["agreements"].add((frozenset((_l(f["partyA"]), _l(f["partyB"]))), f["kind"], f["status"]))
        elif c.kind == "membership":
            out["memberships"].add((_l(f["member"]), _l(f["organization"])))
        elif c.kind == "tenure":
            out["posts"].add((_l(f["holder"]), _l(f["post"])))
        elif c.kind == "figure":
            out["figures"].add((_l(f["subject"]), f["measure"], f["value"]))
    out["dates"] = {d.value for d in a.dates} | ({a.doc.published.value} if a.doc.published else set())
    return out


def _l(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list = field(default_factory=list)
    extras: list = field(default_factory=list)

    def add(self, gold_set: set, pred: set, doc: str) -> None:
        self.tp += len(gold_set & pred)
        self.fp += len(pred - gold_set)
        self.fn += len(gold_set - pred)
        self.misses += [(doc, x) for x in gold_set - pred]
        self.extras += [(doc, x) for x in pred - gold_set]

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None
