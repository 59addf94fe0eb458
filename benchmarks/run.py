"""Benchmark figures (not a test): the engines kg uses vs the rdflib/owlrl baselines, on SYNTHETIC data.

For each size in --sizes, SYNTHETIC data of the seed-articles shape is generated
(benchmarks/generate.py) and measured in a fresh worker process (so memory figures are per size):

  load       kg.core.load path (kg.core.load.parse_file + kg.core.load.add_triples -> Store.extend) and
             pyoxigraph Store.bulk_load, vs rdflib Graph.parse (baseline)
  reasoning  kg.dataset.reason.reason_with_rules on the Oxigraph store, ontology graphs loaded like
             kg.dataset.builder.populate, vs kg.dataset.reason.reason_with_owlrl (baseline; only up to --owlrl-max)
  queries    a mix of 6 SPARQL queries through kg.core.query.execute (union default graph) vs rdflib's
             SPARQL engine on an rdflib Graph holding the very same quads (data + ontology +
             inferred; baseline; only up to --rdflib-query-max)
  memory     peak RSS during each phase (VmHWM, reset per phase via /proc/self/clear_refs;
             getrusage ru_maxrss where that is unavailable)

Each timed thing runs up to --reps times, stopping once another run would pass --rep-budget
seconds; the median is reported. A baseline run longer than its timeout is stopped and reported
as a timeout. Nothing touches the network; generated data goes to a temporary folder.

    python benchmarks/run.py                          # 10k and 100k
    python benchmarks/run.py --sizes 10000,100000,1000000 --json /tmp/bench.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import platform
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DATA_GRAPH = "bench/synthetic"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# owlrl also derives schema-level and trivial triples no query uses (same filter as tests/test_reasoning.py).
SCHEMA_PREDICATES = {f"http://www.w3.org/2000/01/rdf-schema#{p}" for p in ("subClassOf", "subPropertyOf", "domain", "range")} | {
    f"http://www.w3.org/2002/07/owl#{p}" for p in ("sameAs", "equivalentClass", "equivalentProperty", "disjointWith")}
TRIVIAL_TYPES = {"http://www.w3.org/2002/07/owl#Thing", "http://www.w3.org/2000/01/rdf-schema#Datatype"} | {
    f"http://www.w3.org/2002/07/owl#{c}" for c in ("Class", "AnnotationProperty", "ObjectProperty", "DatatypeProperty")}
CITY = "bp:city-00000"          # the biggest hub of the generator's skewed partner choice
MUNICIPALITY = "bo:municipality-00000"
NETWORK = "bo:network-000"
BENCH_PREFIXES = ("PREFIX bp: <https://w3id.org/cdkg/id/bench/place/>\n"
                  "PREFIX bo: <https://w3id.org/cdkg/id/bench/org/>\n")

# The query mix. Project prefixes (cd:, cdc:, org:, time: ...) are predeclared by kg.core.query.execute
# and prepended for rdflib. Several rely on inferred triples (cd:SisterCityAgreement, cd:party,
# cd:participant, cd:hasAgreementWith, cd:derivedSource), as the project's own queries do.
QUERIES: dict[str, tuple[str, str]] = {
    "q1_sister_cities": ("sister cities of one city, with statuses and sources", f"""
SELECT ?partner ?partnerLabel ?status ?statusDate ?document ?quote WHERE {{
  ?agreement a cd:SisterCityAgreement ; cd:party {CITY} , ?partner .
  FILTER(?partner != {CITY})
  ?partner rdfs:label ?partnerLabel FILTER(lang(?partnerLabel) = "en")
  ?assertion cd:statusOf ?agreement ; cd:status ?s ; cd:attestedBy ?att .
  ?s skos:prefLabel ?status FILTER(lang(?status) = "en")
  ?att cd:document ?document ; cd:quote ?quote .
  OPTIONAL {{ ?assertion cd:statusDate/time:inXSDDate ?statusDate }}
}} ORDER BY ?partnerLabel ?statusDate ?document"""),
    "q2_agreements_per_country": ("count agreements per country", """
SELECT ?country ?countryLabel (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE {
  ?agreement a cd:Agreement ; cd:party ?city .
  ?city cd:inCountry ?country .
  ?country rdfs:label ?countryLabel FILTER(lang(?countryLabel) = "en")
} GROUP BY ?country ?countryLabel ORDER BY DESC(?agreements) ?countryLabel"""),
    "q3_network_members": ("members of a network, with join date and sources", f"""
SELECT ?member ?label ?joined ?document WHERE {{
  ?m a org:Membership ; org:member ?member ; org:organization {NETWORK} ;
     cd:joinedOn/time:inXSDDate ?joined .
  ?member rdfs:label ?label FILTER(lang(?label) = "en")
  OPTIONAL {{ ?m cd:derivedSource ?document }}
}} ORDER BY ?joined ?member"""),
    "q4_city_events_in_range": ("events of a city (or its municipality) in 2015-2020", f"""
SELECT DISTINCT ?event ?label ?kind ?date WHERE {{
  VALUES ?agent {{ {CITY} {MUNICIPALITY} }}
  ?event a cd:Event ; cd:participant ?agent ; cd:eventKind ?kind ;
         cd:date/time:inXSDDate ?date ; rdfs:label ?label .
  FILTER(lang(?label) = "en")
  FILTER(?date >= "2015-01-01"^^xsd:date && ?date < "2021-01-01"^^xsd:date)
}} ORDER BY ?date ?event"""),
    "q5_top_partner_cities": ("cities with most partners (top 10)", """
SELECT ?city ?label (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
  ?city a cd:City ; cd:hasAgreementWith ?partner ; rdfs:label ?label .
  FILTER(lang(?label) = "en")
} GROUP BY ?city ?label ORDER BY DESC(?partners) ?city LIMIT 10"""),
    "q6_partners_of_partners": ("partners of partners not yet partners (path)", f"""
SELECT DISTINCT ?city ?label WHERE {{
  {CITY} cd:hasAgreementWith/cd:hasAgreementWith ?city .
  FILTER(?city != {CITY})
  FILTER NOT EXISTS {{ {CITY} cd:hasAgreementWith ?city }}
  ?city rdfs:label ?label FILTER(lang(?label) = "en")
}} ORDER BY ?label ?city"""),
}


# ---------------------------------------------------------------------------------------------
# measurement helpers
# ---------------------------------------------------------------------------------------------

def _status_kb(field: str) -> int | None:
    try:
        m = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return round((kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024, 1)


def reset_peak() -> None:
    """Make VmHWM start again from the current RSS (Linux >= 4.0), so a phase's peak is its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float:
    kb = _status_kb("VmHWM")
    return round((kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024, 1)


def phase(fn: Callable[[], Any]) -> tuple[Any, float, dict]:
    """Run fn once: (result, seconds, memory) with memory = RSS at start and peak during."""
    reset_peak()
    start = rss_mb()
    t0 = time.perf_counter()
    out = fn()
    sec = time.perf_counter() - t0
    return out, sec, {"rss_start_mb": start, "peak_mb": peak_mb()}


def repeated(fn: Callable[[], Any], reps: int, budget: float) -> tuple[Any, list[float]]:
    """Run fn up to `reps` times, not starting a run that would likely push the total past `budget`."""
    times: list[float] = []
    out = None
    while len(times) < reps:
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if sum(times) + times[-1] > budget:
            break
    return out, times


def forked(fn: Callable[[], Any], timeout: float) -> dict:
    """Run fn in a forked child (own memory peak, killable): {'ok', 'value' | 'error' | 'timeout', 'mem'}."""
    r, w = os.pipe()
    sys.stdout.flush(), sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        try:
            reset_peak()
            start = rss_mb()
            value = fn()
            res = {"ok": True, "value": value, "mem": {"rss_start_mb": start, "peak_mb": peak_mb()}}
        except BaseException as exc:  # report, never propagate out of the child
            res = {"ok": False, "error": repr(exc)}
        with os.fdopen(w, "wb") as f:
            f.write(pickle.dumps(res))
        os._exit(0)
    os.close(w)
    buf = bytearray()
    deadline = time.monotonic() + timeout
    with os.fdopen(r, "rb", buffering=0) as f:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"ok": False, "timeout": True, "error": f"stopped after {timeout:.0f} s"}
            ready, _, _ = select.select([f], [], [], left)
            if ready:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                buf += chunk
    os.waitpid(pid, 0)
    return pickle.loads(bytes(buf)) if buf else {"ok": False, "error": "child exited without a result"}


class _Timeout(Exception):
    pass


def with_alarm(fn: Callable[[], Any], seconds: float) -> Any:
    """Run pure-Python fn in-process, interrupted by SIGALRM after `seconds`."""
    def handler(signum, frame):
        raise _Timeout()
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# worker: one size, in its own process
# ---------------------------------------------------------------------------------------------

def worker(cfg: dict) -> dict:
    import pyoxigraph as ox
    import rdflib

    from kg.core.config import Settings
    from kg.core.convert import ox_to_rdflib_graph
    from kg.core.load import INFERRED_GRAPH, add_triples, ontology_files, parse_file
    from kg.core.namespaces import sparql_prefixes
    from kg.core.query import execute
    from kg.dataset.reason import reason_with_owlrl, reason_with_rules

    size, path = cfg["size"], Path(cfg["data"])
    reps, budget = cfg["reps"], cfg["rep_budget"]
    settings = Settings(ontology_dir=Path(cfg["ontology_dir"]))
    out: dict[str, Any] = {"size": size, "data_file": str(path), "data_bytes": path.stat().st_size,
                           "rss_idle_mb": rss_mb()}

    # --- baseline load first, in a child forked from a near-empty process ---------------------
    if size <= cfg["rdflib_parse_max"]:
        log(f"{size}: rdflib Graph.parse (baseline)")

        def rdflib_parse():
            def once():
                g = rdflib.Graph()
                g.parse(str(path), format="nt")
                return len(g)
            n, times = repeated(once, reps if size <= 100_000 else 1, budget)
            return {"triples": n, "times": times}
        res = forked(rdflib_parse, cfg["baseline_timeout"])
        out["rdflib_parse"] = ({"seconds": statistics.median(res["value"]["times"]), "runs": res["value"]["times"],
                                "triples": res["value"]["triples"], "mem": res["mem"]} if res["ok"] else res)
    else:
        out["rdflib_parse"] = {"skipped": f"size > --rdflib-parse-max {cfg['rdflib_parse_max']}"}

    # --- oxigraph: Store.bulk_load --------------------------------------------------------------
    g_data = ox.NamedNode(settings.graph_iri(DATA_GRAPH))
    log(f"{size}: oxigraph Store.bulk_load")

    def bulk():
        def once():
            s = ox.Store()
            s.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=g_data)
            n = len(s)
            del s
            return n
        return repeated(once, reps if size <= 100_000 else 1, budget)
    (n_bulk, bulk_times), _, mem = phase(bulk)
    out["ox_bulk_load"] = {"seconds": statistics.median(bulk_times), "runs": bulk_times, "quads": n_bulk, "mem": mem}

    # --- oxigraph: the kg.core.load path (parse_file + add_triples = Store.extend) -------------------
    log(f"{size}: oxigraph kg.core.load parse_file + add_triples")

    def kg_load_once():
        s = ox.Store()
        n = add_triples(s, parse_file(path, settings.base_iri), settings.graph_iri(DATA_GRAPH))
        return s, n
    (store, n_data), sec, mem = phase(kg_load_once)  # measured first, so its memory rise is its own
    if size <= 100_000:  # extra runs (store discarded) for a stable median
        _, extra = repeated(lambda: len(kg_load_once()[0]), max(0, reps - 1), max(0.0, budget - sec))
    else:
        extra = []
    runs = [sec, *extra]
    out["ox_kg_load"] = {"seconds": statistics.median(runs), "runs": runs, "quads": n_data, "mem": mem}

    # ontology graphs exactly as kg.dataset.builder.populate loads them
    t0 = time.perf_counter()
    onto_graphs: list = []
    n_onto = 0
    for name, f in ontology_files(settings.ontology_dir):
        n_onto += add_triples(store, parse_file(f, settings.base_iri), settings.graph_iri(name))
        onto_graphs.append(ox.NamedNode(settings.graph_iri(name)))
    onto_graphs = list(dict.fromkeys(onto_graphs))
    out["ontology"] = {"triples": n_onto, "graphs": len(onto_graphs), "seconds": time.perf_counter() - t0}
    graphs = [*onto_graphs, g_data]
    inferred = ox.NamedNode(settings.graph_iri(INFERRED_GRAPH))

    # --- reasoning: rules engine on Oxigraph ----------------------------------------------------
    log(f"{size}: reason_with_rules")
    rep, sec, mem = phase(lambda: reason_with_rules(store, graphs, onto_graphs, inferred))
    out["rules"] = {"seconds": rep.seconds, "inferred": rep.inferred, "rounds": rep.rounds, "mem": mem}
    out["store_quads"] = len(store)

    # --- queries on Oxigraph (kg.core.query.execute: union default graph) ----------------------------
    ox_q: dict[str, dict] = {}
    log(f"{size}: queries on oxigraph")
    reset_peak()
    for name, (_, text) in QUERIES.items():
        q = BENCH_PREFIXES + text
        rows, times = repeated(lambda: len(list(execute(store, q, settings.base_iri))), reps, budget)
        ox_q[name] = {"ms": statistics.median(times) * 1000, "runs": len(times), "rows": rows}
    out["ox_queries"] = ox_q
    out["ox_queries_mem"] = {"peak_mb": peak_mb()}

    # --- owlrl baseline (forked: its own memory, killable) ---------------------------------------
    if size <= cfg["owlrl_max"]:
        log(f"{size}: reason_with_owlrl (baseline; timeout {cfg['owlrl_timeout']} s)")

        def owl():
            owl_graph = ox.NamedNode("urn:bench:owlrl-inferred")
            r = reason_with_owlrl(store, graphs, owl_graph)
            # Compare the two closures (same quads, same blank nodes), as tests/test_reasoning.py does.
            by_rules = {q.triple for q in store.quads_for_pattern(None, None, None, inferred)}
            by_owlrl = {q.triple for q in store.quads_for_pattern(None, None, None, owl_graph)}
            extra = {t for t in by_owlrl - by_rules if t.predicate.value not in SCHEMA_PREDICATES
                     and not (t.predicate.value == RDF_TYPE and (t.object.value in TRIVIAL_TYPES or isinstance(t.object, ox.BlankNode)))}
            return {"seconds": r.seconds, "inferred": r.inferred, "rules_not_in_owlrl": len(by_rules - by_owlrl),
                    "owlrl_not_in_rules": len(by_owlrl - by_rules), "owlrl_not_in_rules_instance_level": len(extra)}
        res = forked(owl, cfg["owlrl_timeout"])
        out["owlrl"] = {**res["value"], "mem": res["mem"]} if res["ok"] else res
    else:
        out["owlrl"] = {"skipped": f"size > --owlrl-max {cfg['owlrl_max']}"}

    # --- rdflib SPARQL baseline on the same quads -----------------------------------------------
    if size <= cfg["rdflib_query_max"]:
        log(f"{size}: building rdflib graph of data + ontology + inferred for the SPARQL baseline")
        g, sec, mem = phase(lambda: ox_to_rdflib_graph(store, [*graphs, inferred]))
        out["rdflib_graph"] = {"triples": len(g), "seconds": sec, "mem": mem}
        head = sparql_prefixes(settings.base_iri) + BENCH_PREFIXES
        rd_q: dict[str, dict] = {}
        reset_peak()
        for name, (_, text) in QUERIES.items():
            log(f"{size}: rdflib SPARQL {name}")
            q = head + text
            try:
                rows, times = with_alarm(lambda: repeated(lambda: len(list(g.query(q))), reps, budget),
                                         cfg["query_timeout"])
                rd_q[name] = {"ms": statistics.median(times) * 1000, "runs": len(times), "rows": rows}
            except _Timeout:
                rd_q[name] = {"timeout": True, "error": f"stopped after {cfg['query_timeout']:.0f} s"}
        out["rdflib_queries"] = rd_q
        out["rdflib_queries_mem"] = {"peak_mb": peak_mb()}
    else:
        out["rdflib_queries"] = {"skipped": f"size > --rdflib-query-max {cfg['rdflib_query_max']}"}
    return out


# ---------------------------------------------------------------------------------------------
# driver and report
# ---------------------------------------------------------------------------------------------

def machine() -> dict:
    def ver(p: str) -> str:
        try:
            return metadata.version(p)
        except metadata.PackageNotFoundError:
            return "absent"
    cpu = ""
    try:
        m = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = m.group(1) if m else ""
    except OSError:
        pass
    mem_gb = None
    try:
        m = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        mem_gb = round(int(m.group(1)) / 1024 / 1024, 1) if m else None
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu": cpu, "mem_gb": mem_gb, "platform": platform.platform(),
            "python": platform.python_version(), "pyoxigraph": ver("pyoxigraph"), "rdflib": ver("rdflib"),
            "owlrl": ver("owlrl")}


def _s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _ms(x: float | None) -> str:
    return "-" if x is None else (f"{x:.2f} ms" if x < 10 else f"{x:.0f} ms" if x < 10_000 else f"{x / 1000:.1f} s")


def _ratio(base: float | None, ours: float | None) -> str:
    if not base or not ours:
        return "-"
    r = base / ours
    return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"


def _mem(d: dict) -> str:
    """Peak RSS during a phase, with its rise over the RSS at the phase's start."""
    m = d.get("mem")
    return f"{m['peak_mb']:.0f} (+{m['peak_mb'] - m['rss_start_mb']:.0f})" if m else "-"


def _why(d: dict) -> str:
    return "skipped" if "skipped" in d else "TIMEOUT" if d.get("timeout") else ("error: " + d["error"]) if "error" in d else "-"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def report_size(r: dict) -> str:
    out = [f"\n=== {r['size']:,} target triples: {r['ox_kg_load']['quads']:,} data triples "
           f"({r['data_bytes'] / 1e6:.1f} MB N-Triples, generated in {r['generate_seconds']:.1f} s) "
           f"+ {r['ontology']['triples']:,} ontology triples in {r['ontology']['graphs']} graphs ==="]
    rp, ob, ok, ru, ow = r["rdflib_parse"], r["ox_bulk_load"], r["ox_kg_load"], r["rules"], r["owlrl"]
    rp_s = rp.get("seconds")
    rows = [
        ["load: kg.core.load (parse_file+extend)", _s(ok["seconds"]), "rdflib Graph.parse", _s(rp_s) if rp_s else _why(rp),
         _ratio(rp_s, ok["seconds"]), _mem(ok), _mem(rp)],
        ["load: Store.bulk_load", _s(ob["seconds"]), "rdflib Graph.parse", _s(rp_s) if rp_s else _why(rp),
         _ratio(rp_s, ob["seconds"]), _mem(ob), _mem(rp)],
        ["reasoning: reason_with_rules", f"{_s(ru['seconds'])} ({ru['inferred']:,} inferred, {ru['rounds']} rounds)",
         "owlrl", f"{_s(ow['seconds'])} ({ow['inferred']:,} inferred)" if "seconds" in ow else _why(ow),
         _ratio(ow.get("seconds"), ru["seconds"]), _mem(ru), _mem(ow)],
    ]
    out.append(_table(rows, ["phase", "oxigraph / kg", "baseline", "baseline time", "baseline/ours", "peak RSS MB ours (+rise)", "peak RSS MB baseline (+rise)"]))
    oq, rq = r["ox_queries"], r["rdflib_queries"]
    qrows, ox_total, rd_total, rd_complete = [], 0.0, 0.0, True
    for name in QUERIES:
        o = oq[name]
        d = rq.get(name, rq) if isinstance(rq, dict) else {}
        ox_total += o["ms"]
        if "ms" in d:
            rd_total += d["ms"]
            match = "yes" if d["rows"] == o["rows"] else f"NO ({d['rows']})"
        else:
            rd_complete = False
            match = "-"
        qrows.append([name, _ms(o["ms"]), str(o["runs"]), str(o["rows"]), _ms(d["ms"]) if "ms" in d else _why(d),
                      str(d.get("runs", "-")), _ratio(d.get("ms"), o["ms"]), match])
    qrows.append(["query mix total (sum of medians)", _ms(ox_total), "", "", _ms(rd_total) if rd_complete else "-", "",
                  _ratio(rd_total, ox_total) if rd_complete else "-", ""])
    out.append("")
    out.append(_table(qrows, ["query", "oxigraph", "runs", "rows", "rdflib SPARQL", "runs", "rdflib/ox", "same rows"]))
    mem = [f"worker RSS when idle (interpreter + imports) {r['rss_idle_mb']:.0f} MB; "
           f"oxigraph store after reasoning: {r['store_quads']:,} quads; peak RSS during oxigraph queries "
           f"{r['ox_queries_mem']['peak_mb']:.0f} MB"]
    if "rdflib_graph" in r:
        rg = r["rdflib_graph"]
        mem.append(f"rdflib graph for the SPARQL baseline: {rg['triples']:,} triples, copied from the store in "
                   f"{_s(rg['seconds'])}; peak RSS during rdflib queries {r['rdflib_queries_mem']['peak_mb']:.0f} MB")
    if "rules_not_in_owlrl" in ow:
        mem.append(f"closures: {ow['rules_not_in_owlrl']:,} rules-engine triples not derived by owlrl; owlrl derives "
                   f"{ow['owlrl_not_in_rules']:,} more, of which {ow['owlrl_not_in_rules_instance_level']:,} remain after "
                   "dropping schema-level and trivial ones (filter of tests/test_reasoning.py)")
    out.append("\n" + "\n".join(mem))
    return "\n".join(out)


def summary(results: list[dict]) -> str:
    rows = []
    for r in results:
        rp, ow = r["rdflib_parse"], r["owlrl"]
        oxt = sum(q["ms"] for q in r["ox_queries"].values())
        rq = r["rdflib_queries"]
        rdt = sum(q["ms"] for q in rq.values()) if all(isinstance(q, dict) and "ms" in q for q in rq.values()) else None
        rows.append([f"{r['size']:,}", _s(r["ox_kg_load"]["seconds"]), _s(r["ox_bulk_load"]["seconds"]),
                     _s(rp.get("seconds")) if "seconds" in rp else _why(rp), _ratio(rp.get("seconds"), r["ox_kg_load"]["seconds"]),
                     _s(r["rules"]["seconds"]), _s(ow["seconds"]) if "seconds" in ow else _why(ow),
                     _ratio(ow.get("seconds"), r["rules"]["seconds"]), _ms(oxt), _ms(rdt) if rdt else _why(rq) if "skipped" in rq else "-",
                     _ratio(rdt, oxt)])
    return _table(rows, ["size", "kg.core.load", "bulk_load", "rdflib parse", "parse/kg.core.load", "rules", "owlrl", "owlrl/rules",
                         "ox query mix", "rdflib query mix", "rdflib/ox"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated target triple counts (default 10000,100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5, help="max runs of each timed thing (median reported)")
    ap.add_argument("--rep-budget", type=float, default=10.0, help="seconds after which no further repetition starts")
    ap.add_argument("--owlrl-max", type=int, default=100_000, help="largest size on which owlrl runs (very slow)")
    ap.add_argument("--owlrl-timeout", type=float, default=600.0)
    ap.add_argument("--rdflib-parse-max", type=int, default=100_000, help="largest size for the rdflib parse baseline")
    ap.add_argument("--rdflib-query-max", type=int, default=100_000, help="largest size for the rdflib SPARQL baseline")
    ap.add_argument("--query-timeout", type=float, default=60.0, help="seconds one rdflib query (all its runs) may take")
    ap.add_argument("--baseline-timeout", type=float, default=600.0, help="seconds the rdflib parse baseline may take")
    ap.add_argument("--json", type=Path, help="also write all figures as JSON here")
    ap.add_argument("--data-dir", type=Path, help="keep generated data here (default: a temporary folder)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:  # internal: measure one size, write JSON to the given file
        cfg = json.loads(Path(args.worker).read_text())
        Path(cfg["result"]).write_text(json.dumps(worker(cfg)))
        return 0

    from generate import Generator

    from kg.core.config import Settings

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    info = machine()
    info["loadavg_start"] = os.getloadavg()
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="cdkg-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        # Snapshot the ontology once, so every size reasons with the same axioms even if the
        # working tree's ontology is edited while the benchmark runs.
        onto_src = Settings().ontology_dir
        onto_dir = Path(tmp) / "ontology"
        shutil.copytree(onto_src, onto_dir, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
        h = hashlib.sha256()
        for f in sorted(onto_dir.rglob("*.ttl")):
            h.update(f.relative_to(onto_dir).as_posix().encode() + b"\0" + f.read_bytes())
        info["ontology"] = {"source": str(onto_src), "sha256": h.hexdigest()[:16]}
        for size in sizes:
            log(f"{size}: generating synthetic data (seed {args.seed})")
            t0 = time.perf_counter()
            gen = Generator(size, args.seed)
            data = data_dir / f"bench-{size}-seed{args.seed}.nt"
            data.write_text(gen.run(), encoding="utf-8")
            gen_s = time.perf_counter() - t0
            del gen
            cfg = {"size": size, "data": str(data), "result": str(Path(tmp) / f"result-{size}.json"),
                   "reps": args.reps, "rep_budget": args.rep_budget, "owlrl_max": args.owlrl_max,
                   "owlrl_timeout": args.owlrl_timeout, "rdflib_parse_max": args.rdflib_parse_max,
                   "rdflib_query_max": args.rdflib_query_max, "query_timeout": args.query_timeout,
                   "baseline_timeout": args.baseline_timeout, "ontology_dir": str(onto_dir)}
            cfg_path = Path(tmp) / f"cfg-{size}.json"
            cfg_path.write_text(json.dumps(cfg))
            t1 = time.perf_counter()
            proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(cfg_path)], cwd=ROOT)
            if proc.returncode != 0:
                log(f"{size}: worker failed with exit code {proc.returncode}")
                continue
            r = json.loads(Path(cfg["result"]).read_text())
            r["generate_seconds"] = gen_s
            r["worker_wall_seconds"] = time.perf_counter() - t1
            results.append(r)
            print(report_size(r), flush=True)
    wall = time.perf_counter() - started
    info["loadavg_end"] = os.getloadavg()

    print("\n=== machine ===")
    print(f"nproc {info['nproc']} | {info['cpu']} | {info['mem_gb']} GB RAM | {info['platform']}")
    print(f"Python {info['python']} | pyoxigraph {info['pyoxigraph']} | rdflib {info['rdflib']} | owlrl {info['owlrl']}")
    print("load average (1/5/15 min) at start {0[0]:.2f}/{0[1]:.2f}/{0[2]:.2f}, at end {1[0]:.2f}/{1[1]:.2f}/{1[2]:.2f} "
          "(other processes share the CPUs; above ~0.5 the figures include contention)".format(info["loadavg_start"], info["loadavg_end"]))
    print(f"ontology {info['ontology']['source']} (snapshot sha256 {info['ontology']['sha256']}, same for every size)")
    print("\n=== summary (medians; ratio = baseline time / oxigraph time) ===")
    print(summary(results))
    print(f"\ncommand: python benchmarks/run.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"total wall time {wall:.0f} s; data are SYNTHETIC (benchmarks/generate.py, seed {args.seed})")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "args": {k: (str(v) if isinstance(v, Path) else v)
                                         for k, v in vars(args).items() if k != "worker"},
                                         "queries": {k: {"title": t, "sparql": q.strip()} for k, (t, q) in QUERIES.items()},
                                         "results": results, "wall_seconds": wall}, indent=2))
    return 0 if len(results) == len(sizes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
