"""Cost of running each SPARQL query in a killable worker process instead of in the server process.

Runs the same queries (a) in this process on a read-only store and (b) through api.sparql.query_pool's
workers (pipe round trip, pickling, result frames), and prints median and p95 per query and the
difference. Usage: python benchmarks/query_worker_overhead.py [--build-dir build] [--n 200]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from api.sparql.query_job import QueryJob, collect
from api.sparql.query_pool import QueryPool
from kg.core.config import Settings
from kg.core.namespaces import prefixes

QUERIES = {
    "ask-empty": "ASK {}",
    "labels-of-isfahan": "SELECT ?l WHERE { place:isfahan rdfs:label ?l }",
    "cities-100": "SELECT ?c ?l WHERE { ?c a cd:City ; rdfs:label ?l } LIMIT 100",
    "construct-isfahan": "CONSTRUCT { place:isfahan ?p ?o } WHERE { place:isfahan ?p ?o }",
}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


async def main(build_dir: Path, n: int) -> None:
    settings = Settings(build_dir=build_dir)
    store = ox.Store.read_only(str(settings.store_dir))
    pool = QueryPool(str(settings.store_dir), 1, 30)
    await pool.start()
    print(f"store: {len(store)} quads; {n} runs per query; times in ms")
    print(f"{'query':22} {'in-process med/p95':>20} {'worker med/p95':>18} {'overhead med':>13}")
    try:
        for name, q in QUERIES.items():
            job = QueryJob(q, prefixes=prefixes(settings.base_iri), result_format="json", graph_format="turtle")
            await pool.run(job)  # warm the worker (store opened on first job)
            local, remote = [], []
            for _ in range(n):
                t0 = time.perf_counter()
                collect(store, job)
                local.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                await pool.run(job)
                remote.append((time.perf_counter() - t0) * 1000)
            lm, wm = statistics.median(local), statistics.median(remote)
            print(f"{name:22} {lm:9.3f} / {pct(local, .95):7.3f} {wm:9.3f} / {pct(remote, .95):7.3f} {wm - lm:12.3f}")
    finally:
        await pool.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", type=Path, default=Settings().build_dir)
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    asyncio.run(main(args.build_dir, args.n))
