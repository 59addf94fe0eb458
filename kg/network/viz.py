"""Interactive, offline HTML pages of the network (pyvis template, vis-network inlined).

Node and edge lists are built here as plain dicts and handed to pyvis directly: its add_node /
add_edge check duplicates linearly (half a minute for 20k nodes). The page carries no `title`
fields: pyvis switches to a popup that assigns titles with innerHTML when a title contains "href",
so a label could inject markup; tooltips and the info panel are built by kg/viz_assets/explore.js
with textContent instead. Data reach the page only as JSON escaped for <script> (`<` as \\u003c).
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg.network.explore import View, country_of, kind_of, relation_of

ASSETS = Path(__file__).resolve().parent / "viz_assets"
KIND_COLOURS = {"city": "#2f6db5", "network": "#e8771e", "organisation": "#2e9b4f", "person": "#8e5bb8",
                "country": "#1a9aa8", "other": "#8a8f96"}
RELATION_COLOURS = {"agreement": "#5a7fb0", "membership": "#f0a35e", "aid": "#d9473f", "event": "#4fa6a0",
                    "tenure": "#6aa84f", "designation": "#c9a227", "proposal": "#b07aa1", "programme": "#e37ba0",
                    "other": "#9c755f"}
DASHED_STATUSES = ("proposed", "under negotiation", "candidate", "planned", "about to be signed")  # not (yet) in force
GREY_STATUSES = ("dormant", "suspended", "terminated", "ended")  # no longer active: drawn faded
FADED = 0.3  # opacity of a tie no longer active (its relation colour stays readable)
GREY = "#b8bcc2"
LAYOUT_BUDGET_MS = 400  # the force layout's time budget in the browser, after the page is read
SCRIPTS = ("explore.js", "explore_hubs.js", "explore_export.js", "explore_time.js", "explore_map.js")  # concatenated into the page, in this order
_BIDI_CONTROLS = re.compile("[\u202A-\u202E\u2066-\u2069]")


def visible_text(value) -> str | None:
    """Bidi overrides shown as markers (U+202E) instead of obeyed: a label cannot reorder the page."""
    return None if value is None else _BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", str(value))


def edge_style(relation: str, status: str | None) -> dict:
    """Colour by relation; line by status: solid in force (or not given), dashed not yet, faded no longer."""
    colour = RELATION_COLOURS.get(relation, RELATION_COLOURS["other"])
    style = {"color": {"color": colour, "highlight": "#111111", "hover": "#333333"}}
    if status in GREY_STATUSES:
        style["color"]["opacity"] = FADED
    if status in DASHED_STATUSES:
        style["dashes"] = [6, 4]
    return style


def _size(ties: int) -> float:
    """Grows with ties but stays readable: a hub with 2000 ties must not cover the picture."""
    return round(min(48.0, 6 + 5 * math.log2(1 + ties)), 1)


def node_record(n: str, d: dict, ties: int, *, pinned: bool = True) -> dict:
    """One node for the page; a node not pinned carries no label until hovered (ego views label only
    the focus and its direct partners, so the picture reads at a glance)."""
    kind = kind_of(d)
    en, fa = visible_text(d.get("label")), visible_text(d.get("label_fa"))
    rec = {"id": n, "label": (en or fa or n.rsplit("/", 1)[-1]) if pinned else "", "en": en, "fa": fa, "kind": kind,
           "color": KIND_COLOURS.get(kind, KIND_COLOURS["other"]), "size": _size(ties), "deg": ties,
           "country": country_of(d), "country_label": visible_text(d.get("country_label")),
           "lat": d.get("lat"), "lon": d.get("lon")}
    if pinned:
        rec["pin"] = True
    for key in ("hop", "cities", "domestic", "hub", "via"):
        if d.get(key) is not None:
            rec[key] = d[key]
    if d.get("nets"):
        rec["nets"] = d["nets"]
    if d.get("top"):
        rec["top"] = [[iri, visible_text(label), c] for iri, label, c in d["top"]]
    if d.get("hub"):  # collapsed: a dark ring says "there is more inside"
        rec.update(borderWidth=4, color={"background": rec["color"], "border": "#333333"})
    return rec


def node_records(view: View, geo: bool = False, scale: float = 10.0) -> list[dict]:
    g = view.graph
    degree = dict(g.degree())
    records, aside = [], 0
    for n, d in g.nodes(data=True):
        pinned = view.mode != "ego" or d.get("hop", 0) <= 1
        rec = node_record(n, d, d.get("ties", degree.get(n, 0)), pinned=pinned)
        if n == view.focus:
            rec.update(borderWidth=4, color={"background": rec["color"], "border": "#111111"}, focus=True,
                       font={"size": 18, "strokeWidth": 4})
        if geo:
            if rec["lat"] is not None and rec["lon"] is not None:
                rec.update(x=round(rec["lon"] * scale, 2), y=round(-rec["lat"] * scale, 2))
            else:  # never invent a position: a grid to the east of the map, marked in the tooltip
                rec.update(x=190 * scale + (aside // 40) * 4 * scale, y=-90 * scale + (aside % 40) * 4.5 * scale,
                           aside=True)
                aside += 1
            rec.update(fixed=True, physics=False)
        records.append(rec)
    return records


def edge_records(view: View) -> list[dict]:
    g = view.graph
    records = []
    if view.mode == "countries":  # aggregated: a breakdown the page re-counts under its filters
        for i, (a, b, d) in enumerate(g.edges(data=True)):
            parts = [[rel, status, year, c] for (rel, status, year), c in sorted(d["parts"].items(), key=str)]
            total = sum(p[3] for p in parts)
            main = max(d["parts"].items(), key=lambda kv: kv[1])[0][0]
            records.append({"id": f"e{i}", "from": a, "to": b, "parts": parts, "count": total,
                            "width": agg_width(total), **edge_style(main, None)})
        return records
    return [tie_record(f"e{i}", s, t, key, d) for i, (s, t, key, d) in enumerate(g.edges(keys=True, data=True))]


def tie_record(id_: str, s: str, t: str, key: str, d: dict) -> dict:
    rel, status = relation_of(d), d.get("status")
    return {"id": id_, "from": s, "to": t, "rid": key, "rel": rel, "rl": visible_text(d.get("label")),
            "ekind": visible_text(d.get("kind")), "status": status, "year": d.get("year"),
            "start": d.get("start"), "end": d.get("end"), "src": list(d.get("sources") or ()),
            # The year the sources state it began (signed, joined...): the time control places only these.
            "sy": d.get("year") if d.get("start_basis", "stated") == "stated" else None,
            "srci": list(d.get("source_iris") or ()), "arrows": "to" if d.get("directed") else "", "width": 1.5, **edge_style(rel, status)}


def pool_records(view: View) -> dict:
    """What the collapsed hubs hold, for the page to add when one is opened (labels on hover only)."""
    nodes = [_compact(node_record(n, d, d.get("ties_all", 0), pinned=False)) for n, d in view.pool_nodes.items()]
    edges = [_unstyled(_compact(tie_record(f"p{i}", s, t, k, d))) for i, (s, t, k, d) in enumerate(view.pool_edges)]
    return {"nodes": nodes, "edges": edges}


def _unstyled(record: dict) -> dict:
    """A pool tie without its drawing style: the page styles it as edge_style does when a hub opens."""
    directed = record.pop("arrows", "") == "to"
    for key in ("color", "dashes", "width"):
        record.pop(key, None)
    return record | {"dir": 1} if directed else record


def _compact(record: dict) -> dict:
    """Without empty fields (the page reads a missing field as not given): the pool is most of a page.
    The label stays: an empty label is what keeps a node unlabelled until hovered."""
    return {k: v for k, v in record.items() if k == "label" or v not in (None, [], "")}


def agg_width(count: int) -> float:
    return round(min(12.0, 1 + math.log2(max(count, 1))), 2)


def options(n_nodes: int, n_edges: int, physics: bool, few_labels: bool = False) -> dict:
    """vis-network options: bounded stabilisation (the page then turns physics off), light drawing at scale.
    Pages that label only a few nodes (ego views) keep those labels when zoomed out."""
    big = n_nodes + n_edges > 4000
    # Iterations cost most of a page's time to a still picture: a hop-2 view of a big city (~250 nodes)
    # stabilises in ~0.6 s at 120 against ~1.5-2.5 s at 300 (benchmarks/viz_bench.py, docs/viz.md).
    iterations = 300 if n_nodes <= 100 else 120 if n_nodes <= 5000 else 60
    return {
        "nodes": {"shape": "dot", "borderWidth": 1, "font": {"size": 14, "face": "system-ui, Tahoma, sans-serif"},
                  "scaling": {"label": {"drawThreshold": 3 if few_labels else 9}}},
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 0.5,
                  "arrows": {"to": {"scaleFactor": 0.5}}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "keyboard": {"enabled": True, "bindToWindow": False}},
        "layout": {"improvedLayout": n_nodes <= 100, "randomSeed": 7},
        "physics": {"enabled": physics, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -4000, "springLength": 120, "avoidOverlap": 0.1},
                    "minVelocity": 1, "timestep": 0.5,
                    "stabilization": {"enabled": physics, "iterations": iterations, "updateInterval": 10, "fit": True}},
    }


def page_config(view: View, nodes: list[dict], edges: list[dict], *, geo: bool, page_base: str | None,
                explore_base: str | None, id_prefix: str, pool: dict | None = None) -> dict:
    """What the page's script and panel need besides the vis data: filters on offer, legend, links."""
    if view.mode == "countries":
        parts = [p for e in edges for p in e["parts"]]
    else:  # the ties inside collapsed hubs too: opening one must not meet a filter without their relation
        parts = [[e["rel"], e.get("status"), e.get("year"), 1] for e in edges + (pool or {}).get("edges", [])]
    years = sorted({p[2] for p in parts if p[2] is not None})
    countries = {}
    for n in nodes:
        if n.get("country") and n["kind"] != "network":
            label = n["label"] if n["kind"] == "country" else n.get("country_label")
            countries.setdefault(n["country"], label or n["country"].rsplit("/", 1)[-1])
    return {
        "mode": view.mode, "title": visible_text(view.title), "notes": [visible_text(x) for x in view.notes],
        "focus": view.focus, "hops": view.hops, "geo": geo, "physics": not geo,
        "relations": sorted({p[0] for p in parts}), "statuses": sorted({p[1] or "none" for p in parts}),
        "years": [years[0], years[-1]] if years else None, "undated": any(p[2] is None for p in parts),
        "countries": sorted(countries.items(), key=lambda kv: (kv[1] or "").casefold()),
        "networks": sorted(([n["id"], n["label"]] for n in nodes if n["kind"] == "network"), key=lambda x: x[1].casefold()),
        "kindColours": KIND_COLOURS, "relationColours": RELATION_COLOURS, "grey": GREY,
        "dashed": list(DASHED_STATUSES), "greyStatuses": list(GREY_STATUSES), "faded": FADED,
        "layoutBudgetMs": LAYOUT_BUDGET_MS,
        "pageBase": page_base, "exploreBase": explore_base, "idPrefix": id_prefix,
        "counts": {"nodes": len(nodes), "edges": len(edges), "total_nodes": view.total_nodes},
        "hubs": sum(1 for n in nodes if n.get("hub")),
        "stated": sorted({e["sy"] for e in edges + (pool or {}).get("edges", []) if e.get("sy") is not None}),
    }


def script_json(value) -> str:
    """JSON that cannot end a <script> element or open a comment inside it."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_CDN_TAGS = re.compile(r"<link[^>]*https?://[^>]*/?>|<script[^>]*src=\"https?://[^>]*>\s*</script>", re.S)
_PYVIS_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>")
_NETWORK_CREATED = "network = new vis.Network(container, data, options);"


def render(view: View, *, geo: bool = False, page_base: str | None = None, explore_base: str | None = None,
           base_iri: str = "https://w3id.org/cdkg/", figures: list[dict] | None = None,
           outlines: list[dict] | None = None) -> str:
    """The whole page as a string: pyvis's template with our panel, style and script spliced in.
    Geographic pages draw country outlines (kg.network.basemap) under the network when given them."""
    from pyvis.network import Network

    nodes, edges = node_records(view, geo), edge_records(view)
    net = Network(height="100vh", width="100%", directed=True, cdn_resources="in_line", heading="")
    net.nodes, net.edges, net.node_ids = nodes, edges, [n["id"] for n in nodes]
    net.options = options(len(nodes), len(edges), physics=not geo, few_labels=view.mode == "ego")
    net.templateEnv = _pyvis_templates(net.template_dir)
    html = net.generate_html()
    if _NETWORK_CREATED not in html:
        raise RuntimeError("the pyvis template changed: cannot attach the page script to the network")
    pool = pool_records(view)
    config = page_config(view, nodes, edges, geo=geo, page_base=page_base, explore_base=explore_base,
                         id_prefix=f"{base_iri}id/", pool=pool)
    config["basemap"] = bool(geo and outlines)
    config["figures"] = [{"measure": visible_text(f["measure"]), "series": f.get("series"), "value": f["value"],
                          "date": f["date"], "documents": f["documents"], "docs": f["doc_names"]} for f in figures or ()]
    panel = _panel_templates().get_template("panel.html").render(cfg=config)
    scripts = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in SCRIPTS)
    head = (f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{_escape(config['title'])} · cdkg</title>\n"
            f"<style>{(ASSETS / 'explore.css').read_text(encoding='utf-8')}</style>\n"
            f"<script type=\"application/json\" id=\"cdkg-config\">{script_json(config)}</script>\n"
            f"<script type=\"application/json\" id=\"cdkg-pool\">{script_json(pool)}</script>\n"
            f"<script type=\"application/json\" id=\"cdkg-basemap\">{script_json(outlines if geo and outlines else [])}</script>\n"
            f"<script>{scripts}</script>\n</head>")
    html = _PYVIS_HEADING.sub("", _CDN_TAGS.sub("", html))
    html = html.replace("<html>", "<!doctype html>\n<html lang=\"en\">", 1).replace("</head>", head, 1)
    html = html.replace("<body>", "<body>\n" + panel, 1)
    return html.replace(_NETWORK_CREATED, _NETWORK_CREATED + " cdkgAttach(network, nodes, edges);", 1)


@lru_cache(maxsize=1)
def _pyvis_templates(folder: str):
    """One Jinja environment for pyvis's template: each Network makes its own, and compiling the
    template with vis-network inlined costs ~150 ms per page."""
    from jinja2 import Environment as PlainEnvironment
    return PlainEnvironment(loader=FileSystemLoader(folder))


@lru_cache(maxsize=1)
def _panel_templates() -> Environment:
    return Environment(loader=FileSystemLoader(str(ASSETS)), autoescape=select_autoescape(default=True))


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))


def write(view: View, out: Path, **kw) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(view, **kw), encoding="utf-8")
    return out
