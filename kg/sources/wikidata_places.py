"""Administrative bodies named by Wikidata's P190 twin links: a second gazetteer for the places
GeoNames' populated places do not have (municipalities, districts, boroughs, local councils).

Every item at either end of a P190 ("twinned administrative body") link is, by the property's
definition, an administrative territorial entity, and the vendored links give its QID, English
label, country and coordinates (data/wikidata-twin-cities, CC0). A reference that no GeoNames
place explains is identified as such an item when its name (a variant kept by the same rules as for
GeoNames) is the item's label, in the same country, within NEAR_KM of the item's point, and no
other item of that name is near: the item's QID is then the place's identity
(place:wd-<QID>, typed cd:AdministrativeDivision, never cd:City: GeoNames, not Wikidata, is where
the graph learns that a place is a city).

The source folder says which file and columns to read (source.toml, [places_index]).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kg.sources.gazetteer import Gazetteer, distance_km, name_key


@dataclass(frozen=True)
class WikidataPlace:
    qid: str
    name: str
    country: str | None  # ISO 3166-1 alpha-2
    lat: float
    lon: float


class WikidataPlaces:
    """QID -> place, and (country, name key) -> places, from the P190 link file."""

    def __init__(self, places: dict[str, WikidataPlace]):
        self.places = places
        self._by_key: dict[tuple[str | None, str], list[WikidataPlace]] = {}
        for p in places.values():
            self._by_key.setdefault((p.country, name_key(p.name)), []).append(p)

    @classmethod
    def from_source(cls, folder: Path, spec: dict, gaz: Gazetteer) -> "WikidataPlaces":
        """spec: {file = "...", ends = [[qid, name, country, lat, lon], ...]} (column names)."""
        places: dict[str, WikidataPlace] = {}
        with (folder / spec["file"]).open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                for qid_c, name_c, cc_c, lat_c, lon_c in spec["ends"]:
                    qid, name = (rec.get(qid_c) or "").strip(), (rec.get(name_c) or "").strip()
                    try:
                        lat, lon = float(rec[lat_c]), float(rec[lon_c])
                    except (KeyError, TypeError, ValueError):
                        continue  # no point, no identification by distance
                    if qid and name and qid not in places:
                        places[qid] = WikidataPlace(qid, name, gaz.country_code(rec.get(cc_c)), lat, lon)
        return cls(places)

    def near(self, name: str, cc: str | None, lat: float, lon: float, km: float) -> list[tuple[float, WikidataPlace]]:
        """Items labelled `name` in country `cc` within `km` of the point, nearest first."""
        found = [(distance_km(lat, lon, p.lat, p.lon), p) for p in self._by_key.get((cc, name_key(name)), ())]
        return sorted((x for x in found if x[0] <= km), key=lambda x: x[0])


def divisions_from_sources(sources, gaz: Gazetteer) -> WikidataPlaces | None:
    """The index of the (first) source whose source.toml has a [places_index] table, else None."""
    for src in sources:
        spec = src.meta.get("places_index")
        if spec:
            return WikidataPlaces.from_source(src.folder, spec, gaz)
    return None
