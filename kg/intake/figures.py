"""Reported figures ('۱۳ شهر خواهرخوانده', 'پانزده خواهرخوانده', 'member of 9 networks', 'about 60
cities'): numbers in digits or words, the measure patterns of cues/figures.toml, the subject."""
from __future__ import annotations

import re

from kg.intake.candidates import Candidate, _in
from kg.intake.dates import DateMention
from kg.intake.mentions import Mention
from kg.intake.names import Entity

_FA_UNITS = {"یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "هفت": 7, "هشت": 8, "نه": 9, "ده": 10,
             "یازده": 11, "دوازده": 12, "سیزده": 13, "چهارده": 14, "پانزده": 15, "شانزده": 16, "هفده": 17,
             "هجده": 18, "هیجده": 18, "نوزده": 19, "بیست": 20, "سی": 30, "چهل": 40, "پنجاه": 50, "شصت": 60,
             "هفتاد": 70, "هشتاد": 80, "نود": 90, "صد": 100, "یکصد": 100, "دویست": 200, "سیصد": 300,
             "چهارصد": 400, "پانصد": 500, "ششصد": 600, "هفتصد": 700, "هشتصد": 800, "نهصد": 900}
_EN_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                        "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_EN_UNITS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                  "ninety": 90, "hundred": 100})
_SCALES = {"هزار": 1000, "میلیون": 1_000_000, "میلیارد": 1_000_000_000, "thousand": 1000, "million": 1_000_000}
_WORD = "|".join(sorted([*_FA_UNITS, *_EN_UNITS], key=len, reverse=True))
_SCALE = "|".join(_SCALES)
NUMBER = (rf"(?:\d[\d,]*(?:\.\d+)?|(?<![^\W\d_])(?:{_WORD})(?:(?:\s+و\s+|\s+and\s+|[\s-]+)(?:{_WORD}))*(?![^\W\d_]))"
          rf"(?:\s*(?:{_SCALE})(?![^\W\d_]))?")
_FA_ORD = {"اول": 1, "دوم": 2, "سوم": 3}
ORDINAL = rf"(?:\d+\s*(?:مین|st|nd|rd|th)|(?:{_WORD})(?:\s+و\s+(?:{_WORD}))*مین|(?:{'|'.join(_FA_ORD)})ین)"


def number_value(text: str) -> int | None:
    t = text.strip().lower()
    scale = 1
    for word, mult in _SCALES.items():
        if t.endswith(word):
            scale, t = mult, t[: -len(word)].strip()
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", t):
        return int(float(t.replace(",", "")) * scale)
    total = 0
    for w in re.split(r"\s+و\s+|\s+and\s+|[\s-]+", t):
        v = _FA_UNITS.get(w, _EN_UNITS.get(w))
        if v is None:
            return None
        total = total * v if v == 100 and total and total < 10 else total + v
    return total * scale if total or t in ("zero",) else None


def ordinal_value(text: str) -> int | None:
    t = re.sub(r"\s*(مین|st|nd|rd|th)$", "", text.strip())
    for fa, v in _FA_ORD.items():
        if t == fa + "ین":
            return v
    return number_value(t)


def _subject(kind: str, inside: list[Mention], before: list[Mention], home: Entity | None, gaz_entities: dict,
             at: int = 0) -> str | None:
    if kind == "programme":
        progs = [m for m in inside if m.entity.kind == "programme"] or [m for m in before if m.entity.kind == "programme"][-1:]
        return progs[0].entity.iri if progs else None
    if kind == "country":
        countries = [m for m in inside if m.entity.kind == "country"]
        if countries:
            return countries[0].entity.iri
        return home.country if home else None
    # The home city, or a city of its country, named before the number ('Kazan ... the number of these
    # cities reached 18' counts the home city's ties, not Kazan's).
    preceding = [m.entity for m in inside if m.start < at and (m.entity.kind == "city" or m.entity.governs)]
    cities = [gaz_entities.get(e.governs, e) if e.kind != "city" else e for e in preceding]
    if home is not None:
        if any(c.iri == home.iri for c in cities):
            return home.iri
        domestic = [c for c in cities if home.country and c.country == home.country]
        return domestic[-1].iri if domestic else home.iri
    return cities[-1].iri if cities else None


def figures(norm: str, span, ms: list[Mention], home: Entity | None, cues: dict, pub: DateMention | None,
            gaz_entities: dict) -> list[Candidate]:
    out = []
    inside, before = _in(ms, span), [m for m in ms if m.start < span[0]]
    text = norm[span[0]:span[1]]
    for measure in cues["figures"]["measures"]:
        found: list[tuple[int, bool, re.Match]] = []
        for pat in measure.get("patterns", []):
            for m in re.finditer(pat.replace("{n}", f"(?P<n>{NUMBER})"), text):
                v = number_value(m["n"])
                if v is not None:
                    found.append((v, False, m))
        for pat in measure.get("ordinal_patterns", []):
            for m in re.finditer(pat.replace("{o}", f"(?P<n>{ORDINAL})"), text):
                v = ordinal_value(m["n"])
                if v is not None and v > 1:
                    found.append((v - 1, True, m))
        for value, from_ordinal, m in found:
            s = span[0] + m.start("n")
            approx = bool(cues["approximate"].find(norm, max(span[0], s - 12), s))
            subject = _subject(measure["subject"], inside, before, home, gaz_entities, s)
            if subject is None:
                continue
            note = "an ordinal for a coming tie: the tally at the article's date is one less" if from_ordinal else ""
            out.append(Candidate("figure", {"subject": subject, "measure": measure["concept"], "value": value,
                                            "approximate": approx}, span, 0.5 if from_ordinal else 0.85, pub,
                                 inferred=from_ordinal, note=note))
    return out
