"""A curator's decisions on a draft (data/articles/<doc-id>.ttl): read its candidates and write
accept / reject / a corrected status / an entity replaced by one the graph knows back into the file,
with who and when on the node (cd:reviewedBy, cd:reviewedAt) and as a PROV record
(kg.intake.provenance). Edits are textual on the format kg.intake.draft writes, checked by
re-parsing before the file is replaced, so a failed edit never leaves a broken draft."""
from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.intake.draft import ID
from kg.intake.pipeline import ARTICLES
from kg.intake.provenance import Decision, apply, block_span, record, recorded, with_digest
from kg.intake.read import IntakeError

CD = "https://w3id.org/cdkg/ontology#"
CDC = "https://w3id.org/cdkg/concept/"
DECISIONS = ("review-accepted", "review-rejected")  # a decision accepts or rejects; candidate is where it starts
AGREEMENT_STATUSES = ("status-candidate", "status-proposed", "status-under-negotiation", "status-about-to-be-signed",
                      "status-signed", "status-dormant", "status-revived", "status-ended", "status-under-review")
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


@dataclass
class Item:
    iri: str
    kind: str  # the class's local name
    label: str
    review: str
    confidence: float | None = None
    status: str | None = None
    quotes: list[tuple[int, int]] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label) of the entities it names: what a picker may replace


@dataclass
class Draft:
    doc_id: str
    path: Path
    text: str
    items: list[Item]
    history: list[Decision] = field(default_factory=list)


# entities a curator may replace with one the graph knows (not documents, statements or records)
_NOT_ENTITIES = tuple(ID + p for p in ("document/", "agreement/", "status/", "membership/", "tenure/", "figure/",
                                       "event/", "decision/", "curator/"))
_ENTITY_CLASSES = ("City", "Country", "Region", "Place", "Municipality", "Network", "Organization", "Person", "Post")


def draft_path(settings: Settings, doc_id: str) -> Path:
    if not _DOC_ID.match(doc_id):
        raise IntakeError(f"'{doc_id}' is not a draft id (letters, digits, '.', '_' and '-')")
    path = settings.data_dir / ARTICLES / f"{doc_id}.ttl"
    if not path.is_file():
        raise FileNotFoundError(f"no draft {doc_id} in {settings.data_dir / ARTICLES}")
    return path


def list_drafts(settings: Settings) -> list[str]:
    folder = settings.data_dir / ARTICLES
    return sorted(p.stem for p in folder.glob("*.ttl")) if folder.is_dir() else []


def read_draft(settings: Settings, doc_id: str) -> Draft:
    path = draft_path(settings, doc_id)
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    q = f"""SELECT ?n ?type ?label ?review ?conf ?status ?s ?e WHERE {{
        ?n <{CD}reviewStatus> ?review ; a ?type .
        OPTIONAL {{ ?n <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = "en" || lang(?label) = "") }}
        OPTIONAL {{ ?n <{CD}extractionConfidence> ?conf }}
        OPTIONAL {{ ?n <{CD}status> ?status }}
        OPTIONAL {{ ?n <{CD}attestedBy> [ <{CD}textStart> ?s ; <{CD}textEnd> ?e ] }} }}"""
    items: dict[str, Item] = {}
    for r in store.query(q):
        iri = r["n"].value
        it = items.get(iri)
        if it is None:
            it = items[iri] = Item(iri, r["type"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                                   r["label"].value if r["label"] else iri.rsplit("/", 1)[-1],
                                   r["review"].value.rsplit("/", 1)[-1],
                                   float(r["conf"].value) if r["conf"] else None,
                                   r["status"].value.rsplit("/", 1)[-1] if r["status"] else None)
        if r["s"] is not None and (span := (int(r["s"].value), int(r["e"].value))) not in it.quotes:
            it.quotes.append(span)
    labels = {r["n"].value: r["l"].value for r in store.query(
        "SELECT ?n ?l WHERE { ?n <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'en') }")}
    refs = store.query(f"""SELECT DISTINCT ?n ?e WHERE {{ ?n <{CD}reviewStatus> ?r .
        {{ ?n ?p ?e }} UNION {{ ?n <{CD}statusOf> ?a . ?a <{CD}partyA>|<{CD}partyB> ?e }} FILTER(isIRI(?e)) }}""")
    for r in refs:
        e, it = r["e"].value, items.get(r["n"].value)
        if it is not None and e.startswith(ID) and not e.startswith(_NOT_ENTITIES):
            it.refs.append((e, labels.get(e, e.rsplit("/", 1)[-1])))
    for it in items.values():
        if it.kind in _ENTITY_CLASSES:
            it.refs.insert(0, (it.iri, it.label))  # a proposed entity: replace it everywhere
        it.refs.sort(key=lambda r: (r[0] != it.iri, r[1]))
    doc = store.query(f"SELECT ?f WHERE {{ ?d <{CD}textFile> ?f }}")
    text_file = next((r["f"].value for r in doc), None)
    text = (path.parent / text_file).read_text(encoding="utf-8") if text_file and (path.parent / text_file).is_file() else ""
    order = sorted(items.values(), key=lambda i: (i.quotes[0][0] if i.quotes else -1, i.iri))
    return Draft(doc_id, path, text, order, recorded(path.read_text(encoding="utf-8")))


def decide(settings: Settings, doc_id: str, node: str, decision: str, curator: str, status: str | None = None,
           now: dt.datetime | None = None, replaced: str | None = None, replacement: str | None = None) -> None:
    """Set a node's review status (for a status assertion, optionally a corrected status; for any
    candidate, optionally an entity replaced by one the graph knows) and record the decision as PROV."""
    if decision not in DECISIONS:
        raise IntakeError(f"decision must be one of {', '.join(DECISIONS)}, not '{decision}'")
    if status is not None and status not in AGREEMENT_STATUSES:
        raise IntakeError(f"status must be one of {', '.join(AGREEMENT_STATUSES)}, not '{status}'")
    if bool(replaced) != bool(replacement):
        raise IntakeError("a replacement names both the entity replaced and the one that takes its place")
    if replacement and not (replacement.startswith(ID) and _IRI_SAFE.match(replacement)):
        raise IntakeError(f"the replacement must be an entity of the graph (<{ID}...>), not '{replacement[:200]}'")
    curator = curator.strip()
    if not curator or len(curator) > 100:
        raise IntakeError("say who decides: a curator name of 1 to 100 characters")
    path = draft_path(settings, doc_id)
    # UTC written with Z: the form RDF stores read it back in, so a replayed record is the same text
    when = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    d = Decision(node, decision, curator, when, status, replaced or None, replacement or None)
    with _WRITING:  # one decision at a time: each reads, edits and replaces the whole file
        text = path.read_text(encoding="utf-8")
        if replaced and replaced != node and not _mentions(text, node, replaced):
            raise IntakeError(f"<{node}> does not mention <{replaced}>")
        new = with_digest(record(apply(text, d), doc_id, d))
        try:
            list(ox.parse(new.encode("utf-8"), format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise IntakeError(f"{path}: the edit would break the draft ({exc}); edit it by hand") from None
        tmp = path.with_suffix(".ttl.tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(path)


_WRITING = threading.Lock()
_IRI_SAFE = re.compile(r"^[^<>\"{}|^`\\\s]+$")


def _mentions(text: str, node: str, iri: str) -> bool:
    """Whether the candidate, or the new agreement it is a status of, names `iri`."""
    block = text[slice(*block_span(text, node))]
    blocks = [block]
    for agreement in re.findall(r"cd:statusOf <([^>]+)>", block):
        try:
            blocks.append(text[slice(*block_span(text, agreement))])
        except IntakeError:
            pass  # an agreement the graph already has: not in the draft
    return any(f"<{iri}>" in b for b in blocks)
