"""Place reconciliation: one node per real place, whatever source names it.

A place named in a source row (name, country, maybe coordinates and a Wikidata id) is resolved to
- a node already in the graph (the curated seed places: place:isfahan...), when the gazetteer puts
  both on the same GeoNames entry;
- a GeoNames city (place:gn-<geonameid>), matched on name variants within the country, then by
  distance to the source's coordinates, or (without coordinates) by a clearly dominant population;
- a country (the partner is a whole country) or a region (an ISO 3166-2 subdivision, or a name
  that says so: "County Clare", "Akkol District");
- otherwise its own unmatched node, listed for review with the candidates. Ambiguous names
  (Valencia, Granada) and coordinates far from every candidate (Vex) are never guessed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from kg.sources.gazetteer import City, Gazetteer, distance_km, name_key, slug, subdivision_keys
from kg.sources.wikidata_places import WikidataPlaces
from kg.sources.admin_places import AdminPlaces
from kg.core import CD

NEAR_KM = 30.0        # a candidate this close to the source's coordinates is the place
FAR_KM = 100.0        # an only candidate farther than this is not taken (wrong coordinates?)
DOMINANCE = 5.0       # without coordinates, the top candidate must be this many times as populous
WRONG_POINT_KM = 1000.0  # the only namesake in the named country this far off: the source's point is wrong
QUALIFIER_KM = 60.0   # a place named as qualifier ("Mitte (Hamburg)") must be this close to the candidate
SAME_POINT_KM = 2.0   # a populated GeoNames place this close to a Wikidata item's point is that item
SMALL_KM = 10.0       # a small place with no bigger namesake anywhere must be this close (the hamlet
                      # Rushmoor, Surrey lies 13 km from the point of the borough of Rushmoor)

CITY, REGION, COUNTRY, DISTRICT, PLACE, DIVISION = (CD + c for c in ("City", "Region", "Country", "District", "Place",
                                                                    "AdministrativeDivision"))
_REGION_WORDS = {"county", "district", "province", "prefecture", "region", "oblast", "raion", "rayon",
                 "governorate", "department", "departement", "voivodeship", "canton", "krai", "okrug"}
_DISTRICT_WORDS = {"borough", "arrondissement"}
_SUFFIXES = re.compile(r"^(city of|town of|municipality of)\s+|\s+(municipality|city|town|kommune|commune|gemeinde)$", re.I)


class RowError(ValueError):
    """A row cannot be imported (missing name, unknown country, bad number): reported and skipped."""


@dataclass(frozen=True)
class PlaceQuery:
    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    wikidata: str | None = None
    unmatched_class: str = PLACE


@dataclass
class Resolution:
    iri: str
    cls: str | None           # class to assert (None: an existing node keeps its own types)
    status: str               # seed | gazetteer | country | region | division | unmatched
    method: str
    country: str | None = None
    city: City | None = None
    existing: bool = False    # a node that was already in the graph (seed)
    candidates: list[City] = field(default_factory=list)


@dataclass(frozen=True)
class SeedPlace:
    """A place already in the graph (curated), with what is known about it."""
    iri: str
    cls: str
    labels: tuple[str, ...]
    country: str | None  # ISO code of its cd:inCountry, when asserted


@dataclass
class ReviewItem:
    source: str
    file: str
    row: int
    name: str
    country: str
    lat: float | None
    lon: float | None
    node: str
    reason: str
    candidates: list[tuple[City, float | None]]
    rows: int = 1


_BUDAPEST = re.compile(r"Budapest ([IVXL]+)\.?")
_PART = " – "  # the Wikipedia lists' "Container – Part": a city's district, a town in its municipality
_KIND_WORDS = _REGION_WORDS | _DISTRICT_WORDS | {"gmina", "rural", "municipality", "commune", "township", "urban"}


def _variants(name: str) -> list[str]:
    out = [name]
    inner = " ".join(re.findall(r"\((.*?)\)", name)).casefold()
    # "Jing'an (Shanghai)" may be matched as Jing'an; "Limanowa (rural gmina)" is not the town Limanowa
    if "(" in name and not set(re.findall(r"\w+", inner)) & _KIND_WORDS:
        out.append(re.sub(r"\s*\(.*?\)\s*", " ", name).strip())
    if "," in name:
        out.append(name.split(",")[0].strip())
    if "/" in name:
        out.append(name.split("/")[0].strip())
    container, _, part = name.partition(_PART)
    # "Berlin – Steglitz-Zehlendorf", "Joniškis – Žagarė": the part, in the container; not the
    # district "Bonn – Bonn", which is part of the city Bonn, not the city
    if part.strip() and name_key(part) != name_key(container):
        out.append(part.strip())
    stripped = _SUFFIXES.sub("", name).strip()
    if stripped and stripped != name:
        out.append(stripped)
    # "Budapest XV" (the lists' name of a district) is GeoNames' "Budapest XV. kerület"
    district = _BUDAPEST.fullmatch(re.sub(r"\s*\(Budapest\)$", "", name))
    if district:
        out.append(f"Budapest {district.group(1)}. kerület")
    return [v for i, v in enumerate(out) if v and v not in out[:i]]


def _dominant(cands: list[City]) -> City | None:
    ranked = sorted(cands, key=lambda c: -c.population)
    if len(ranked) == 1:
        return ranked[0]
    top, second = ranked[0], ranked[1]
    return top if top.population > 0 and top.population >= DOMINANCE * max(second.population, 1) else None


def _by_main_name(cands: list[City], name: str | None) -> list[City]:
    """Candidates whose main GeoNames name is the name asked for, when some are (a place named
    'Porto Viro' over one that merely has it as an alternate name); otherwise all of them."""
    if not name or len(cands) < 2:
        return cands
    key = name_key(name)
    main = [c for c in cands if name_key(c.name) == key]
    return main or cands


def decide(cands: list[City], lat: float | None, lon: float | None, name: str | None = None,
           far_ok: bool = True, country_given: bool = False, precise: bool = False) -> tuple[City | None, str]:
    """Pick the one candidate the evidence supports, or None with the reason. far_ok=False (a name
    with a qualifier) refuses a candidate beyond NEAR_KM; country_given lets a namesake in the named
    country be taken when the source's point is WRONG_POINT_KM or more from every candidate; precise
    (a point given to three decimals or more) refuses a namesake beyond NEAR_KM: such a point is
    the place itself, so a namesake 30-100 km off is another place (Lengnau AG is not Lengnau BE)."""
    if lat is None or lon is None:
        cands = _by_main_name(cands, name)
        best = _dominant(cands)
        if best:
            return best, "only candidate" if len(cands) == 1 else f"most populous of {len(cands)} by {DOMINANCE:g}x or more"
        return None, f"ambiguous: {len(cands)} candidates and no coordinates to choose"
    dists = sorted(((distance_km(lat, lon, c.lat, c.lon), c) for c in cands), key=lambda x: x[0])
    near = [(d, c) for d, c in dists if d <= NEAR_KM]
    if len(near) == 1:
        return near[0][1], f"{near[0][0]:.0f} km from the source's coordinates"
    if len(near) > 1:
        # sections of a city carry no population: the places themselves do
        near = [(d, c) for d, c in near if c.population > 0] or near
        if len(near) == 1:
            return near[0][1], f"{near[0][0]:.0f} km from the source's coordinates (the only populated candidate near)"
        if near[0][0] * 3 <= near[1][0]:
            return near[0][1], f"nearest of {len(near)} within {NEAR_KM:g} km ({near[0][0]:.0f} km, the next {near[1][0]:.0f} km)"
        main = _by_main_name([c for _, c in near], name)
        if len(main) == 1:
            d = next(d for d, c in near if c is main[0])
            return main[0], f"the one of {len(near)} within {NEAR_KM:g} km with this main name ({d:.0f} km)"
        best = _dominant([c for _, c in near])
        if best:
            d = next(d for d, c in near if c is best)
            return best, f"most populous of {len(near)} within {NEAR_KM:g} km ({d:.0f} km)"
        return None, f"ambiguous: {len(near)} candidates within {NEAR_KM:g} km"
    # a far namesake only when it bears the name itself: "Alagoas" (a state) is an alternate name
    # of the town Marechal Deodoro 73 km away, "Molenbeek" of Molenbeek-Wersbeek
    if len(dists) == 1 and dists[0][0] <= FAR_KM and far_ok and not precise and name_key(dists[0][1].name) == name_key(name or ""):
        return dists[0][1], f"only candidate, {dists[0][0]:.0f} km from the source's coordinates"
    if country_given and dists[0][0] >= WRONG_POINT_KM:
        # "Christchurch, England" placed in New Zealand: the name and the country agree, the point does not
        best = _dominant(_by_main_name(cands, name))
        if best:
            d = next(d for d, c in dists if c is best)
            return best, f"the source's coordinates are {d:.0f} km off; the only namesake in the named country"
    return None, f"coordinates {dists[0][0]:.0f} km from the nearest of {len(dists)} candidate(s)"


def _decimals(x: float) -> int:
    """Decimals the source gave (the shortest repr of a parsed decimal is its text): 40 -> 1, 47.5167 -> 4."""
    text = repr(x)
    return len(text.split(".", 1)[1]) if "." in text and "e" not in text else 0


def _qualifier(name: str, variant: str) -> str | None:
    """The qualifier a variant dropped: "Hamburg" for "Mitte (Hamburg)", "Aargau" for "Lengnau, Aargau"."""
    if variant == name:
        return None
    inner = re.findall(r"\((.*?)\)", name)
    if inner and variant == re.sub(r"\s*\(.*?\)\s*", " ", name).strip():
        return " ".join(inner).strip() or None
    for sep in (",", "/"):
        if sep in name and variant == name.split(sep)[0].strip():
            return name.split(sep, 1)[1].strip() or None
    if _PART in name and variant == name.split(_PART, 1)[1].strip():
        return name.split(_PART, 1)[0].strip() or None
    return None


class Reconciler:
    """Resolves place references to node IRIs; remembers what it matched and what needs review."""

    def __init__(self, gazetteer: Gazetteer, base_iri: str, seeds: list[SeedPlace] = (),
                 divisions: WikidataPlaces | None = None, admin: AdminPlaces | None = None):
        self.gaz = gazetteer
        self.divisions = divisions  # Wikidata's twinned administrative bodies, for what GeoNames lacks
        self.admin = admin          # the countries-states-cities database: the last resort
        self.admin_matched: dict[str, object] = {}  # node IRI -> database entry, for its graph
        self.place_ns = f"{base_iri}id/place/"
        self.cities: dict[int, str] = {}          # geonameid -> node IRI, for every matched city
        self.countries: dict[str, str] = {}       # ISO code -> node IRI, for every country used
        self.existing_countries: set[str] = set()
        self.seed_by_gid: dict[int, SeedPlace] = {}
        self.seed_match: dict[str, tuple[City | None, str]] = {}
        self._seed_by_key: dict[str, list[SeedPlace]] = {}
        self._cache: dict[PlaceQuery, Resolution] = {}
        self._wikidata: dict[str, Resolution] = {}
        for s in seeds:
            if s.cls == COUNTRY:
                for label in s.labels:
                    cc = gazetteer.is_country_name(label)
                    if cc and cc not in self.countries:
                        self.countries[cc] = s.iri
                        self.existing_countries.add(cc)
        for s in seeds:
            if s.cls == COUNTRY:
                continue
            for label in s.labels:
                self._seed_by_key.setdefault(name_key(label), []).append(s)
            city, how = self._match_seed(s)
            self.seed_match[s.iri] = (city, how)
            if city and city.geonameid not in self.seed_by_gid:
                self.seed_by_gid[city.geonameid] = s
                self.cities[city.geonameid] = s.iri

    # -- seeds ---------------------------------------------------------------------------------
    def _match_seed(self, s: SeedPlace) -> tuple[City | None, str]:
        if s.cls not in (CITY, DISTRICT):
            return None, "not a city"
        # Every label (English, variants, Persian) is evidence: a label that settles the match
        # (the Persian سمرقند names only Samarkand, Uzbekistan, where "Samarkand" is also an old
        # name of Temirtau) is taken unless another label settles on a different place.
        decided: dict[int, tuple[City, str]] = {}
        reasons = []
        for label in s.labels:
            cands = self.gaz.candidates(label, s.country)
            if not cands:
                continue
            city, how = decide(cands, None, None, label)
            if city:
                decided.setdefault(city.geonameid, (city, f"seed label '{label}': {how}"))
            else:
                reasons.append(f"'{label}': {how}")
        if len(decided) == 1:
            return next(iter(decided.values()))
        if len(decided) > 1:
            return None, "labels point to different places: " + ", ".join(str(g) for g in decided)
        return None, "; ".join(reasons) or "no gazetteer entry for its labels"

    # -- IRIs ------------------------------------------------------------------------------------
    def country_iri(self, cc: str) -> str:
        if cc not in self.countries:
            self.countries[cc] = f"{self.place_ns}country-{cc.lower()}"
        return self.countries[cc]

    def _city_iri(self, city: City) -> tuple[str, bool]:
        if city.geonameid in self.seed_by_gid:
            return self.seed_by_gid[city.geonameid].iri, True
        return self.cities.setdefault(city.geonameid, f"{self.place_ns}gn-{city.geonameid}"), False

    def _unmatched_iri(self, name: str, cc: str | None, lat: float | None, lon: float | None) -> str:
        base = f"{self.place_ns}unmatched-{(cc or 'xx').lower()}-{slug(name)}"
        if lat is None or lon is None:
            return base
        where = hashlib.sha1(f"{lat:.1f},{lon:.1f}".encode()).hexdigest()[:6]
        return f"{base}-{where}"

    # -- resolution ------------------------------------------------------------------------------
    def _smaller_at_point(self, name: str, cc: str | None, lat: float, lon: float, km: float = NEAR_KM) -> City | None:
        small = [c for c in self.gaz.smaller().candidates(name, cc)
                 if c.population < self.gaz.min_population and distance_km(lat, lon, c.lat, c.lon) <= km]
        if len(small) != 1:
            return None
        self.gaz.cities.setdefault(small[0].geonameid, small[0])  # so the gazetteer graph can describe it
        return small[0]

    def _qualifier_fits(self, qualifier: str, city: City, cc: str | None) -> bool:
        """A qualifier that is a city of the country must lie near the candidate ("Mitte (Hamburg)" is
        not Berlin-Mitte); a qualifier that names no city (a canton, a region, a kind) restricts nothing."""
        places = [c for c in self.gaz.candidates(qualifier, cc or city.country) if c.population > 0]
        return not places or any(distance_km(p.lat, p.lon, city.lat, city.lon) <= QUALIFIER_KM for p in places)

    def _division(self, name: str, cc: str | None, q: PlaceQuery) -> Resolution | None:
        """The Wikidata administrative body a reference GeoNames cannot explain names, if exactly one
        fits: the reference's own QID, or the item of that label in the country within NEAR_KM of the
        point (the qualifier, if any, near it too). An item whose own reference is a GeoNames place,
        a region or a country is that place, not a second node for it."""
        if self.divisions is None or q.lat is None or q.lon is None:
            return None
        own = self.divisions.places.get(q.wikidata) if q.wikidata else None
        if own is not None and (own.country == cc or cc is None):
            item, how = own, "the source's own Wikidata id"
        else:
            found = self._entries_near(self.divisions, name, cc, q, lambda p: p.qid)
            if len(found) != 1:
                return None
            d, item, variant = next(iter(found.values()))
            how = f"label '{item.name}', {d:.0f} km from the source's coordinates" + ("" if variant == name else f" (as '{variant}')")
        itself = self._resolve(PlaceQuery(item.name, item.country, item.lat, item.lon), identify_divisions=False)
        if itself.status != "unmatched" or self._populated_place_there(item.name, item.lat, item.lon):
            return None
        return Resolution(f"{self.place_ns}wd-{item.qid}", DIVISION, "division",
                          f"Wikidata {item.qid}: {how}; a twinned administrative body (P190) no GeoNames populated place explains",
                          cc or item.country)

    def _entries_near(self, index, name: str, cc: str | None, q: PlaceQuery, ident) -> dict:
        """ident(entry) -> (km, entry, variant): the entries of a secondary gazetteer (`index.near(name,
        cc, lat, lon, km)`: Wikidata items, the countries-states-cities database) named by a variant of
        `name` in the country within NEAR_KM of the point, whose qualifier, if the variant dropped one, fits."""
        found: dict = {}
        for variant in _variants(name):
            qualifier = _qualifier(name, variant)
            for d, p in index.near(variant, cc, q.lat, q.lon, NEAR_KM):
                here = City(0, p.name, p.country or "", p.lat, p.lon, 0)
                if qualifier and not self._qualifier_fits(qualifier, here, cc):
                    continue
                found.setdefault(ident(p), (d, p, variant))
        return found

    def _admin_place(self, name: str, cc: str | None, q: PlaceQuery) -> Resolution | None:
        """The last resort, the countries-states-cities database: kg/sources/admin_match.py (imported
        here because it builds on this module)."""
        from kg.sources.admin_match import identify
        return identify(self, name, cc, q)

    def _cells_of(self) -> dict[tuple[int, int], list[City]]:
        if not hasattr(self, "_cells"):
            self._cells: dict[tuple[int, int], list[City]] = {}
            for c in self.gaz.cities.values():
                self._cells.setdefault((int(c.lat * 10), int(c.lon * 10)), []).append(c)
        return self._cells

    def _populated_place_there(self, name: str, lat: float, lon: float, same_point_km: float | None = SAME_POINT_KM,
                               key: str | None = None) -> bool:
        """A GeoNames place that is probably this item under another country or another name: one of
        the same name within NEAR_KM in any country (Wikidata files Konstanz under CH, Mexicali under
        the US by their points), a populated one within `same_point_km` whatever its name (Kötzting at
        Bad Kötzting's point; None: not asked), or one within 5 km whose name begins the item's name
        (its `key`, name_key(name) unless given) or the reverse (Rottenburg / Rottenburg am Neckar)."""
        key = name_key(name) if key is None else key
        if any(distance_km(lat, lon, c.lat, c.lon) <= NEAR_KM for c in self.gaz.smaller().candidates(name)):
            return True
        y, x = int(lat * 10), int(lon * 10)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for c in self._cells_of().get((y + dy, x + dx), ()):
                    d = distance_km(lat, lon, c.lat, c.lon)
                    if same_point_km is not None and d <= same_point_km and c.population > 0:
                        return True
                    k = name_key(c.name)
                    if len(k) >= 4 and (key.startswith(k) or k.startswith(key)) and d <= 5:
                        return True
        return False

    def _smaller_anywhere(self, name: str, cc: str | None, q: PlaceQuery) -> Resolution | None:
        """A name no GeoNames place of 1000+ people bears: the one smaller place of that name (500-999
        people, or an administrative seat GeoNames gives no population) within SMALL_KM of the source's
        point, a variant's qualifier fitting."""
        if q.lat is None or q.lon is None:
            return None
        for variant in _variants(name):
            small = self._smaller_at_point(variant, cc, q.lat, q.lon, SMALL_KM)
            if small is None:
                continue
            qualifier = _qualifier(name, variant)
            if qualifier and not self._qualifier_fits(qualifier, small, cc):
                continue
            iri, existing = self._city_iri(small)
            via = "" if variant == name else f" (as '{variant}')"
            return Resolution(iri, None if existing else CITY, "seed" if existing else "gazetteer",
                              f"GeoNames {small.geonameid}{via}: {distance_km(q.lat, q.lon, small.lat, small.lon):.0f} km from the "
                              f"source's coordinates (in GeoNames' places of 500+ people or seats, not of {self.gaz.min_population}+)",
                              small.country, small, existing, [small])
        return None

    def resolve(self, q: PlaceQuery) -> Resolution:
        """Resolve one reference; raises RowError for what makes the row unusable."""
        if q in self._cache:
            return self._cache[q]
        res = self._resolve(q)
        if q.wikidata and res.status == "unmatched":
            # Two spellings the gazetteer does not know ("Ambelokipi-Menemeni", "Ampelokipoi-Menemeni")
            # with one Wikidata id are one place. A matched reference never merges this way: the
            # source's ids are not always right (it gives "Lyon Metropole" the id of the city of Lyon).
            res = self._wikidata.setdefault(q.wikidata, res)
        self._cache[q] = res
        return res

    def _resolve(self, q: PlaceQuery, identify_divisions: bool = True) -> Resolution:
        name = (q.name or "").strip()
        if not name:
            raise RowError("missing place name")
        cc = None
        if q.country and q.country.strip():
            cc = self.gaz.country_code(q.country)
            if cc is None:
                raise RowError(f"unknown country '{q.country}'")
        elif "," in name:  # "Varna, Bulgaria" with the country column empty
            head, tail = name.rsplit(",", 1)
            if self.gaz.country_code(tail):
                name, cc = head.strip(), self.gaz.country_code(tail)
        whole = self.gaz.is_country_name(name)
        for variant in _variants(name):
            cands = self.gaz.candidates(variant, cc)
            if not cands:
                continue
            qualifier = _qualifier(name, variant)
            # the point cannot be wrong if it lies in the named country (Whittier, Alaska is not Whittier, California)
            point_outside = cc is not None and q.lat is not None and cc not in self.gaz.countries_near(q.lat, q.lon)
            city, how = decide(cands, q.lat, q.lon, variant, far_ok=qualifier is None, country_given=point_outside,
                               precise=q.lat is not None and min(_decimals(q.lat), _decimals(q.lon)) >= 3)
            if q.lat is not None and (city is None and how.startswith("coordinates") or city is not None and how.startswith("only candidate,")):
                # a bigger namesake far away, or a smaller place of this name at the point (Dürnau, Parcé)?
                small = self._smaller_at_point(variant, cc, q.lat, q.lon)
                if small is not None:
                    city, how = small, (f"{distance_km(q.lat, q.lon, small.lat, small.lon):.0f} km from the source's coordinates "
                                        f"(a place of fewer than {self.gaz.min_population} people; no namesake of more is near)")
            if city is not None and qualifier and not self._qualifier_fits(qualifier, city, cc):
                city, how = None, f"the qualifier '{qualifier}' names a place more than {QUALIFIER_KM:g} km from the candidate"
            if city is None:
                if whole and (cc is None or cc == whole):
                    break  # "Singapore" far from any city Singapore: the country itself
                sub = subdivision_keys().get((cc, name_key(name))) if cc else None
                if sub:  # "Alagoas": a state, not the town that has it as an alternate name
                    return Resolution(f"{self.place_ns}region-{sub[0].lower()}", REGION, "region",
                                      f"ISO 3166-2 {sub[0]} ({sub[1]})", cc)
                division = (self._division(name, cc, q) or self._admin_place(name, cc, q)) \
                    if identify_divisions and how.startswith("coordinates") else None
                return division or Resolution(self._unmatched_iri(name, cc, q.lat, q.lon), q.unmatched_class, "unmatched",
                                              how, cc, candidates=cands)
            iri, existing = self._city_iri(city)
            via = "" if variant == name else f" (as '{variant}')"
            return Resolution(iri, None if existing else CITY, "seed" if existing else "gazetteer",
                              f"GeoNames {city.geonameid}{via}: {how}", city.country, city, existing, cands)
        if whole and (cc is None or cc == whole):
            iri = self.country_iri(whole)
            return Resolution(iri, None if whole in self.existing_countries else COUNTRY, "country",
                              "the name is a country's", whole, existing=whole in self.existing_countries)
        if cc:
            sub = subdivision_keys().get((cc, name_key(name)))
            if sub:
                return Resolution(f"{self.place_ns}region-{sub[0].lower()}", REGION, "region",
                                  f"ISO 3166-2 {sub[0]} ({sub[1]})", cc)
        words = set(re.findall(r"\w+", name.casefold()))
        if words & _REGION_WORDS:
            return Resolution(f"{self.place_ns}region-{(cc or 'xx').lower()}-{slug(name)}", REGION, "region",
                              "the name says it is a region", cc)
        if words & _DISTRICT_WORDS:
            return Resolution(f"{self.place_ns}district-{(cc or 'xx').lower()}-{slug(name)}", DISTRICT, "region",
                              "the name says it is a district", cc)
        for s in self._seed_by_key.get(name_key(name), ()):
            if s.country is None or cc is None or s.country == cc:
                return Resolution(s.iri, None, "seed", "seed label (no gazetteer entry)", cc or s.country, existing=True)
        found = self._smaller_anywhere(name, cc, q) or \
            (self._division(name, cc, q) or self._admin_place(name, cc, q) if identify_divisions else None)
        return found or Resolution(self._unmatched_iri(name, cc, q.lat, q.lon), q.unmatched_class, "unmatched",
                                   "no gazetteer entry, country or region of this name", cc)
