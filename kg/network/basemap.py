"""The offline base map of geographic pages: country outlines from the npm package world-atlas
(Natural Earth 1:110m, TopoJSON), fetched once at set-up time with `npm pack` (as the query UI is:
`cdkg ui-install`, and the first `cdkg serve`), decoded here to plain longitude/latitude rings and
embedded in the page. No tile server, no CDN: a page never fetches its map.
"""
from __future__ import annotations

import json
import tarfile
from functools import lru_cache
from pathlib import Path

from kg.core import CdkgError, install_from_npm

PACKAGE, VERSION = "world-atlas", "2.0.2"
FILE = "countries-110m.json"
KEEP = {f"package/{FILE}": FILE, "package/LICENSE": "world-atlas-LICENSE"}


class BasemapError(CdkgError):
    """The base map could not be installed."""


def present(folder: Path) -> bool:
    return (folder / FILE).is_file()


def install(folder: Path, npm: str | None = None, timeout: float = 300) -> Path:
    """Fetch the package tarball with npm and keep the 1:110m country outlines (and licence) in `folder`."""
    return install_from_npm(PACKAGE, VERSION, KEEP, folder, npm=npm, timeout=timeout, error=BasemapError)


def ensure(folder: Path) -> str | None:
    """Install when missing; a notice when it cannot be (geographic pages then draw no outlines). Never raises."""
    if present(folder):
        return None
    try:
        install(folder)
    except (BasemapError, OSError, tarfile.TarError) as exc:
        return f"base map not installed ({exc}); geographic pages show no country outlines until `cdkg ui-install` succeeds"
    return None


def outlines(folder: Path) -> list[dict] | None:
    """[{"name": country, "rings": [[lon, lat, lon, lat, ...], ...]}], or None when not installed."""
    path = folder / FILE
    if not path.is_file():
        return None
    stat = path.stat()
    return _decoded(str(path), stat.st_mtime_ns, stat.st_size)


def _unwrapped(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian continues past +-180 instead of jumping across the map; a ring
    around a pole (Antarctica) is closed along the pole."""
    out, offset = [ring[0]], 0.0
    for x, y in ring[1:]:
        step = x + offset - out[-1][0]
        offset += -360.0 if step > 180 else 360.0 if step < -180 else 0.0
        out.append((round(x + offset, 2), y))
    if abs(out[-1][0] - out[0][0]) > 180:
        pole = -90.0 if sum(y for _, y in out) < 0 else 90.0
        out += [(out[-1][0], pole), (out[0][0], pole)]
    return out


@lru_cache(maxsize=2)
def _decoded(path: str, _mtime: int, _size: int) -> list[dict]:
    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:  # quantised and delta-encoded (TopoJSON 1.0)
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, 2), round(y * sy + ty, 2)))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[float]:
        out: list[tuple[float, float]] = []
        for i in indexes:  # ~i is arc i reversed; each arc after the first repeats the previous one's end
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points[1:] if out else points)
        return [c for p in _unwrapped(out) for c in p]

    countries = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs", [])], "MultiPolygon": geometry.get("arcs", [])}.get(geometry["type"], [])
        countries.append({"name": geometry.get("properties", {}).get("name", ""),
                          "rings": [ring(r) for polygon in polygons for r in polygon]})
    return countries
