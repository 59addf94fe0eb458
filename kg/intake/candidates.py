"""Candidate facts from one sentence at a time: agreements (pair, kind, status), memberships,
posts held, events. Rules over the cue dictionaries and the names found; no per-article cases."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.intake.dates import DateMention
from kg.intake.mentions import Mention
from kg.intake.names import Entity

PLACES = ("city",)


@dataclass
class Candidate:
    kind: str  # agreement | membership | tenure | figure | event | date
    fields: dict
    sentence: tuple[int, int]  # normalised offsets of the sentence it came from
    confidence: float
    date: DateMention | None = None
    inferred: bool = False
    note: str = ""
    quotes: list[tuple[int, int]] = field(default_factory=list)  # further sentences saying the same

    def identity(self) -> tuple:
        """What makes two candidates the same fact ('about' or not, a figure is the same figure)."""
        return (self.kind, tuple(sorted((k, v if isinstance(v, (str, int, float)) else repr(v))
                                        for k, v in self.fields.items() if k != "approximate")))


def sentences(norm: str) -> list[tuple[int, int]]:
    """Sentence spans: split at . ! ? ؟ and line breaks (Persian reports rarely use ';')."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?؟](?=\s|$)|\n+", norm):
        end = m.end() if m.group() != "\n" and not m.group().startswith("\n") else m.start()
        if norm[start:end].strip():
            s = start + len(norm[start:end]) - len(norm[start:end].lstrip())
            spans.append((s, end))
        start = m.end()
    if norm[start:].strip():
        spans.append((start + len(norm[start:]) - len(norm[start:].lstrip()), len(norm)))
    return spans


def _in(ms: list[Mention], span: tuple[int, int]) -> list[Mention]:
    return [m for m in ms if span[0] <= m.start < span[1]]


def agreements(norm: str, span, ms: list[Mention], home: Entity | None, cues: dict, pub: DateMention | None,
               dates: list[DateMention]) -> list[Candidate]:
    if home is None:
        return []
    kinds = [(s, e, k) for k, (_, _, cs) in cues["kinds"].items() for s, e in cs.find(norm, *span)]
    if not kinds:
        return []
    found = {k: cs.find(norm, *span) for k, (_, cs) in cues["statuses"].items()}
    statuses = [k for k, hits in found.items() if hits]
    if any(cues["statuses"][k][0] for k in statuses) and "status-signed" in statuses:
        statuses.remove("status-signed")  # 'will be signed soon' is not 'signed'
    names_home = any(m.entity.iri == home.iri or m.entity.governs == home.iri for m in _in(ms, span))
    inside = [d for d in dates if span[0] <= d.start < span[1]]
    date = next((d for d in inside if not d.inferred), inside[0] if inside else None)  # a printed date first
    out = []
    seen = set()
    for m in _in(ms, span):
        e = m.entity
        if e.kind not in PLACES or e.iri == home.iri or e.iri in seen:
            continue
        if e.country and home.country and e.country == home.country:
            continue  # a domestic city named beside the home city is not its partner
        seen.add(e.iri)
        s, _, kind = min(kinds, key=lambda k: abs(k[0] - m.start))
        concept, default, _ = cues["kinds"][kind]
        conf = 0.85 if names_home else 0.65
        for status in statuses or [default]:
            c = conf if statuses else conf - 0.25
            fields = {"partyA": home.iri, "partyB": e.iri, "kind": concept, "status": status}
            # Without a date in the sentence the status holds at the article's date (as curated by hand).
            out.append(Candidate("agreement", fields, span, round(c, 2), date or pub,
                                 note="" if statuses else "no status cue: the text calls it a tie of this kind"))
    return out


def memberships(norm: str, span, ms: list[Mention], home: Entity | None, cues: dict) -> list[Candidate]:
    nets = [m for m in _in(ms, span) if m.entity.kind == "network"]
    if not nets:
        return []
    status = None
    for name in ("candidate", "joined", "member"):
        hits = [h for h in cues["membership"][name].find(norm, *span)
                if not norm[max(span[0], h[0] - 12):h[0]].rstrip().endswith(cues["membership_not_after"])]
        if hits:
            status = name
            break
    if status is None:
        return []
    out = []
    for n in nets:
        # The members are the places named before the network in the sentence ('Krakow, like Isfahan,
        # is on the list of ...'); a municipality stands for its city; with none, the home city.
        members = []
        for m in _in(ms, span):
            if m.start >= n.start:
                break
            iri = m.entity.iri if m.entity.kind == "city" else m.entity.governs
            if iri and iri not in members:
                members.append(iri)
        if not members and home is not None:
            members = [home.iri]
        for member in members:
            out.append(Candidate("membership", {"member": member, "organization": n.entity.iri, "status": status},
                                 span, 0.8))
    return out


def tenures(norm: str, spans, ms: list[Mention], cues: dict) -> list[Candidate]:
    """A person named right before or after a post ('X، شهردار اصفهان', 'شهردار اصفهان:\nX گفت'),
    also across a line break (a title line above the lead)."""
    out = []
    for i, m in enumerate(ms):
        if m.entity.kind != "post":
            continue
        for other in (ms[i - 1] if i else None, ms[i + 1] if i + 1 < len(ms) else None):
            if other is None or other.entity.kind != "person":
                continue
            gap = norm[other.end:m.start] if other.start < m.start else norm[m.end:other.start]
            if re.fullmatch(r"[\s،,:\-–]*", gap):
                span = _sentence_of(spans, min(m.start, other.start))
                end = _sentence_of(spans, max(m.end, other.end) - 1)
                out.append(Candidate("tenure", {"holder": other.entity.iri, "post": m.entity.iri}, (span[0], end[1]), 0.9))
                break
    return out


def _sentence_of(spans, pos: int) -> tuple[int, int]:
    return next((s for s in spans if s[0] <= pos < s[1]), (pos, pos + 1))


def speaker_posts(norm: str, spans, ms: list[Mention], cues: dict, found: list[Candidate]) -> list[Candidate]:
    """A post that speaks ('شهردار اصفهان تصریح کرد') with no name beside it, in an article whose
    lead names one person not otherwise given a post: that person holds it (inferred)."""
    has_post = {c.fields["holder"] for c in found if c.kind == "tenure"}
    given = {c.fields["post"] for c in found if c.kind == "tenure"}
    people = [m for m in ms if m.entity.kind == "person"]
    if not people:
        return []
    lead = people[0].entity
    out = []
    for span in spans:
        for m in _in(ms, span):
            if m.entity.kind != "post" or m.entity.iri in given or lead.iri in has_post:
                continue
            after = norm[m.end:min(span[1], m.end + 25)]
            if cues["speech"].regex.match(after.lstrip(" ،:")) and not any(
                    p.entity.kind == "person" and abs(p.start - m.end) < 25 for p in _in(ms, span)):
                out.append(Candidate("tenure", {"holder": lead.iri, "post": m.entity.iri}, span, 0.55, inferred=True,
                                     note="the post speaks without a name; the person is the one the article's lead names"))
                given.add(m.entity.iri)
    return out


def events(norm: str, span, ms: list[Mention], cues: dict, dates: list[DateMention], publisher: Entity | None = None) -> list[Candidate]:
    skip = publisher.iri if publisher else None  # the agency reporting it is not a participant
    parties = sorted({m.entity.iri for m in _in(ms, span) if m.entity.kind in ("city", "org", "network") and m.entity.iri != skip})
    if not parties:
        return []
    date = next((d for d in dates if span[0] <= d.start < span[1]), None)
    for kind, cs in cues["events"].items():
        if kind != "signing" and cs.find(norm, *span):
            return [Candidate("event", {"eventKind": kind, "participants": tuple(parties)}, span, 0.5, date)]
    return []
