"""Persian/English text normalisation that remembers where each character came from.

Matching runs on a normalised copy (Arabic yeh/kaf -> Persian, ZWNJ and diacritics and tatweel
dropped, alef variants folded, Persian and Arabic-Indic digits -> ASCII, Latin lower-cased); every
hit is mapped back to offsets in the stored text, so a quote is always the stored text's own slice.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_MAP = {"ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "\u00a0": " ", "\u200f": "", "\u200e": "", "\u200c": "", "\u200d": "", "\u0640": "", "\ufeff": "",
        "٬": ",", "،": "،", "’": "'", "‘": "'", "ʼ": "'"}
for _i, (_fa, _ar) in enumerate(zip("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")):
    _MAP[_fa] = _MAP[_ar] = str(_i)
# Arabic harakat, superscript alef, Quranic marks: never part of a name's identity.
_DIACRITIC = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Normalised:
    text: str
    origin: tuple[int, ...]  # origin[i] = offset in the source of normalised char i; origin[len] = len(source)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets of the normalised slice [start, end)."""
        return self.origin[start], (self.origin[end - 1] + 1 if end > start else self.origin[start])


def normalise(source: str) -> Normalised:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(source):
        if _DIACRITIC.match(ch):
            continue
        out = _MAP.get(ch)
        if out is None:
            if not ch.isascii() and ch.isalpha():  # Latin diacritics: 'Kraków' -> 'krakow'
                ch = unicodedata.normalize("NFKD", ch)[0]
            low = ch.lower()
            out = low if len(low) == 1 else ch
        for c in out:  # at most one char: the mapping never grows the text
            chars.append(c)
            origin.append(i)
    origin.append(len(source))
    return Normalised("".join(chars), tuple(origin))


def fold(text: str) -> str:
    """The normalised form alone (for dictionary entries: labels, cue words)."""
    if text.isascii():  # most of the graph's labels: nothing to map but the case
        return text.lower()
    return normalise(text).text


def key(text: str) -> str:
    """What names are compared by: the normalised tokens joined without spaces, so 'بین الملل',
    'بین‌الملل' and 'بینالملل' (all seen in news text) meet."""
    return "".join(TOKEN.findall(fold(text)))


def tokens(norm: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(norm)]


def cue_pattern(phrase: str) -> str:
    """A regex for a cue phrase that tolerates the spacing variants of Persian compounds."""
    words = TOKEN.findall(fold(phrase))
    return r"\s*".join(re.escape(w) for w in words)
