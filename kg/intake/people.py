"""People and posts the graph does not know yet: 'Ali Rezaei, the mayor of Tabriz, said',
'Mayor of Tabriz Ali Rezaei', «شهردار تبریز، علی رضایی، گفت». A post is the title words of
cues/roles.toml followed by a place or organisation the text names; the person is the two or
three capitalised (English) or plain (Persian) words set off beside it by commas."""
from __future__ import annotations

import bisect
import re

from kg.sources import slug
from kg.intake.candidates import Candidate, _sentence_of
from kg.intake.mentions import ID, Mention
from kg.intake.names import Entity, Gazetteer
from kg.intake.normalise import Normalised, cue_pattern, key

_NAME_EN = r"(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2})"
_STOP_FA = {"گفت", "در", "با", "به", "از", "که", "و", "این", "شهر", "شهرداری", "اظهار", "افزود", "تصریح"}


def _title_alternation(titles: list[str], english: bool) -> str:
    words = sorted((t for t in titles if t.isascii() == english), key=len, reverse=True)
    return "|".join(re.escape(w) if english else cue_pattern(w) for w in words)


def _to_norm(norm: Normalised, source_pos: int) -> int:
    return bisect.bisect_left(norm.origin, source_pos)


def _person(name: str, lang: str, gaz: Gazetteer) -> tuple[Entity, bool]:
    known = [e for e in gaz.lookup(key(name)) if e.kind == "person"]
    if known:
        return known[0], False
    return Entity(f"{ID}person/{slug(name)}", "person", {lang: name}), True


def _post(title: str, place: Entity, lang: str, gaz: Gazetteer, whole_title: bool = False) -> tuple[Entity, bool]:
    place_name = place.labels.get(lang) or place.labels.get("en") or place.labels.get("") or ""
    if whole_title:
        label = title.strip()
    else:
        label = f"{title.strip().capitalize()} of {place_name}" if lang == "en" else f"{title.strip()} {place_name}"
    known = [e for e in gaz.lookup(key(label)) if e.kind == "post"]
    if known:
        return known[0], False
    return Entity(f"{ID}post/{slug(label)}", "post", {lang: label}), True


def new_people(text: str, norm: Normalised, spans, ms: list[Mention], gaz: Gazetteer, titles: list[str],
               lang: str) -> tuple[list[Candidate], list[Entity]]:
    """Tenures with at least one side unknown to the graph, and the new entities they name."""
    places = [m for m in ms if m.entity.kind in ("city", "org", "country")]
    found, new = [], []

    def place_at(norm_pos: int) -> Mention | None:
        return next((m for m in places if norm_pos <= m.start <= norm_pos + 2), None)

    def add(name: str, title: str, place: Mention, s: int, e: int, whole_title: bool = False) -> None:
        person, p_new = _person(name, lang, gaz)
        post, q_new = _post(title, place.entity, lang, gaz, whole_title)
        if not (p_new or q_new):
            return  # both known: kg.intake.candidates.tenures proposes it
        new.extend(x for x, is_new in ((person, p_new), (post, q_new)) if is_new)
        span = _sentence_of(spans, _to_norm(norm, s))
        found.append(Candidate("tenure", {"holder": person.iri, "post": post.iri}, span, 0.6,
                               note="new " + " and ".join(w for w, n in (("person", p_new), ("post", q_new)) if n)))

    if lang == "en":
        tl = _title_alternation(titles, True)
        for m in re.finditer(rf"{_NAME_EN},\s+(?:the\s+)?(?P<title>{tl})\s+of\s+(?:the\s+)?", text, re.I):
            if not m["name"][0].isupper():
                continue
            place = place_at(_to_norm(norm, m.end()))
            if place:
                add(m["name"], m["title"].lower(), place, m.start(), m.end())
        for m in re.finditer(rf"\b(?P<title>{tl})\s+of\s+(?:the\s+)?", text, re.I):
            place = place_at(_to_norm(norm, m.end()))
            if not place:
                continue
            after = text[norm.origin[place.end - 1] + 1:]
            nm = re.match(rf",?\s+{_NAME_EN}\b", after)
            if nm:
                add(nm["name"], m["title"].lower(), place, m.start(), m.end())
    else:
        tl = _title_alternation(titles, False)
        for m in re.finditer(rf"(?<![^\W\d_])(?P<title>{tl})\s+", norm.text):
            # the post runs from the title to the first place or organisation named within a few
            # words ('مشاور امور بین الملل شهرداری یزد'), then the person is set off by commas
            place = next((p for p in places if m.end() <= p.start <= m.end() + 50
                          and not re.search(r"[،,.:؛\n]", norm.text[m.end():p.start])), None)
            if not place:
                continue
            after = norm.text[place.end:place.end + 60]
            nm = re.match(r"\s*[،,:]\s*((?:[^\W\d_]+\s+){1,2}[^\W\d_]+)\s*(?:[،,]|\s+گفت|\s+اظهار)", after)
            if nm and not set(nm.group(1).split()) & _STOP_FA:
                s, e = norm.span(place.end + nm.start(1), place.end + nm.end(1))
                ps, pe = norm.span(m.start(), place.end)
                add(text[s:e], text[ps:pe], place, norm.origin[m.start()], e, whole_title=True)
    return found, new
