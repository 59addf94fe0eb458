"""Vendor the public source files from ../shared/data into data/, keeping only what licences allow.

    python -m kg.sources.vendor            # rewrites data/<source>/ data files from ../shared/data

- twin-towns-wikipedia: the MIT-licensed CSV, unchanged, with its licence text (data/.../LICENSE).
- unesco-creative-cities: city, category and link only. The Description column is UNESCO's text and
  is not republished; the one fact taken from it is the country it names, written to a `country`
  column (with `country_method`), so the build never needs the description.
- eurocities: the JSON of members with their Wikidata ids, coordinates and population (Wikidata, CC0).
- wikidata-twin-cities: the Wikidata facts only (QID, English label, coordinates, country code of
  each city; the P190 pairs), joined into one row per link in the upstream order. The compilation
  (bothness/twin-cities) has no licence; Wikidata's facts are CC0. The map-style country name and
  the continent (from a boundary file, not Wikidata) are left out.
- network-members: the hand-compiled fact tables (city, network, year, role, source URL), unchanged.
- country-names-fa: Persian country names from pycountry's iso-codes translation (no ../shared file).
This runs once when a source is refreshed, by a developer who has ../shared; the build only reads data/.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from pathlib import Path

import pycountry

from kg.core import CdkgError
from kg.sources.gazetteer import load_gazetteer
from kg.core import data_dir, shared_dir

# Names UNESCO's texts use for countries besides the ISO ones. "New Mexico" and the like are listed
# so that the longest match wins and they are not read as the country they contain.
_EXTRA_NAMES = {
    "Republic of Korea": "KR", "Korea": "KR", "Iran": "IR", "Russian Federation": "RU", "Russia": "RU",
    "Türkiye": "TR", "Turkey": "TR", "UK": "GB", "United Kingdom": "GB", "England": "GB", "Scotland": "GB", "Wales": "GB",
    "USA": "US", "United States": "US", "United States of America": "US", "Viet Nam": "VN", "Vietnam": "VN",
    "Czechia": "CZ", "Czech Republic": "CZ", "Bolivia": "BO", "Venezuela": "VE", "Tanzania": "TZ", "Moldova": "MD",
    "Syria": "SY", "Palestine": "PS", "Laos": "LA", "Côte d’Ivoire": "CI", "Côte d'Ivoire": "CI", "Ivory Coast": "CI",
    "Macao": "MO", "Macau": "MO", "Taiwan": "TW",
    "New Mexico": "", "New South Wales": "", "New England": "", "Guinea-Bissau": "GW", "Papua New Guinea": "PG",
}
_COMMON_WORDS = {"Chile", "Turkey", "Jersey", "Georgia", "Jordan", "Chad", "Niger", "Guinea"}  # only with a capital, not at a sentence start


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v:
                names[v] = c.alpha_2
    names.update(_EXTRA_NAMES)
    return names


def countries_named(text: str, city: str) -> list[str]:
    """ISO codes of the countries a text names, in order, ignoring the city's own name ("Port of Spain")."""
    names = _country_names()
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    masked = text.replace(city, " " * len(city)) if city else text
    out: list[str] = []
    for m in pattern.finditer(masked):
        name = m.group(1)
        if name in _COMMON_WORDS and re.search(r"(^|[.!?]\s+)$", masked[: m.start()]):
            continue
        cc = names[name]
        if cc and cc not in out:
            out.append(cc)
    return out


def unesco_country(city: str, description: str, gazetteer) -> tuple[str, str]:
    """(country name, method) or ('', '') when the description does not settle it."""
    named = countries_named(description, city)
    from kg.sources.reconcile import _variants
    where = {c.country for v in _variants(city) for c in gazetteer.candidates(v)}
    if where:
        fits = [cc for cc in named if cc in where]
        if len(fits) == 1:
            return gazetteer.country_name(fits[0]), "named in the description, a gazetteer city of this name is there"
        return "", ""
    if len(named) == 1:
        return gazetteer.country_name(named[0]), "the only country named in the description (no gazetteer entry)"
    return "", ""


def vendor_unesco(src: Path, dest: Path) -> int:
    gaz = load_gazetteer(1000)
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with dest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["city", "category", "link", "country", "country_method"])
        for r in rows:
            country, method = unesco_country(r["City Name"].strip(), r["Description"], gaz)
            w.writerow([r["City Name"].strip(), r["Category"].strip(), r["Link"].strip(), country, method])
    return len(rows)


WIKIDATA_TWIN_COLUMNS = ["qid1", "name1", "country1", "lat1", "lng1", "qid2", "name2", "country2", "lat2", "lng2"]


def vendor_wikidata_twins(src: Path, dest: Path) -> int:
    """links.tsv joined with nodes.tsv: row N of the output is row N of links.tsv (its attestation)."""
    def rows(path: Path) -> list[dict]:
        with path.open(encoding="utf-8", newline="") as fh:  # keep_default_na does not apply: "NA" is Namibia
            return list(csv.DictReader(fh, delimiter="\t"))
    nodes = {r["id"]: r for r in rows(src / "nodes.tsv")}
    links = rows(src / "links.tsv")
    with dest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(WIKIDATA_TWIN_COLUMNS)
        for link in links:
            a, b = nodes[link["source"]], nodes[link["target"]]
            w.writerow([a["id"], a["name"], a["countrycd"], a["lat"], a["lng"],
                        b["id"], b["name"], b["countrycd"], b["lat"], b["lng"]])
    return len(links)


def vendor_country_names_fa(target: Path) -> int:
    """Persian names of the countries (iso-codes' Persian translation, shipped with pycountry) as
    rdfs:label @fa of the country nodes the reconciler makes (place:country-<iso>); countries the
    curated data define (place:iran...) have their own Persian labels and are left out."""
    import gettext

    from kg.core import parse_file
    fa = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fa"])
    gaz = load_gazetteer(1000)
    curated = set()
    for f in sorted((target / "seed-articles").glob("*.ttl")):
        triples = list(parse_file(f))
        countries = {t.subject.value for t in triples if t.predicate.value.endswith("#type") and t.object.value.endswith("#Country")}
        for t in triples:
            if t.subject.value in countries and t.predicate.value.endswith("#label") and getattr(t.object, "language", None) == "en":
                cc = gaz.is_country_name(t.object.value)
                if cc:
                    curated.add(cc)
    lines = ["# Persian names of countries: the iso-codes project's Persian translation of ISO 3166-1, as shipped",
             "# by pycountry (written by `python -m kg.sources.vendor`; see SOURCE.md). Only where a translation exists.",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix place: <https://w3id.org/cdkg/id/place/> .", ""]
    n = 0
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        name = fa.gettext(c.name)
        if c.alpha_2 in curated or name == c.name:
            continue
        lines.append(f'place:country-{c.alpha_2.lower()} rdfs:label "{name}"@fa .')
        n += 1
    (target / "country-names-fa" / "countries-fa.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def vendor(shared: Path | None = None, target: Path | None = None) -> dict[str, int]:
    shared = (shared or shared_dir()) / "data"
    target = target or data_dir()
    if not shared.is_dir():
        raise CdkgError(f"{shared} not found: vendoring needs the shared source files (../shared/data).")
    twin = target / "twin-towns-wikipedia"
    shutil.copyfile(shared / "twin-towns-wikipedia" / "twin_cities.csv", twin / "twin_cities.csv")
    n_unesco = vendor_unesco(shared / "unesco-creative-cities" / "creative_cities.csv",
                             target / "unesco-creative-cities" / "creative_cities.csv")
    euro = json.loads((shared / "eurocities" / "members-wikidata-enriched.json").read_text(encoding="utf-8"))
    (target / "eurocities" / "members-wikidata-enriched.json").write_text(
        json.dumps(euro, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with (twin / "twin_cities.csv").open(encoding="utf-8") as fh:
        n_twin = sum(1 for _ in fh) - 1
    n_wd = vendor_wikidata_twins(shared / "wikidata-twin-cities", target / "wikidata-twin-cities" / "twin_links.csv")
    members = target / "network-members"
    for f in sorted((shared / "network-members").glob("*.csv")):
        shutil.copyfile(f, members / f.name)
    n_fa = vendor_country_names_fa(target)
    return {"twin-towns-wikipedia": n_twin, "unesco-creative-cities": n_unesco, "eurocities": len(euro["members"]),
            "wikidata-twin-cities": n_wd, "network-members": len(list(members.glob("*.csv"))), "country-names-fa": n_fa}


if __name__ == "__main__":
    try:
        print(vendor())
    except CdkgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
