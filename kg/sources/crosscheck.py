"""Cross-source report: where the sources agree, where one lacks what another attests.

- ties: for each place a curated source is about (a reported figure's subject, or the first party
  of a curated agreement), every sister-city partner and which sources attest the tie;
- memberships: for each network more than one source speaks of, the members one source names and
  another, which lists the network's members, lacks;
- coordinates: places whose coordinates from different sources (or the gazetteer) are farther
  apart than a threshold;
- figures: numbers the sources report (13 sister cities on 2020-07-15) beside what the graph holds;
- status conflicts: one agreement given different statuses by different documents (the library query
  conflicting-status-claims), e.g. a new article's claim kept beside an older one.
The source of a statement is the dataset whose named graph holds it.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.sources.crosscheck_ties import overlap_markdown, tie_overlap
from kg.sources.gazetteer import distance_km
from kg.core import execute, queries_dir

THRESHOLD_KM = 25.0


@dataclass
class CrossReport:
    threshold_km: float
    ties: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    coordinates: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    sources: dict[str, dict] = field(default_factory=dict)
    tie_overlap: dict = field(default_factory=dict)  # kg.crosscheck_ties: ties per combination of sources
    status_conflicts: list[dict] = field(default_factory=list)  # queries/conflicting-status-claims.rq, rows

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)


def _source_of(graph: str, settings: Settings) -> str | None:
    prefix = settings.graph_iri("")
    if not graph.startswith(prefix):
        return None
    name = graph[len(prefix):]
    if name.startswith(("ontology", "inferred", "meta")):
        return None
    return name.split("/", 1)[0]


def _rows(store, q, settings):
    res = execute(store, q, settings.base_iri)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in res]


def _labels(store, settings, iris: set[str]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    out: dict[str, str] = {}
    for r in _rows(store, f"""SELECT ?n ?l WHERE {{ VALUES ?n {{ {values} }} ?n rdfs:label ?l FILTER(lang(?l) = "en") }}""", settings):
        out.setdefault(r["n"], r["l"])
    return out


def _ties(store, settings) -> tuple[list[dict], dict]:
    rows = _rows(store, """SELECT ?agr ?a ?b ?g ?status WHERE {
        ?agr cd:agreementKind cdc:agreement-sister-city ; cd:partyA ?a ; cd:partyB ?b .
        { GRAPH ?g { ?agr cd:attestedBy ?att } }
        UNION { GRAPH ?g { ?st cd:statusOf ?agr } OPTIONAL { ?st cd:status ?status } } }""", settings)
    ties: dict[str, dict] = {}
    for r in rows:
        src = _source_of(r["g"], settings)
        if src is None:
            continue
        t = ties.setdefault(r["agr"], {"parties": (r["a"], r["b"]), "sources": {}})
        statuses = t["sources"].setdefault(src, set())
        if r["status"]:
            statuses.add(r["status"].rsplit("/", 1)[-1].removeprefix("status-"))
    curated = _curated_sources(settings)
    focus = {t["parties"][0] for t in ties.values() if set(t["sources"]) & curated}
    focus |= {r["s"] for r in _rows(store, "SELECT DISTINCT ?s WHERE { ?f a cd:ReportedFigure ; cd:figureSubject ?s ; cd:measure cdc:measure-sister-city-count }", settings)}
    by_place: dict[str, list[tuple[str, dict]]] = {}
    for agr, t in ties.items():
        a, b = t["parties"]
        for p, other in ((a, b), (b, a)):
            if p in focus:
                by_place.setdefault(p, []).append((other, t["sources"]))
    labels = _labels(store, settings, set(by_place) | {o for v in by_place.values() for o, _ in v})
    out = []
    for place, partners in sorted(by_place.items(), key=lambda kv: labels.get(kv[0], kv[0])):
        sources = sorted({s for _, srcs in partners for s in srcs})
        merged: dict[str, dict] = {}
        for other, srcs in partners:
            m = merged.setdefault(other, {})
            for s, st in srcs.items():
                m.setdefault(s, set()).update(st)
        rows_out = []
        for other, srcs in sorted(merged.items(), key=lambda kv: labels.get(kv[0], kv[0])):
            rows_out.append({"partner": other, "label": labels.get(other, other.rsplit("/", 1)[-1]),
                             "sources": {s: sorted(st) for s, st in sorted(srcs.items())},
                             "missing_in": [s for s in sources if s not in srcs]})
        out.append({"place": place, "label": labels.get(place, place), "sources": sources, "partners": rows_out})
    per_source: dict[str, int] = {}
    for t in ties.values():
        for s in t["sources"]:
            per_source[s] = per_source.get(s, 0) + 1
    return out, per_source


def _curated_sources(settings: Settings) -> set[str]:
    from kg.sources.folders import discover_sources
    return {s.id for s in discover_sources(settings.data_dir) if s.meta.get("curated")}


def _memberships(store, settings) -> tuple[list[dict], dict]:
    rows = _rows(store, """SELECT ?mem ?member ?org ?g WHERE { ?mem a org:Membership ; org:member ?member ; org:organization ?org .
        GRAPH ?g { ?mem cd:attestedBy ?att } }""", settings)
    rows += _rows(store, """SELECT ?mem ?member ?org ?g WHERE { ?mem a org:Membership ; org:member ?member ; org:organization ?org .
        GRAPH ?g { ?st cd:statusOf ?mem } }""", settings)
    per_org: dict[str, dict[str, set[str]]] = {}
    per_source: dict[str, int] = {}
    seen = set()
    for r in rows:
        src = _source_of(r["g"], settings)
        if src is None:
            continue
        per_org.setdefault(r["org"], {}).setdefault(src, set()).add(r["member"])
        if (r["mem"], src) not in seen:
            seen.add((r["mem"], src))
            per_source[src] = per_source.get(src, 0) + 1
    out = []
    iris = set(per_org) | {m for d in per_org.values() for ms in d.values() for m in ms}
    labels = _labels(store, settings, iris)
    for org, by_src in sorted(per_org.items()):
        if len(by_src) < 2:
            continue
        biggest = max(by_src, key=lambda s: len(by_src[s]))  # the source that lists the network's members
        missing = []
        for src, members in sorted(by_src.items()):
            if src == biggest:
                continue
            for m in sorted(members - by_src[biggest]):
                missing.append({"member": m, "label": labels.get(m, m.rsplit("/", 1)[-1]), "attested_by": src, "missing_in": biggest})
        out.append({"network": org, "label": labels.get(org, org), "members_per_source": {s: len(v) for s, v in sorted(by_src.items())},
                    "list_source": biggest, "missing_in_list": missing})
    return out, per_source


def _coordinates(store, settings, threshold_km: float) -> list[dict]:
    rows = _rows(store, """SELECT ?p ?c ?lat ?lon ?g WHERE { GRAPH ?g { ?p cd:coordinates ?c } ?c geo:lat ?lat ; geo:long ?lon }""", settings)
    by_place: dict[str, list[tuple[str, float, float]]] = {}
    for r in rows:
        src = _source_of(r["g"], settings)
        if src is None:
            continue
        try:
            by_place.setdefault(r["p"], []).append((src, float(r["lat"]), float(r["lon"])))
        except (TypeError, ValueError):
            continue
    out = []
    for place, pts in by_place.items():
        worst = None
        for i in range(len(pts)):
            for j in range(i + 1, len(pts)):
                d = distance_km(pts[i][1], pts[i][2], pts[j][1], pts[j][2])
                if d > threshold_km and (worst is None or d > worst[0]):
                    worst = (d, pts[i], pts[j])
        if worst:
            d, a, b = worst
            out.append({"place": place, "km": round(d, 1), "a": {"source": a[0], "lat": a[1], "long": a[2]},
                        "b": {"source": b[0], "lat": b[1], "long": b[2]}})
    labels = _labels(store, settings, {o["place"] for o in out})
    for o in out:
        o["label"] = labels.get(o["place"], o["place"].rsplit("/", 1)[-1])
    return sorted(out, key=lambda o: (-o["km"], o["place"]))


def _figures(store, settings) -> list[dict]:
    rows = _rows(store, """SELECT ?f ?s ?measure ?v ?date ?doc WHERE { ?f a cd:ReportedFigure ; cd:figureSubject ?s ; cd:measure ?measure ; cd:value ?v .
        VALUES ?measure { cdc:measure-sister-city-count cdc:measure-network-membership-count }
        OPTIONAL { ?f cd:referenceDate ?d . OPTIONAL { ?d time:inXSDDate ?day } OPTIONAL { ?d time:inXSDgYearMonth ?ym } OPTIONAL { ?d time:inXSDgYear ?y } }
        BIND(COALESCE(STR(?day), STR(?ym), STR(?y)) AS ?date)
        OPTIONAL { ?f cd:attestedBy/cd:document ?doc } }""", settings)
    figures: dict[str, dict] = {}
    for r in rows:
        f = figures.setdefault(r["f"], {"figure": r["f"], "subject": r["s"], "measure": r["measure"].rsplit("/", 1)[-1],
                                        "value": float(r["v"]), "date": r["date"], "documents": set()})
        if r["doc"]:
            f["documents"].add(r["doc"])
    labels = _labels(store, settings, {f["subject"] for f in figures.values()})
    out = []
    for f in figures.values():
        s = f["subject"]
        if f["measure"] == "measure-sister-city-count":
            known = _rows(store, f"""SELECT ?other ?g ?status WHERE {{ ?agr cd:agreementKind cdc:agreement-sister-city ;
                cd:partyA|cd:partyB <{s}> ; cd:partyA|cd:partyB ?other FILTER(?other != <{s}>)
                {{ GRAPH ?g {{ ?agr cd:attestedBy ?a }} }} UNION {{ GRAPH ?g {{ ?st cd:statusOf ?agr }} OPTIONAL {{ ?st cd:status ?status }} }} }}""", settings)
            what = "sister cities"
        else:
            known = _rows(store, f"""SELECT ?other ?g ?status WHERE {{ ?mem a org:Membership ; org:organization ?other .
                {{ ?mem org:member <{s}> }} UNION {{ ?mem org:member ?gov . ?gov cd:governs <{s}> }}
                GRAPH ?g {{ {{ ?mem cd:attestedBy ?a }} UNION {{ ?st cd:statusOf ?mem }} }} }}""", settings)
            what = "networks and organisations"
        partners: dict[str, set[str]] = {}
        signed = set()
        for k in known:
            src = _source_of(k["g"], settings)
            if src:
                partners.setdefault(src, set()).add(k["other"])
            if k.get("status") and k["status"].endswith("status-signed"):
                signed.add(k["other"])
        all_partners = set().union(*partners.values()) if partners else set()
        out.append({**f, "documents": sorted(f["documents"]), "label": labels.get(s, s), "what": what,
                    "graph_knows": len(all_partners), "per_source": {k: len(v) for k, v in sorted(partners.items())},
                    "signed": len(signed) if f["measure"] == "measure-sister-city-count" else None})
    return sorted(out, key=lambda f: (f["label"], f["measure"], f["date"] or "", f["value"]))


def _status_conflicts(store, settings) -> list[dict]:
    rows = _rows(store, (queries_dir() / "conflicting-status-claims.rq").read_text(encoding="utf-8"), settings)
    for r in rows:
        for side in ("1", "2"):
            doc = r["document" + side]
            r["source" + side] = next((_source_of(g.value, settings) for q in store.quads_for_pattern(
                ox.NamedNode(doc), None, None, None) if (g := q.graph_name) is not None and isinstance(g, ox.NamedNode)
                and _source_of(g.value, settings)), None)
    return rows


def cross_source_report(store: ox.Store, settings: Settings | None = None, threshold_km: float = THRESHOLD_KM) -> CrossReport:
    settings = settings or Settings()
    rep = CrossReport(threshold_km=threshold_km)
    rep.ties, tie_counts = _ties(store, settings)
    rep.memberships, mem_counts = _memberships(store, settings)
    rep.tie_overlap = tie_overlap(_rows(store, """SELECT ?agr ?a ?b ?g WHERE { ?agr cd:agreementKind cdc:agreement-sister-city ;
        cd:partyA ?a ; cd:partyB ?b . GRAPH ?g { ?agr cd:attestedBy ?att } }""", settings),
        _source_of, lambda iris: _labels(store, settings, iris), settings)
    rep.coordinates = _coordinates(store, settings, threshold_km)
    rep.figures = _figures(store, settings)
    rep.status_conflicts = _status_conflicts(store, settings)
    for s in sorted(set(tie_counts) | set(mem_counts)):
        rep.sources[s] = {"sister_city_ties": tie_counts.get(s, 0), "memberships": mem_counts.get(s, 0)}
    return rep


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def to_markdown(rep: CrossReport, max_rows: int = 200) -> str:
    lines = ["# Cross-source report", "",
             "Which source attests what, where they disagree, and what they report against what the graph holds.", "",
             "| source | sister-city ties | memberships |", "| --- | ---: | ---: |"]
    lines += [f"| {s} | {c['sister_city_ties']} | {c['memberships']} |" for s, c in rep.sources.items()]
    lines += ["", "## Reported figures and what the graph knows", ""]
    for f in rep.figures:
        v = f"{f['value']:g}"
        when = f" on {f['date']}" if f["date"] else " (date not given)"
        docs = ", ".join(_short(d) for d in f["documents"])
        per = ", ".join(f"{k}: {n}" for k, n in f["per_source"].items()) or "none"
        extra = f"; {f['signed']} with a 'signed' status" if f["signed"] is not None else ""
        lines.append(f"- {f['label']}: {v} {f['what']} reported{when} ({docs}); the graph knows {f['graph_knows']} ({per}{extra}).")
    lines += ["", "## Conflicting status claims", "",
              f"{len(rep.status_conflicts)} pair(s) of documents giving one agreement different statuses (both claims are kept; "
              "the query conflicting-status-claims lists them with their assertions).", ""]
    if rep.status_conflicts:
        lines += ["| agreement | status (date) | document (source) | status (date) | document (source) | reading |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for c in rep.status_conflicts[:max_rows]:
            side = [f"{c['status' + i]}" + (f" ({c['date' + i]})" if c["date" + i] else "") for i in ("1", "2")]
            docs = [f"{_short(c['document' + i])} ({c['source' + i] or '?'})" for i in ("1", "2")]
            lines.append(f"| {c['subjectLabel'] or _short(c['assertion1'])} | {side[0]} | {docs[0]} | {side[1]} | {docs[1]} | {c['reading']} |")
    lines += ["", *overlap_markdown(rep.tie_overlap)]
    lines += ["", "## Sister-city ties by source", ""]
    for t in rep.ties:
        lines += [f"### {t['label']}", "", "| partner | " + " | ".join(t["sources"]) + " |", "| --- |" + " --- |" * len(t["sources"])]
        for p in t["partners"]:
            cells = []
            for s in t["sources"]:
                if s in p["sources"]:
                    cells.append("yes" + (f" ({', '.join(p['sources'][s])})" if p["sources"][s] else ""))
                else:
                    cells.append("**missing**")
            lines.append(f"| {p['label']} | " + " | ".join(cells) + " |")
        for s in t["sources"]:
            miss = [p["label"] for p in t["partners"] if s in p["missing_in"]]
            if miss:
                lines.append(f"\n{s} lacks {len(miss)} tie(s) of {t['label']} that another source attests: {', '.join(miss)}.")
        lines.append("")
    lines += ["## Memberships one source names and the member list lacks", ""]
    for m in rep.memberships:
        counts = ", ".join(f"{k}: {n}" for k, n in m["members_per_source"].items())
        lines.append(f"- {m['label']} ({counts}; member list: {m['list_source']}): "
                     + (", ".join(f"{x['label']} (from {x['attested_by']})" for x in m["missing_in_list"]) or "nothing missing"))
    lines += ["", f"## Coordinates that disagree by more than {rep.threshold_km:g} km", "",
              f"{len(rep.coordinates)} place(s). Largest first" + (f" (first {max_rows})" if len(rep.coordinates) > max_rows else "") + ":", "",
              "| place | km | source A | lat, long | source B | lat, long |", "| --- | ---: | --- | --- | --- | --- |"]
    for c in rep.coordinates[:max_rows]:
        lines.append(f"| {c['label']} | {c['km']:g} | {c['a']['source']} | {c['a']['lat']}, {c['a']['long']} | {c['b']['source']} | {c['b']['lat']}, {c['b']['long']} |")
    return "\n".join(lines) + "\n"


def write_report(rep: CrossReport, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / "cross-source-report.md", folder / "cross-source-report.json"
    md.write_text(to_markdown(rep), encoding="utf-8")
    js.write_text(rep.to_json(), encoding="utf-8")
    return md, js
