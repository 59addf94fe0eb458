"""A curator's decisions as PROV, and the textual edits they make to a draft.

Each decision (accept, reject, correct a status, replace an entity) is appended to the draft as a
`cd:CurationDecision` (a prov:Activity): prov:used the candidate, prov:wasAssociatedWith the curator
(a prov:Agent), prov:endedAtTime, cd:decision, and what it changed (cd:correctedStatus,
cd:replacedEntity / cd:replacementEntity). The records are machine-readable so that a forced re-run
of `cdkg intake` replays them on the fresh draft (kg.intake.pipeline): nothing a curator decided is lost.
Edits are textual on the format kg.intake.draft writes; callers re-parse before replacing a file.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.intake.draft import DIGEST_LINE, ID, lit
from kg.intake.read import IntakeError

CD = "https://w3id.org/cdkg/ontology#"
PROV = "http://www.w3.org/ns/prov#"
DECISION_NS, CURATOR_NS = ID + "decision/", ID + "curator/"
_REVIEW = re.compile(r'cd:reviewStatus cdc:review-[a-z]+(?: ; cd:reviewedBy "(?:[^"\\]|\\.)*" ; '
                     r'cd:reviewedAt "[^"]*"\^\^xsd:dateTime)?')


@dataclass(frozen=True)
class Decision:
    node: str
    decision: str  # review-accepted | review-rejected
    curator: str
    when: str  # ISO dateTime, UTC
    status: str | None = None  # a corrected agreement status
    replaced: str | None = None  # entity replaced in the candidate ...
    replacement: str | None = None  # ... by this one the graph knows


def block_span(text: str, node: str) -> tuple[int, int]:
    """Where the draft states `node` (its subject block, from the newline before it to ' .')."""
    found = re.search(rf"\n<{re.escape(node)}>[ \n]", text) if node else None
    if found is None:
        raise IntakeError(f"no candidate <{node}> in the draft")
    return found.start(), text.find(" .\n", found.start())


def curator_iri(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return CURATOR_NS + (slug or "c-" + hashlib.sha1(name.encode()).hexdigest()[:10])


def apply(text: str, d: Decision) -> str:
    """The draft with the decision's effect on its candidate (not the record itself)."""
    marked = (f"cd:reviewStatus cdc:{d.decision} ; cd:reviewedBy {lit(d.curator)} ; "
              f'cd:reviewedAt "{d.when}"^^xsd:dateTime')
    if d.replaced and d.replacement and d.replaced == d.node:
        # a proposed entity is one the graph knows: every mention moves to it, the proposal is rejected
        start, end = block_span(text, d.node)
        old, new = f"<{d.replaced}>", f"<{d.replacement}>"
        text = text[:start].replace(old, new) + text[start:end] + _records_safe(text[end:], old, new)
    elif d.replaced and d.replacement:
        # a wrong match in one candidate: changed in it and in the agreement it is a status of
        nodes = [d.node] + re.findall(r"cd:statusOf <([^>]+)>", text[slice(*block_span(text, d.node))])
        for n in nodes:
            try:
                start, end = block_span(text, n)
            except IntakeError:
                continue  # an agreement the graph already has is not in the draft: only the status changes
            text = text[:start] + text[start:end].replace(f"<{d.replaced}>", f"<{d.replacement}>") + text[end:]
    start, end = block_span(text, d.node)
    block, n = _REVIEW.subn(lambda _: marked, text[start:end], count=1)
    if n != 1:
        raise IntakeError(f"<{d.node}> has no review status to set")
    if d.status is not None:
        if "cd:status cdc:" not in block:
            raise IntakeError(f"<{d.node}> has no status to correct")
        block = re.sub(r"cd:status cdc:status-[a-z-]+", f"cd:status cdc:{d.status}", block, count=1)
        words = d.status.removeprefix("status-").replace("-", " ")  # the English label names the status too
        block = re.sub(r'(rdfs:label "[^"\n]*?: )[a-z ]+( \([^)"]*\)"@en)', lambda m: m.group(1) + words + m.group(2), block, count=1)
    return text[:start] + block + text[end:]


def _records_safe(tail: str, old: str, new: str) -> str:
    """Replace a mention everywhere after a block except in the decision records (they name what was replaced)."""
    parts = re.split(rf"(\n<{re.escape(DECISION_NS)}[^>]+>[^\n]*(?:\n    [^\n]*)*)", tail)
    return "".join(p if p.startswith(f"\n<{DECISION_NS}") else p.replace(old, new) for p in parts)


def record(text: str, doc_id: str, d: Decision) -> str:
    """The draft with the decision appended as a cd:CurationDecision (and its curator as a prov:Agent)."""
    n = len(re.findall(r"^<" + re.escape(DECISION_NS), text, re.M)) + 1
    agent = curator_iri(d.curator)
    what = {"review-accepted": "accepted", "review-rejected": "rejected"}[d.decision]
    if d.status:
        what = "corrected to " + d.status.removeprefix("status-").replace("-", " ") + " and accepted"
    if d.replacement:
        what = f"replaced {d.replaced.rsplit('/', 1)[-1]} by {d.replacement.rsplit('/', 1)[-1]}" + (
            "" if d.replaced == d.node else " and accepted")
    label = f"{d.curator}: {what} {d.node.rsplit('/', 1)[-1]}"
    lines = [f"<{DECISION_NS}{doc_id}-{n}> a cd:CurationDecision", f"rdfs:label {lit(label, 'en')}",
             f"cd:decision cdc:{d.decision}", f"prov:used <{d.node}>", f"prov:wasAssociatedWith <{agent}>",
             f'prov:endedAtTime "{d.when}"^^xsd:dateTime']
    if d.status:
        lines.append(f"cd:correctedStatus cdc:{d.status}")
    if d.replacement:
        lines += [f"cd:replacedEntity <{d.replaced}>", f"cd:replacementEntity <{d.replacement}>"]
    out = text.rstrip("\n") + "\n"
    if f"\n<{agent}> a prov:Agent" not in out:
        out += f"\n<{agent}> a prov:Agent ; rdfs:label {lit(d.curator)} .\n"
    return out + "\n" + " ;\n    ".join(lines) + " .\n"


def recorded(text: str) -> list[Decision]:
    """The decisions recorded in a draft, in the order they were made."""
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError:
        return []
    by: dict[str, dict] = {}
    for q in quads:
        s = q.subject.value
        if isinstance(q.subject, ox.NamedNode) and (s.startswith(DECISION_NS) or s.startswith(CURATOR_NS)):
            by.setdefault(s, {})[q.predicate.value] = q.object.value
    out = []
    for s, p in sorted(((s, p) for s, p in by.items() if s.startswith(DECISION_NS)),
                       key=lambda sp: int(sp[0].rsplit("-", 1)[-1]) if sp[0].rsplit("-", 1)[-1].isdigit() else 0):
        agent = by.get(p.get(PROV + "wasAssociatedWith", ""), {})
        local = lambda v: v.rsplit("/", 1)[-1] if v else None  # noqa: E731
        out.append(Decision(p.get(PROV + "used", ""), local(p.get(CD + "decision")) or "", agent.get(
            "http://www.w3.org/2000/01/rdf-schema#label", ""), p.get(PROV + "endedAtTime", ""),
            local(p.get(CD + "correctedStatus")), p.get(CD + "replacedEntity"), p.get(CD + "replacementEntity")))
    return out


def replay(content: str, old: str, doc_id: str) -> str:
    """A fresh draft with the decisions recorded in the previous one applied and recorded again
    (a decision on a node the fresh draft no longer proposes is dropped), its digest renewed."""
    for d in recorded(old):
        try:
            content = record(apply(content, d), doc_id, d)
        except IntakeError:
            continue
    return with_digest(content)


def with_digest(text: str) -> str:
    """The draft with its intake digest renewed: what intake (and the curator's recorded decisions) wrote."""
    m = re.search("^" + re.escape(DIGEST_LINE) + r"[0-9a-f]{64}\n", text, re.M)
    if not m:
        return text
    rest = text[:m.start()] + text[m.end():]
    return text[:m.start()] + DIGEST_LINE + hashlib.sha256(rest.encode()).hexdigest() + "\n" + text[m.end():]
