"""Benchmark (figures, not a test): network pages at world scale, on the current full build.

    python benchmarks/viz_bench.py [--reps 30] [--baseline-nodes 20000] [--skip-browser]

1. Writing a ~20k-node page: pyvis add_node/add_edge (the baseline, run once at --baseline-nodes
   nodes, bounded by that size) against kg.network.viz's direct lists (the real graph's cities with >= 1 tie).
2. The 2-hop ego view of Isfahan from the real service over HTTP on 127.0.0.1: the first request
   (projection included) and then median / p95 of --reps requests, plus the in-process split.
3. Pages in headless Chromium: time from navigation until stabilisation is done and physics is off
   (window.cdkg.stabilisedAt, ms since navigation start) for the overview, the ego view, and the
   cities-above-a-degree overview. Only 127.0.0.1 and file:// are used.
4. Ego views with collapsed hubs: nodes and edges of Isfahan's views drawn before (every hub walked
   through) and now; in the browser, the 2-hop views of Isfahan and of the --top best connected cities
   (stabilised), opening and closing each page's largest hub, and every step of the year slider.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the service and browser helpers of the tests

from browser import Browser, chromium_path  # noqa: E402
from service import running_service  # noqa: E402

from kg.core.config import Settings  # noqa: E402
from kg.network.explore import choose_view, ego  # noqa: E402
from kg.network import project  # noqa: E402
from kg.core.query import open_store  # noqa: E402
from kg.network.viz import edge_records, node_records, render  # noqa: E402

ISFAHAN = "https://w3id.org/cdkg/id/place/isfahan"


def pyvis_baseline(view, limit: int) -> tuple[float, int, int]:
    """The same page data through pyvis's add_node / add_edge (each checks duplicates linearly)."""
    from pyvis.network import Network

    nodes = node_records(view)[:limit]
    keep = {n["id"] for n in nodes}
    edges = [e for e in edge_records(view) if e["from"] in keep and e["to"] in keep]
    start = time.perf_counter()
    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line")
    for n in nodes:
        net.add_node(n["id"], label=n["label"], color=n["color"], size=n["size"])
    for e in edges:
        net.add_edge(e["from"], e["to"], color=e["color"]["color"], width=e["width"])
    net.generate_html()
    return time.perf_counter() - start, len(nodes), len(edges)


def ego_page(browser, base: str, city: str, g) -> None:
    """A 2-hop view in the browser: stabilised; its largest hub opened and closed; each slider step."""
    prefix = "https://w3id.org/cdkg/id/"
    browser.goto(f"{base}/explore/{city[len(prefix):]}?hops=2", timeout=120)
    ready = browser.wait_for("window.cdkg && window.cdkg.ready ? window.cdkg.stabilisedAt : null", timeout=120)
    counts = browser.evaluate("JSON.stringify(cdkg.counts())")
    received = browser.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
    hub = browser.evaluate("(nodes.get({filter: n => n.hub}).sort((a, b) => b.hub - a.hub)[0] || {}).id || null")
    line = (f"browser, 2-hop ego of {g.nodes[city].get('label')}: page received at {received / 1000:.2f} s, stabilised at "
            f"{ready / 1000:.2f} s ({(ready - received) / 1000:.2f} s in the browser) {counts}")
    if hub:
        opened = browser.evaluate(f"(cdkg.toggleHub({json.dumps(hub)}), cdkg.lastToggleMs)")
        big = browser.evaluate("JSON.stringify(cdkg.counts())")
        closed = browser.evaluate(f"(cdkg.toggleHub({json.dumps(hub)}), cdkg.lastToggleMs)")
        line += f"; largest hub ({g.nodes[hub].get('label')}) opened in {opened:.0f} ms {big}, closed in {closed:.0f} ms"
    print(line + slider_steps(browser))


def slider_steps(browser) -> str:
    """Every step of the page's year slider (each re-filters the whole page), timed in the page."""
    steps = browser.evaluate("(() => { const s = document.getElementById('cdkg-asof'); if (!s) return [];"
                             " const out = []; for (let y = +s.min; y <= +s.max; y++) out.push(cdkg.setYear(y)); return out })()")
    return f"; year slider: {len(steps)} steps, slowest {max(steps):.0f} ms" if steps else "; no year slider"


def top_cities(g, top: int) -> list[str]:
    cities = sorted((n for n, d in g.nodes(data=True) if d.get("kind") == "city"), key=lambda n: (-g.degree(n), n))
    return [ISFAHAN] + [c for c in cities if c != ISFAHAN][:top]


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--baseline-nodes", type=int, default=20_000)
    ap.add_argument("--min-degree", type=int, default=20, help="threshold of the cities overview drawn in the browser")
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--top", type=int, default=5, help="best connected cities whose 2-hop views are timed")
    ap.add_argument("--ego-only", action="store_true", help="only section 4 (and the projection)")
    args = ap.parse_args()
    settings = Settings()

    t = time.perf_counter()
    g = project(open_store(settings), settings.base_iri)
    print(f"projection: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges in {time.perf_counter() - t:.2f} s")

    if args.ego_only:
        with running_service(settings.build_dir) as base, Browser(chromium_path(), timeout=60) as browser:
            httpx.get(f"{base}/explore/place/isfahan", timeout=300)  # the service projects once
            for city in top_cities(g, args.top):
                ego_page(browser, base, city, g)
        return
    cities = choose_view(g, min_degree=1)
    t = time.perf_counter()
    html = render(cities)
    direct = time.perf_counter() - t
    print(f"direct lists (kg.network.viz.render): {cities.graph.number_of_nodes()} nodes, {cities.graph.number_of_edges()} edges, "
          f"{len(html) / 1e6:.1f} MB in {direct:.2f} s")
    seconds, n, e = pyvis_baseline(cities, args.baseline_nodes)
    print(f"pyvis add_node/add_edge (run once): {n} nodes, {e} edges in {seconds:.2f} s ({seconds / direct:.0f}x)")

    ts = []
    for _ in range(args.reps):
        t = time.perf_counter()
        render(choose_view(g, ego_of=ISFAHAN, hops=2), page_base="/id/", explore_base="/explore")
        ts.append(time.perf_counter() - t)
    for hops in (1, 2, 3):
        walked, now = ego(g, ISFAHAN, hops), choose_view(g, ego_of=ISFAHAN, hops=hops)
        print(f"Isfahan, {hops} hop(s): before (hubs walked through) {walked.graph.number_of_nodes()} nodes, "
              f"{walked.graph.number_of_edges()} edges; now {now.graph.number_of_nodes()} nodes, {now.graph.number_of_edges()} "
              f"edges drawn, {sum(1 for _, d in now.graph.nodes(data=True) if d.get('hub'))} collapsed hubs holding "
              f"{len(now.pool_nodes)} nodes, {len(now.pool_edges)} edges")
    view = choose_view(g, ego_of=ISFAHAN, hops=2)
    print(f"in process, 2-hop ego of Isfahan ({view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} edges): "
          f"median {statistics.median(ts) * 1000:.0f} ms, p95 {p95(ts) * 1000:.0f} ms")

    with running_service(settings.build_dir) as base:
        url = f"{base}/explore/place/isfahan?hops=2"
        t = time.perf_counter()
        first = httpx.get(url, timeout=300)
        print(f"service, first ego request (projects the graph): {time.perf_counter() - t:.2f} s, HTTP {first.status_code}")
        ts = []
        for _ in range(args.reps):
            t = time.perf_counter()
            r = httpx.get(url, timeout=60)
            ts.append(time.perf_counter() - t)
            assert r.status_code == 200
        print(f"service, 2-hop ego over HTTP ({len(r.content) / 1e6:.1f} MB): median {statistics.median(ts) * 1000:.0f} ms, "
              f"p95 {p95(ts) * 1000:.0f} ms, max {max(ts) * 1000:.0f} ms ({args.reps} requests)")
        exe = chromium_path()
        if args.skip_browser or exe is None:
            print("browser: skipped" + ("" if exe else " (chromium not installed)"))
            return
        with tempfile.TemporaryDirectory() as tmp, Browser(exe, timeout=60) as browser:
            pages = [("overview (countries)", f"{base}/explore"), ("ego, Isfahan, 2 hops", url),
                     (f"cities with >= {args.min_degree} ties", f"{base}/explore?min_degree={args.min_degree}")]
            big = Path(tmp) / "cities.html"
            big.write_text(html, encoding="utf-8")
            pages.append((f"all {cities.graph.number_of_nodes()} connected nodes (file)", big.as_uri()))
            for name, page in pages:
                browser.goto(page, timeout=300)
                ready = browser.wait_for("window.cdkg && window.cdkg.ready ? window.cdkg.stabilisedAt : null", timeout=600)
                counts = browser.evaluate("JSON.stringify(cdkg.counts())")
                # The slider is timed on the service's pages; on the page of all 17k nodes a step that hides
                # most ties re-renders tens of thousands of vis items (tens of seconds), see docs/viz.md.
                print(f"browser, {name}: stabilised and physics off at {ready / 1000:.2f} s after navigation {counts}"
                      + (slider_steps(browser) if page.startswith("http") else ""))
            for city in top_cities(g, args.top):
                ego_page(browser, base, city, g)
            outside = [u for u in browser.requests if not u.startswith(("http://127.0.0.1", "file:", "data:", "about:"))]
            print(f"browser requests outside 127.0.0.1: {len(outside)}; page errors: {len(browser.console)}")


if __name__ == "__main__":
    main()
