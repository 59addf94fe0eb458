"""A curator's decisions on a draft (data/articles/<doc-id>.ttl): read its candidates and write
accept / reject / a corrected status back into the file, with who and when (cd:reviewedBy,
cd:reviewedAt). Edits are textual on the format kg.intake.draft writes, checked by re-parsing
before the file is replaced, so a failed edit never leaves a broken draft."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.intake.draft import lit
from kg.intake.pipeline import ARTICLES
from kg.intake.read import IntakeError

CD = "https://w3id.org/cdkg/ontology#"
CDC = "https://w3id.org/cdkg/concept/"
DECISIONS = ("review-accepted", "review-rejected", "review-candidate")
AGREEMENT_STATUSES = ("status-candidate", "status-proposed", "status-under-negotiation", "status-about-to-be-signed",
                      "status-signed", "status-dormant", "status-revived", "status-ended", "status-under-review")
_REVIEW = re.compile(r'cd:reviewStatus cdc:review-[a-z]+(?: ; cd:reviewedBy "(?:[^"\\]|\\.)*" ; '
                     r'cd:reviewedAt "[^"]*"\^\^xsd:dateTime)?')
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


@dataclass
class Draft:
    doc_id: str
    path: Path
    text: str
    items: list[Item]


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
    doc = store.query(f"SELECT ?f WHERE {{ ?d <{CD}textFile> ?f }}")
    text_file = next((r["f"].value for r in doc), None)
    text = (path.parent / text_file).read_text(encoding="utf-8") if text_file and (path.parent / text_file).is_file() else ""
    order = sorted(items.values(), key=lambda i: (i.quotes[0][0] if i.quotes else -1, i.iri))
    return Draft(doc_id, path, text, order)


def decide(settings: Settings, doc_id: str, node: str, decision: str, curator: str, status: str | None = None,
           now: dt.datetime | None = None) -> None:
    """Set a node's review status (and, for a status assertion, its corrected status)."""
    if decision not in DECISIONS:
        raise IntakeError(f"decision must be one of {', '.join(DECISIONS)}, not '{decision}'")
    if status is not None and status not in AGREEMENT_STATUSES:
        raise IntakeError(f"status must be one of {', '.join(AGREEMENT_STATUSES)}, not '{status}'")
    curator = curator.strip()
    if not curator or len(curator) > 100:
        raise IntakeError("say who decides: a curator name of 1 to 100 characters")
    path = draft_path(settings, doc_id)
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"\n<{re.escape(node)}>[ \n]", text) if node else None
    if found is None:
        raise IntakeError(f"no candidate <{node}> in draft {doc_id}")
    start = found.start()
    end = text.find(" .\n", start)
    block = text[start:end]
    when = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat()
    marked = (f"cd:reviewStatus cdc:{decision} ; cd:reviewedBy {lit(curator)} ; "
              f'cd:reviewedAt "{when}"^^xsd:dateTime')
    block, n = _REVIEW.subn(lambda _: marked, block, count=1)
    if n != 1:
        raise IntakeError(f"<{node}> in draft {doc_id} has no review status to set")
    if status is not None:
        if "cd:status cdc:" not in block:
            raise IntakeError(f"<{node}> has no status to correct")
        block = re.sub(r"cd:status cdc:status-[a-z-]+", f"cd:status cdc:{status}", block, count=1)
        words = status.removeprefix("status-").replace("-", " ")  # the English label names the status too
        block = re.sub(r'(rdfs:label "[^"\n]*?: )[a-z ]+( \([^)"]*\)"@en)', lambda m: m.group(1) + words + m.group(2), block, count=1)
    new = text[:start] + block + text[end:]
    try:
        list(ox.parse(new.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise IntakeError(f"{path}: the edit would break the draft ({exc}); edit it by hand") from None
    tmp = path.with_suffix(".ttl.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
