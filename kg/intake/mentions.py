"""Names in an article: every run of words the gazetteer knows (longest first), plus unknown
places proposed as new entities where the text marks them as cities («شهر X», 'the city of X',
'X in <known country>'), with the country the text gives."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.sources import slug
from kg.intake.names import Entity, Gazetteer
from kg.intake.normalise import tokens

ID = "https://w3id.org/cdkg/id/"
# Words that look like names after 'شهر' but are not ('شهر جهانی', 'شهر هوشمند').
_NOT_NAMES = {"جهانی", "هوشمند", "خلاق", "اسلامی", "ما", "خود", "دیگر", "های", "ها", "خواهرخوانده", "دوستدار",
              "توسعه", "یافته", "همکار", "بزرگ", "تاریخی", "مقصد", "از", "با", "در", "به", "که", "و", "را", "برای",
              "the", "a", "our", "their", "its"}


# Words that follow 'شهرداری' without being a city's name (function words, 'region', 'centre', ...).
_MUNICIPAL_WORDS = {"ها", "های", "منطقه", "کل", "مرکز", "کلانشهر", "کلانشهرها", "شهر", "برای", "نیز", "هم", "کشور",
                    "استان", "تهران", "مناطق", "درصدد", "توانست", "میتواند", "باید", "است", "بود", "اقدام", "همچنین",
                    "نشان", "موفق", "گام", "خود", "ما"}


@dataclass
class Mention:
    start: int  # normalised offsets
    end: int
    entity: Entity
    new: bool = False  # proposed by the article, unknown to the graph


def _new_city(name: str, lang: str, country: Entity | None) -> Entity:
    return Entity(f"{ID}place/{slug(name)}", "city", {lang: name}, country.iri if country else None)


def find_mentions(norm: str, gaz: Gazetteer, lang: str, source: str = "", to_source=None) -> list[Mention]:
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
    found += _unknown_cities(norm, found, lang, source, to_source)
    return sorted(found, key=lambda m: m.start)


def _country_at(found: list[Mention], pos: int, limit: int = 4) -> Entity | None:
    for m in found:
        if m.entity.kind == "country" and pos <= m.start <= pos + limit:
            return m.entity
    return None


def _unknown_cities(norm: str, known: list[Mention], lang: str, source: str = "", to_source=None) -> list[Mention]:
    covered = [(m.start, m.end) for m in known]

    def capitalised(name: str, s: int) -> str:
        """The leading words of an English name that the source writes with a capital."""
        if not to_source:
            return name
        a, b = to_source(s, s + len(name))
        kept = []
        for word in source[a:b].split():
            if not word[:1].isupper():
                break
            kept.append(word)
        return " ".join(kept).lower()

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in covered)

    out: list[Mention] = []

    def propose(name: str, s: int, lang_: str, country: Entity | None, label: str) -> None:
        if not free(s, s + len(name)):
            return
        out.append(Mention(s, s + len(name), _new_city(label, lang_, country), new=True))
        covered.append((s, s + len(name)))

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
            if name.split()[0] in _NOT_NAMES:
                continue
            propose(name, s, "fa", country, name.strip())
        # 'شهرداری X' / 'شهردار X': X is a city with a municipality (often the article's own city)
        # when the text puts it after 'شهر', 'شهردار' or 'شهرداری' at least twice (once is more often
        # 'شهرداری موفق', 'شهرداری نشان از ...' than a name)
        for m in re.finditer(r"(?<![^\W\d_])شهرداری?\s+([^\W\d_]{3,})", norm):
            word = m.group(1)
            if word not in _NOT_NAMES and word not in _MUNICIPAL_WORDS and \
                    len(re.findall(rf"(?<![^\W\d_])(?:شهر|شهردار|شهرداری|استانداری)\s+{re.escape(word)}(?![^\W\d_])", norm)) >= 2:
                propose(word, m.start(1), "fa", None, word)
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
            name = capitalised(re.split(r"\s+(?:and|in|on|with|to|for|the|has|have|had|was|is|signed)\b", name)[0], s)
            if name in _NOT_NAMES or len(name) < 3:
                continue
            propose(name, s, "en", country, name.title())
        for m in re.finditer(r"\b([a-z][a-z'\-]{2,})\s+(?:municipality|city\s+council)\b|\bmayor\s+of\s+([a-z][a-z'\-]{2,})", norm):
            name = m.group(1) or m.group(2)
            name = capitalised(name, m.start(1) if m.group(1) else m.start(2))
            if name not in _NOT_NAMES and len(name) >= 3:
                propose(name, m.start(1) if m.group(1) else m.start(2), "en", None, name.title())
    # Every other occurrence of a proposed name is a mention of the same new entity.
    for first in list(out):
        name = norm[first.start:first.end]
        for m in re.finditer(rf"(?<![^\W\d_]){re.escape(name)}(?![^\W\d_])", norm):
            if free(m.start(), m.end()):
                out.append(Mention(m.start(), m.end(), first.entity, new=True))
                covered.append((m.start(), m.end()))
    return out


def home_city(mentions: list[Mention], gaz: Gazetteer) -> Entity | None:
    """The city the article is about: the most named city, counting its municipality's mentions."""
    counts: Counter[str] = Counter()
    new: dict[str, Entity] = {}
    for m in mentions:
        if m.entity.kind == "city" and not m.new:
            counts[m.entity.iri] += 1
        elif m.entity.kind == "city" and m.entity.country is None:  # a new city the article does not place abroad
            counts[m.entity.iri] += 1
            new[m.entity.iri] = m.entity
        elif m.entity.governs and m.entity.governs in gaz.entities:
            counts[m.entity.governs] += 2  # 'شهرداری اصفهان' names the city whose municipality speaks
    if not counts:
        return None
    best = counts.most_common(1)[0][0]
    return gaz.entities.get(best) or new[best]
