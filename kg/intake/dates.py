"""Dates in article text: Jalali (digits or month words: «۱۵ اسفند ۱۳۹۹», «مهرماه ۹۸», «ابتدای دی ماه
سال جاری»), Gregorian ('15 July 2020', 'July 2020', '2020-07-15') and weekday-relative ones
('last Monday', «شامگاه گذشته (دوشنبه)»). Anything resolved from context (a month without its year,
'this year', a weekday) is resolved against the publication date and marked inferred. An article
that prints no publication date still resolves 'this / next / last year' («سال جاری», «سال آینده»)
against the latest month it dates in full («تیرماه ۹۹»): it was written no earlier than that. Bare
months and weekdays stay unknown then: a lower bound does not say which week or which year.
Patterns run on the normalised text (kg.intake.normalise): ASCII digits, Persian yeh/kaf, no ZWNJ.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

import jdatetime

from kg.intake.cues import load
from kg.intake.normalise import fold

# Normalised spellings (alef-madda folded: آبان -> ابان).
JALALI_MONTHS = {"فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "شهریور": 6, "مهر": 7,
                 "ابان": 8, "اذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12}
GREGORIAN_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
GREGORIAN_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
WEEKDAYS_FA = {"شنبه": 5, "یکشنبه": 6, "دوشنبه": 0, "سه شنبه": 1, "سهشنبه": 1, "چهارشنبه": 2, "پنجشنبه": 3, "جمعه": 4}
WEEKDAYS_EN = {d.lower(): i for i, d in enumerate(calendar.day_name)}



def _alternation(words) -> str:
    """Cue words as printed -> a regex alternation on folded text (longest first, any spacing)."""
    return "|".join(sorted({re.escape(fold(w)).replace("\\ ", r"\s*") for w in words}, key=len, reverse=True))


@lru_cache(maxsize=1)
def _rules() -> SimpleNamespace:
    """Patterns built from kg/intake/cues/dates.toml, once per process."""
    c = load()["dates"]
    edges, rel = c["edges"], c["relative_years"]
    jm = "|".join(sorted(JALALI_MONTHS, key=len, reverse=True))
    gm = "|".join(sorted(GREGORIAN_MONTHS, key=len, reverse=True))
    rel_years = {fold(w).replace(" ", ""): step for step, name in ((0, "this"), (1, "next"), (-1, "last")) for w in rel[name]}
    return SimpleNamespace(
        # (edge)? day? month (ماه)? then (سال)? year or a relative year; a month needs a day, a year or 'ماه' to count
        jalali=re.compile(
            rf"(?:(?P<edge>{_alternation(edges['first'] + edges['last'] + edges['vague'])})\s*)?(?:(?P<day>\d{{1,2}})\s*)?(?:-\s*)?"
            rf"(?<![^\W\d_])(?P<month>{jm})(?:(?=ماه)|(?![^\W\d_]))(?P<mah>\s*ماه)?(?:\s*-?\s*(?:سال\s*)?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
            rf"|\s*(?P<rel>{_alternation(sum(rel.values(), []))})(?![^\W\d_]))?"),
        first={fold(w).replace(" ", "") for w in edges["first"]}, last={fold(w).replace(" ", "") for w in edges["last"]},
        rel_years=rel_years,
        range=re.compile(rf"\s*(?:{_alternation(c['ranges']['between'])})\s*"),
        greg=re.compile(rf"\b(?:(?P<d1>\d{{1,2}})\s*(?:-\s*)?(?P<m1>{gm})\.?\s*(?:-\s*)?,?\s*(?P<y1>\d{{4}})"
                        rf"|(?P<m2>{gm})\.?\s+(?:(?P<d2>\d{{1,2}}),?\s+)?(?P<y2>\d{{4}})"
                        rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}))\b"),
        weekday_fa=re.compile(rf"(?:{_alternation(c['weekdays']['fa_before'])})\s*\(?\s*(?P<wd>"
                              + "|".join(sorted(WEEKDAYS_FA, key=len, reverse=True)) + r")(?![^\W\d_])"),
        weekday_en=re.compile(rf"\b(?:{_alternation(c['weekdays']['en_before'])})\s+(?P<wd>" + "|".join(WEEKDAYS_EN) + r")\b"))


@dataclass(frozen=True)
class DateMention:
    start: int  # offsets in the normalised text
    end: int
    value: str  # ISO date, YYYY-MM or YYYY
    precision: str  # day | month | year
    jalali: tuple[int | None, int | None, int | None] | None
    inferred: bool
    note: str = ""


def _jalali_value(y: int, m: int, d: int | None) -> tuple[str, str]:
    if d:
        return jdatetime.date(y, m, d).togregorian().isoformat(), "day"
    return jdatetime.date(y, m, 1).togregorian().strftime("%Y-%m"), "month"


def _nearest_year(month: int, pub: dt.date) -> int:
    """The Jalali year whose `month` lies nearest the publication date."""
    jy = jdatetime.date.fromgregorian(date=pub).year
    return min((jy - 1, jy, jy + 1), key=lambda y: abs((jdatetime.date(y, month, 15).togregorian() - pub).days))


def _edge_day(edge: str | None, y: int, m: int) -> int | None:
    edge = re.sub(r"\s+", "", edge or "")
    if edge in _rules().first:
        return 1
    if edge in _rules().last:
        return 31 if m <= 6 else 30 if m <= 11 else (30 if jdatetime.date(y, 1, 1).isleap() else 29)
    return None


def anchor_year(norm: str) -> int | None:
    """The Jalali year of the latest date the text gives with month and year (day or month precision):
    the earliest year an undated article can have been written in."""
    dated = [d.jalali for d in find_dates(norm) if d.jalali and d.jalali[1] and not d.inferred]
    return max(dated)[0] if dated else None


def _year(m: re.Match, month: int, pub: dt.date | None, anchor: int | None) -> tuple[int, bool, str] | None:
    """The Jalali year of a date match, whether it was inferred, and how."""
    if m["year"]:
        y = int(m["year"])
        return (y if y >= 1000 else 1300 + y if y >= 50 else 1400 + y), False, ""
    rel = re.sub(r"\s+", "", m["rel"] or "")
    step = _rules().rel_years.get(rel, 0)
    if pub is not None:
        jy = jdatetime.date.fromgregorian(date=pub).year
        year = jy + step if rel else _nearest_year(month, pub)
        return year, True, "year resolved against the publication date"
    if anchor is not None and rel:
        return anchor + step, True, "year resolved against the latest month the undated article dates in full"
    return None


def find_dates(norm: str, pub: dt.date | None = None, anchor: int | None = None) -> list[DateMention]:
    """Dates in `norm`; `pub` the publication date, `anchor` (used only without one) the Jalali year
    relative years count from (anchor_year)."""
    found: list[DateMention] = []
    rules = _rules()
    matches = [m for m in rules.jalali.finditer(norm) if m["day"] or m["year"] or m["mah"] or m["rel"]]
    for i, m in enumerate(matches):
        month = JALALI_MONTHS[m["month"]]
        day = int(m["day"]) if m["day"] and 1 <= int(m["day"]) <= 31 else None
        resolved = _year(m, month, pub, anchor)
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        if not (m["year"] or m["rel"]) and nxt and (nxt["year"] or nxt["rel"]) and rules.range.fullmatch(norm[m.end():nxt.start()]):
            # «از دی ماه تا بهمن ماه سال جاری»: the start of a range takes the year of its end
            end = _year(nxt, JALALI_MONTHS[nxt["month"]], pub, anchor)
            if end is not None:
                year_end, inferred, note = end
                resolved = (year_end - (month > JALALI_MONTHS[nxt["month"]]), inferred or not nxt["year"], note or "year of the range's end")
        if resolved is None:
            continue  # a month with no year and no publication date: unknown stays unknown
        year, inferred, note = resolved
        if day is None and m["edge"]:
            day = _edge_day(m["edge"], year, month)
        try:
            value, precision = _jalali_value(year, month, day)
        except ValueError:
            continue
        found.append(DateMention(m.start(), m.end(), value, precision, (year, month, day), inferred, note))
    for m in rules.greg.finditer(norm):
        try:
            if m["iso"]:
                d = dt.date.fromisoformat(m["iso"])
                found.append(DateMention(m.start(), m.end(), d.isoformat(), "day", None, False))
                continue
            mon = GREGORIAN_MONTHS[(m["m1"] or m["m2"]).lower()]
            year, day = int(m["y1"] or m["y2"]), m["d1"] or m["d2"]
            if day:
                found.append(DateMention(m.start(), m.end(), dt.date(year, mon, int(day)).isoformat(), "day", None, False))
            else:
                found.append(DateMention(m.start(), m.end(), f"{year:04d}-{mon:02d}", "month", None, False))
        except ValueError:
            continue
    if pub is not None:
        for rx, names in ((rules.weekday_fa, WEEKDAYS_FA), (rules.weekday_en, WEEKDAYS_EN)):
            for m in rx.finditer(norm):
                wd = names[re.sub(r"\s+", " ", m["wd"])] if names is WEEKDAYS_EN else names.get(m["wd"], names.get(m["wd"].replace(" ", "")))
                back = (pub.weekday() - wd) % 7 or 7  # the last such weekday before the publication day
                d = pub - dt.timedelta(days=back)
                found.append(DateMention(m.start(), m.end(), d.isoformat(), "day", None, True,
                                         "weekday resolved to the last one before the publication date"))
    return sorted(found, key=lambda d: d.start)


_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def publication_date(norm: str, chrome: tuple[str, ...] = ("امروز", "برابر با", "today")) -> DateMention | None:
    """The article's own date: the first full date in the opening lines that is not page chrome
    ('امروز : یکشنبه - ۴ اذر - ۱۴۰۳' is the day the page was saved, not published)."""
    offset = 0
    for line in norm[:1500].split("\n"):
        stripped = line.strip(" •:-\t")
        if not stripped.startswith(chrome):
            for d in find_dates(line):
                if d.precision == "day" and not d.inferred:
                    return DateMention(offset + d.start, offset + d.end, d.value, d.precision, d.jalali, False,
                                       "clock" if _CLOCK.search(line) else "")
        offset += len(line) + 1
    return None
