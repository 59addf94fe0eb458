"""Jalali (Solar Hijri) dates as printed in Persian sources -> Gregorian, keeping the precision."""
from __future__ import annotations

import re
from dataclasses import dataclass

import jdatetime

MONTHS = {"فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "شهریور": 6,
          "مهر": 7, "آبان": 8, "آذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12}
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Arabic yeh/kaf and ZWNJ vary in Persian text ("تير" vs "تیر").
_NORMALISE = str.maketrans({"ي": "ی", "ك": "ک", "\u200c": " "})


@dataclass(frozen=True)
class JalaliDate:
    year: int | None
    month: int | None
    day: int | None

    @property
    def precision(self) -> str:
        if self.year is None:
            return "unknown"
        return "day" if self.day else "month" if self.month else "year"

    def gregorian(self) -> str | None:
        """ISO date (day precision), YYYY-MM of the month's first day, or the year of 1 Farvardin."""
        if self.year is None:
            return None
        g = jdatetime.date(self.year, self.month or 1, self.day or 1).togregorian()
        return {"day": g.isoformat(), "month": g.strftime("%Y-%m"), "year": str(g.year)}[self.precision]


def parse_jalali(text: str) -> JalaliDate:
    """Parse '۲۵ تیر ۱۳۹۹', 'مهر ۹۸', '۲۸ دی ماه', '1400'. Two-digit years are 13xx (as in '۹۸')."""
    t = text.translate(_DIGITS).translate(_NORMALISE)
    month = next((n for name, n in MONTHS.items() if re.search(rf"(^|\s){name}(\s|ماه|$)", t)), None)
    t = re.sub(r"\d+:\d+", "", t)  # a clock time is not part of the date
    numbers = [int(n) for n in re.findall(r"\d+", t)]
    year = next((n for n in numbers if n >= 1000), None)
    if year is None and month is not None:
        after = re.search(r"(?:" + "|".join(MONTHS) + r")(?:\s*ماه)?\s*(?:سال\s*)?(\d{2})(?!\d)", t)
        year = 1300 + int(after.group(1)) if after else None
    day = None
    if month is not None:
        before_month = re.split("|".join(MONTHS), t, maxsplit=1)[0]
        day = next((int(n) for n in re.findall(r"\d+", before_month) if 1 <= int(n) <= 31), None)
    return JalaliDate(year, month, day)
