"""Benchmark of the publication gate: the fast path (shapes compiled to SPARQL on Oxigraph) next to
plain pyshacl, on SYNTHETIC data of the seed-articles shape (benchmarks/generate.py), plus the check of a
~1k-triple contribution in the context of the published graph.

    python benchmarks/validate_bench.py                       # 5k, 100k and 500k triples
    python benchmarks/validate_bench.py --sizes 20000 --pyshacl-max 20000   # pyshacl takes minutes here

For each size: the data is loaded with the ontology and reasoned (as `cdkg build` does), then validated
by each engine; "same" says whether both engines gave identical results. Goals (issue 4): full gate on
~0.5M triples under 30 s, a 1k-triple contribution under 1 s.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from kg.core.config import Settings  # noqa: E402
from kg.validation.contribution import scratch_copy, stage  # noqa: E402
from kg.validation.validate import load_shapes, read_contribution, run_engine, standalone_store  # noqa: E402

FACT_STARTS = ("<https://w3id.org/cdkg/id/bench/agreement/", "<https://w3id.org/cdkg/id/bench/membership/",
               "<https://w3id.org/cdkg/id/bench/event/")
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def synthetic(n: int, contribution: int, seed: int = 1) -> tuple[str, str]:
    """(published, contribution) N-Triples: the contribution is the last facts of one generated dataset."""
    try:
        from generate import generate
    except ImportError:  # the generator ships beside this script; say so rather than invent data here
        raise SystemExit("benchmarks/generate.py is missing: it makes the synthetic data")
    lines = generate(n + contribution, seed).splitlines(keepends=True)
    cut = len(lines) - contribution
    while cut < len(lines) and not (lines[cut].startswith(FACT_STARTS) and f" {TYPE} " in lines[cut]):
        cut += 1
    return "".join(lines[:cut]), "".join(lines[cut:])


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def run(size: int, contribution_size: int, pyshacl_max: int, settings: Settings, work: Path) -> dict:
    published, contribution = synthetic(size, contribution_size)
    data = work / f"published-{size}.nt"
    data.write_text(published, encoding="utf-8")
    (contrib_path := work / f"contribution-{size}.nt").write_text(contribution, encoding="utf-8")
    shapes = load_shapes(settings.shapes_dir)
    (store, load_s) = timed(lambda: standalone_store(read_contribution([data], settings)[0], settings))
    row = {"triples": published.count("\n") - 1, "quads_with_inferences": len(store), "load_and_reason_s": load_s}
    fast, row["fast_s"] = timed(run_engine, store, shapes, "fast")
    row["results"] = len(fast.results)
    if size <= pyshacl_max:
        ref, row["pyshacl_s"] = timed(run_engine, store, shapes, "pyshacl")
        row["same"] = ref.keys() == fast.keys()
    contrib, _ = read_contribution([contrib_path], settings)
    row["contribution_triples"] = len(contrib)
    with scratch_copy(store) as scratch:  # in memory here; an on-disk build is checkpointed in ~1 ms
        t0 = time.perf_counter()
        scope = stage(scratch, settings, contrib)
        scoped = run_engine(scratch, shapes, "fast", scope=scope)
        row["contribution_s"] = time.perf_counter() - t0
        row["contribution_results"] = len(scoped.results)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5_000, 100_000, 500_000], help="synthetic triples per run")
    ap.add_argument("--contribution", type=int, default=1000, help="triples in the contribution (default 1000)")
    ap.add_argument("--pyshacl-max", type=int, default=5_000, help="skip plain pyshacl above this size (about 5 minutes for 20k here)")
    args = ap.parse_args(argv)
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    settings = Settings()
    header = f"{'triples':>9} {'+inferred':>10} {'pyshacl s':>10} {'fast s':>8} {'speed-up':>9} {'same':>5} {'results':>8} {'1k contrib s':>13}"
    print("SYNTHETIC data (benchmarks/generate.py); times in seconds on this machine", flush=True)
    print(header, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            r = run(size, args.contribution, args.pyshacl_max, settings, Path(tmp))
            ps = r.get("pyshacl_s")
            print(f"{r['triples']:>9} {r['quads_with_inferences']:>10} {ps if ps is None else round(ps, 2)!s:>10} "
                  f"{r['fast_s']:>8.2f} {(ps / r['fast_s']) if ps else float('nan'):>8.1f}x {str(r.get('same', '-')):>5} "
                  f"{r['results']:>8} {r['contribution_s']:>13.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
