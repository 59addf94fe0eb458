"""Dates in article text: Jalali (digits or month words: «۱۵ اسفند ۱۳۹۹», «مهرماه ۹۸», «ابتدای دی ماه
سال جاری»), Gregorian ('15 July 2020', 'July 2020', '2020-07-15') and weekday-relative ones
('last Monday', «شامگاه گذشته (دوشنبه)»). Anything resolved from context (a month without its year,
'this year', a weekday) is resolved against the publication date and marked inferred.
Patterns run on the normalised text (kg.intake.normalise): ASCII digits, Persian yeh/kaf, no ZWNJ.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import jdatetime

# Normalised spellings (alef-madda folded: آبان -> ابان).
JALALI_MONTHS = {"فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "شهریور": 6, "مهر": 7,
                 "ابان": 8, "اذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12}
GREGORIAN_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
GREGORIAN_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
WEEKDAYS_FA = {"شنبه": 5, "یکشنبه": 6, "دوشنبه": 0, "سه شنبه": 1, "سهشنبه": 1, "چهارشنبه": 2, "پنجشنبه": 3, "جمعه": 4}
WEEKDAYS_EN = {d.lower(): i for i, d in enumerate(calendar.day_name)}

_JM = "|".join(sorted(JALALI_MONTHS, key=len, reverse=True))
# day? month (ماه)? (سال)? year?  -- a month needs a day, a year or 'ماه' to count as a date
_JALALI = re.compile(
    rf"(?:(?P<edge>ابتدای|اول|اوایل|اواسط|اواخر|پایان|انتهای|اخر)\s*)?(?:(?P<day>\d{{1,2}})\s*)?(?:-\s*)?"
    rf"(?<![^\W\d_])(?P<month>{_JM})(?:(?=ماه)|(?![^\W\d_]))(?P<mah>\s*ماه)?(?:\s*-?\s*(?:سال\s*)?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
    rf"|\s*(?P<rel>سال\s*جاری|سال\s*اینده|سال\s*گذشته|امسال|سال\s*قبل))?")
_GM = "|".join(sorted(GREGORIAN_MONTHS, key=len, reverse=True))
_GREG = re.compile(rf"\b(?:(?P<d1>\d{{1,2}})\s*(?:-\s*)?(?P<m1>{_GM})\.?\s*(?:-\s*)?,?\s*(?P<y1>\d{{4}})"
                   rf"|(?P<m2>{_GM})\.?\s+(?:(?P<d2>\d{{1,2}}),?\s+)?(?P<y2>\d{{4}})"
                   rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}))\b")
_WEEKDAY_FA = re.compile(r"(?:گذشته|دیروز|روز)\s*\(?\s*(?P<wd>" + "|".join(sorted(WEEKDAYS_FA, key=len, reverse=True)) + r")(?![^\W\d_])")
_WEEKDAY_EN = re.compile(r"\b(?:last|on|this\s+past)\s+(?P<wd>" + "|".join(WEEKDAYS_EN) + r")\b")


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
    if edge in ("ابتدای", "اول"):
        return 1
    if edge in ("پایان", "انتهای", "اخر"):
        return 31 if m <= 6 else 30 if m <= 11 else (30 if jdatetime.date(y, 1, 1).isleap() else 29)
    return None


def find_dates(norm: str, pub: dt.date | None = None) -> list[DateMention]:
    found: list[DateMention] = []
    for m in _JALALI.finditer(norm):
        month = JALALI_MONTHS[m["month"]]
        if not (m["day"] or m["year"] or m["mah"] or m["rel"]):
            continue
        day = int(m["day"]) if m["day"] and 1 <= int(m["day"]) <= 31 else None
        inferred, note = False, ""
        if m["year"]:
            y = int(m["year"])
            year = y if y >= 1000 else 1300 + y if y >= 50 else 1400 + y
        elif pub is not None:
            jy = jdatetime.date.fromgregorian(date=pub).year
            rel = re.sub(r"\s+", " ", m["rel"] or "")
            year = {"سال اینده": jy + 1, "سال گذشته": jy - 1, "سال قبل": jy - 1}.get(rel, jy if rel else None)
            year = year or _nearest_year(month, pub)
            inferred, note = True, "year resolved against the publication date"
        else:
            continue  # a month with no year and no publication date: unknown stays unknown
        if day is None and m["edge"]:
            day = _edge_day(m["edge"], year, month)
        try:
            value, precision = _jalali_value(year, month, day)
        except ValueError:
            continue
        found.append(DateMention(m.start(), m.end(), value, precision, (year, month, day), inferred, note))
    for m in _GREG.finditer(norm):
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
        for rx, names in ((_WEEKDAY_FA, WEEKDAYS_FA), (_WEEKDAY_EN, WEEKDAYS_EN)):
            for m in rx.finditer(norm):
                wd = names[re.sub(r"\s+", " ", m["wd"])] if rx is _WEEKDAY_EN else names.get(m["wd"], names.get(m["wd"].replace(" ", "")))
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
