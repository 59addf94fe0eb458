"""Names in an article: every run of words the gazetteer knows (longest first), plus unknown
places proposed as new entities where the text marks them as cities («شهر X», 'the city of X',
'X in <known country>'), with the country the text gives."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.gazetteer import slug
from kg.intake.names import Entity, Gazetteer
from kg.intake.normalise import tokens

ID = "https://w3id.org/cdkg/id/"
# Words that look like names after 'شهر' but are not ('شهر جهانی', 'شهر هوشمند').
_NOT_NAMES = {"جهانی", "هوشمند", "خلاق", "اسلامی", "ما", "خود", "دیگر", "های", "ها", "خواهرخوانده", "دوستدار",
              "توسعه", "یافته", "همکار", "بزرگ", "تاریخی", "مقصد", "the", "a", "our", "their", "its"}


@dataclass
class Mention:
    start: int  # normalised offsets
    end: int
    entity: Entity
    new: bool = False  # proposed by the article, unknown to the graph


def _new_city(name: str, lang: str, country: Entity | None) -> Entity:
    return Entity(f"{ID}place/{slug(name)}", "city", {lang: name}, country.iri if country else None)


def find_mentions(norm: str, gaz: Gazetteer, lang: str) -> list[Mention]:
    toks = tokens(norm)
    words = [t[0] for t in toks]
    found: list[Mention] = []
    i = 0
    while i < len(toks):
        hit = gaz.find(words, i)
        if hit:
            end, entities = hit
            # Several entities share a name: prefer a city, then a country, then anything.
            e = sorted(entities, key=lambda x: ("city", "country", "post", "network").index(x.kind)
                       if x.kind in ("city", "country", "post", "network") else 9)[0]
            found.append(Mention(toks[i][1], toks[end - 1][2], e))
            i = end
        else:
            i += 1
    found += _unknown_cities(norm, found, lang)
    return sorted(found, key=lambda m: m.start)


def _country_at(found: list[Mention], pos: int, limit: int = 4) -> Entity | None:
    for m in found:
        if m.entity.kind == "country" and pos <= m.start <= pos + limit:
            return m.entity
    return None


def _unknown_cities(norm: str, known: list[Mention], lang: str) -> list[Mention]:
    covered = [(m.start, m.end) for m in known]

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in covered)

    out: list[Mention] = []
    if lang == "fa":
        # «شهر «X»» or 'شهر X <country>' (one or two words before a known country)
        rx = re.compile(r"شهر\s*«([^»]{2,30})»|شهر\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)(?=\s+(?:در\s+)?[^\W\d_])")
        for m in rx.finditer(norm):
            name, s = (m.group(1), m.start(1)) if m.group(1) else (m.group(2), m.start(2))
            e = s + len(name)
            if m.group(2):
                country = _country_at(known, e + 1, 4)
                if country is None:  # without a country the words after 'شهر' are too often not a name
                    continue
            else:
                country = _country_at(known, m.end() + 1, 4)
            if name.split()[0] in _NOT_NAMES or not free(s, e):
                continue
            out.append(Mention(s, e, _new_city(name.strip(), "fa", country), new=True))
            covered.append((s, e))
    else:
        rx = re.compile(r"(?:the\s+)?city\s+of\s+([a-z][a-z'\-]+(?:\s+[a-z][a-z'\-]+)?)|([a-z][a-z'\-]+)(?:,|\s+in)\s+(?=[a-z])")
        for m in rx.finditer(norm):
            if m.group(1):
                name, s = m.group(1), m.start(1)
                country = _country_at(known, m.end(1) + 1, 6)
            else:
                name, s = m.group(2), m.start(2)
                country = _country_at(known, m.end(2) + 1, 5)
                if country is None:
                    continue
            name = re.split(r"\s+(?:and|in|on|with|to|for|the|has|have|had|was|is|signed)\b", name)[0]
            e = s + len(name)
            if name in _NOT_NAMES or len(name) < 3 or not free(s, e):
                continue
            out.append(Mention(s, e, _new_city(name.title(), "en", country), new=True))
            covered.append((s, e))
    return out


def home_city(mentions: list[Mention], gaz: Gazetteer) -> Entity | None:
    """The city the article is about: the most named city, counting its municipality's mentions."""
    counts: Counter[str] = Counter()
    for m in mentions:
        if m.entity.kind == "city" and not m.new:
            counts[m.entity.iri] += 1
        elif m.entity.governs and m.entity.governs in gaz.entities:
            counts[m.entity.governs] += 2  # 'شهرداری اصفهان' names the city whose municipality speaks
    if not counts:
        return None
    return gaz.entities[counts.most_common(1)[0][0]]
