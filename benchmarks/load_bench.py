"""Load held by the cdkg service (figures, not a test): N concurrent clients on 127.0.0.1 send a mix of
competency queries (queries/) and light lookups for a fixed time, against `cdkg serve` as deployed
(repeats answered from the result cache: the "cached" mix) and with CDKG_RESULT_CACHE_MB=0 (every
request evaluated in a query worker: the "uncached" mix).

    python benchmarks/load_bench.py [--clients 16] [--seconds 30] [--timeout 30]

It uses the current build (`cdkg build` first; the full graph is ~0.9M quads) and prints, per mix, the
requests answered, errors (any status but 200, or a failed request), requests/s, p50 and p99 latency,
and the quads /health reports before and after (nothing lost). Bounded: each client stops at the time
limit and every request has a timeout. Clients and server share this machine's cores.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from kg.core.config import Settings
from kg.core.query import query_library
from kg.dataset.builder import build, is_stale

MIX = ["isfahan-sister-cities", "agreements-of-city", "agreement-current-status", "city-network-memberships",
       "aid-shipments", "events-by-kind", "conflicting-figures", "reported-figures", "status-changes-between-dates",
       "tenures"]
LIGHT = ["ASK { place:isfahan a cd:City }", "SELECT ?l WHERE { place:isfahan rdfs:label ?l } LIMIT 5"]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(settings: Settings, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "cdkg"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env={**os.environ, "CDKG_BUILD_DIR": str(settings.build_dir), "CDKG_WARM_NETWORK": "0", **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("cdkg serve exited")
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("cdkg serve did not start in 120 s")


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]


def run_mix(base: str, queries: list[str], clients: int, seconds: float, timeout: float) -> dict:
    """`clients` threads, each with its own connection, cycling through `queries` (each from its own
    offset) until `seconds` have passed."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop = start + seconds

    def client(offset: int) -> None:
        mine, bad = [], []
        with httpx.Client(timeout=timeout) as http:
            i = offset
            while time.monotonic() < stop:
                text = queries[i % len(queries)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = http.post(f"{base}/sparql", data={"query": text},
                                  headers={"accept": "application/sparql-results+json"})
                    if r.status_code != 200:
                        bad.append(f"{r.status_code} {r.text[:80]}")
                except httpx.HTTPError as exc:
                    bad.append(type(exc).__name__)
                mine.append(time.perf_counter() - t0)
        with lock:
            times.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(n * 3,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + timeout + 10)
    elapsed = time.monotonic() - start
    times.sort()
    return {"requests": len(times), "errors": len(errors), "first_errors": errors[:3], "rps": len(times) / elapsed,
            "p50": percentile(times, 0.50) * 1000, "p99": percentile(times, 0.99) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30.0, help="duration of each mix")
    ap.add_argument("--timeout", type=float, default=30.0, help="per request")
    args = ap.parse_args()
    settings = Settings()
    if is_stale(settings):
        build(settings)
    lib = query_library()
    queries = [lib[name].text for name in MIX if name in lib] + LIGHT
    print(f"mix: {len(queries)} queries ({len(queries) - len(LIGHT)} competency queries from queries/, "
          f"{len(LIGHT)} lookups), {args.clients} clients, {args.seconds:g} s each")
    for label, env in (("cached", {}), ("uncached", {"CDKG_RESULT_CACHE_MB": "0"})):
        proc, base = serve(settings, **env)
        try:
            before = httpx.get(f"{base}/health", timeout=30).json()["quads"]
            for text in queries:  # each query once, so both mixes start with warm workers (and a filled cache)
                httpx.post(f"{base}/sparql", data={"query": text}, timeout=args.timeout)
            out = run_mix(base, queries, args.clients, args.seconds, args.timeout)
            after = httpx.get(f"{base}/health", timeout=30).json()["quads"]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(f"{label:9} {out['requests']:6d} requests, {out['errors']} errors, {out['rps']:7.1f} requests/s, "
              f"p50 {out['p50']:7.1f} ms, p99 {out['p99']:7.1f} ms; quads before/after {before:,}/{after:,}"
              + (f"; first errors: {out['first_errors']}" if out["errors"] else ""))


if __name__ == "__main__":
    main()
