"""The last resort of place reconciliation (docs/reconciliation.md, step 6): a reference nothing
else explains is the one entry of the countries-states-cities database (kg/sources/admin_places.py)
of its name in its country near its point, unless GeoNames has that entry under its own name.
Called by Reconciler._admin_place, last, with the same name variants and qualifier rules as GeoNames."""
from __future__ import annotations

from kg.sources.admin_places import KOREAN_KIND
from kg.sources.gazetteer import name_key
from kg.sources.reconcile import DIVISION, FAR_KM, PLACE, PlaceQuery, Reconciler, Resolution, _decimals


def identify(rec: Reconciler, name: str, cc: str | None, q: PlaceQuery) -> Resolution | None:
    """The one entry of the countries-states-cities database
    of that name (a variant, its qualifier fitting) in the country within NEAR_KM of the point,
    which GeoNames does not explain (its own name, country and point match no GeoNames place, and
    no GeoNames place of that name, or whose name begins it, is near it)."""
    if rec.admin is None or q.lat is None or q.lon is None or cc is None:
        return None
    found = rec._entries_near(rec.admin, name, cc, q, lambda p: p.id)
    if not found and min(_decimals(q.lat), _decimals(q.lon)) < 3:
        # a coarse point (a region's centre: Moreton Bay at -27.25, 153.25), as in decide(): the
        # only entry of the name itself in the country, within FAR_KM
        only = rec.admin.near(name, cc, q.lat, q.lon, 20000.0)
        if len(only) == 1 and only[0][0] <= FAR_KM:
            found[only[0][1].id] = (only[0][0], only[0][1], name)
    if len(found) != 1:
        return None  # none, or two entries of the name near the point: never a guess
    d, p, variant = next(iter(found.values()))
    itself = rec._resolve(PlaceQuery(p.name, p.country, p.lat, p.lon), identify_divisions=False)
    if itself.status != "unmatched" or geonames_has(rec, p.name, p.lat, p.lon):
        return None
    division = rec.admin.is_division(p)
    rec.admin_matched[f"{rec.place_ns}csc-{p.id}"] = p
    via = "" if variant == name else f" (as '{variant}')"
    # the database never says an entry is a populated place: cd:Place unless it is a division
    return Resolution(f"{rec.place_ns}csc-{p.id}", DIVISION if division else PLACE, "admin",
                      f"countries-states-cities {p.id} '{p.name}'{via}: {d:.0f} km from the source's coordinates, "
                      "not a GeoNames populated place; " + ("an administrative division" if division else "kind not given"), cc)


def geonames_has(rec: Reconciler, name: str, lat: float, lon: float) -> bool:
    """A GeoNames place (500+) of this name within NEAR_KM in any country, or one within 5 km whose
    name begins this name (without a Korean kind suffix) or the reverse: the database entry is then
    that place, not a second one."""
    return rec._populated_place_there(name, lat, lon, same_point_km=None, key=name_key(KOREAN_KIND.sub("", name)))
