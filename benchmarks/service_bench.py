"""Benchmark (figures, not a test): the cdkg service over HTTP against two named baselines serving the
same data on 127.0.0.1: rdflib-endpoint (rdflib's in-memory store) and an Oxigraph server.

    python benchmarks/service_bench.py [--reps 20] [--rdflib-reps 3] [--timeout 60]

It uses the current build (`cdkg build` first; the full graph with the global data is ~0.9M quads),
sends a mix of competency queries from queries/ to each server, and prints median and p95 per query,
the ratios, the cdkg service's time to its first answer after start and its RSS (server + workers).
The cdkg service runs twice: as deployed (a repeated query is answered from its result cache) and
with CDKG_RESULT_CACHE_MB=0 (every request evaluated), so both figures are on record.
Every loop is bounded in count and time; only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from kg.dataset.builder import build, is_stale
from kg.core.config import Settings
from kg.dataset.dump import export
from kg.core.query import open_store, query_library

MIX = ["isfahan-sister-cities", "agreements-of-city", "agreement-current-status", "city-network-memberships",
       "aid-shipments", "events-by-kind", "conflicting-figures", "reported-figures", "status-changes-between-dates",
       "tenures"]
BIN = Path(sys.executable).parent
# Large answers (streamed by the cdkg service): 100,000 rows / triples, each as a client that reads it all would.
LARGE = [("100k rows JSON", "SELECT * WHERE { ?s ?p ?o } LIMIT 100000", "application/sparql-results+json"),
         ("100k rows CSV", "SELECT * WHERE { ?s ?p ?o } LIMIT 100000", "text/csv"),
         ("100k rows TSV", "SELECT * WHERE { ?s ?p ?o } LIMIT 100000", "text/tab-separated-values"),
         ("100k triples N-Triples", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 100000", "application/n-triples"),
         ("100k triples Turtle", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 100000", "text/turtle")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, limit: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return time.monotonic() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not up in {limit} s")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the service's query workers)."""
    def children(p: int) -> list[int]:
        out = []
        for task in Path(f"/proc/{p}/task").glob("*"):
            text = (task / "children").read_text().split() if (task / "children").exists() else []
            out += [int(c) for c in text]
        return out
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += children(p)
        except FileNotFoundError:
            pass
    return total / 1024


def time_query(client: httpx.Client, url: str, text: str, reps: int) -> list[float] | None:
    """Wall time per request as a notebook sees it, on one kept-alive connection per server (a new
    httpx client per request costs ~20 ms of TLS set-up on the client side alone, hiding the servers)."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        try:
            r = client.post(url, data={"query": text}, headers={"accept": "application/sparql-results+json"})
        except httpx.TimeoutException:
            return None
        if r.status_code != 200:  # a baseline that cannot answer (rdflib fails some queries) gets no figure
            print(f"  {url}: {r.status_code} {r.text[:160]}", file=sys.stderr)
            return None
        times.append((time.perf_counter() - t0) * 1000)
    return times


def time_large(client: httpx.Client, url: str, text: str, accept: str, reps: int) -> tuple[list[float], list[float], int, int]:
    """Time to first byte and to the last byte (ms) of a large streamed answer; failures counted, not timed."""
    first, total, failures, size = [], [], 0, 0
    for _ in range(reps):
        t0 = time.perf_counter()
        try:
            with client.stream("POST", url, data={"query": text}, headers={"accept": accept}) as r:
                ttfb, size = None, 0
                for chunk in r.iter_bytes():
                    ttfb = ttfb or time.perf_counter() - t0
                    size += len(chunk)
                if r.status_code != 200:
                    failures += 1
                    continue
        except httpx.HTTPError:
            failures += 1
            continue
        first.append(ttfb * 1000)
        total.append((time.perf_counter() - t0) * 1000)
    return first, total, failures, size


def fmt(ms: list[float] | None) -> tuple[str, float | None]:
    if not ms:
        return "timeout/error", None
    med = statistics.median(ms)
    p95 = sorted(ms)[max(0, round(0.95 * len(ms)) - 1)]
    return f"{med:9.1f} / {p95:9.1f}", med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--rdflib-reps", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--large-reps", type=int, default=20, help="repetitions of each large answer (0 = skip them)")
    ap.add_argument("--no-rdflib", action="store_true", help="skip rdflib-endpoint (it takes minutes to load the full graph)")
    args = ap.parse_args()
    settings = Settings()
    if is_stale(settings):
        build(settings)
    quads = len(open_store(settings))
    lib = query_library()
    mix = {name: lib[name].text for name in MIX if name in lib}
    work = Path(tempfile.mkdtemp(prefix="cdkg-svc-bench-"))
    procs: list[subprocess.Popen] = []
    try:
        export(open_store(settings), "nquads", work / "all.nq", settings.base_iri)
        export(open_store(settings), "ntriples", work / "union.nt", settings.base_iri)

        def serve_cdkg(**env: str) -> tuple[subprocess.Popen, str, float]:
            port = free_port()
            proc = subprocess.Popen([str(BIN / "cdkg"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                    env={**os.environ, "CDKG_BUILD_DIR": str(settings.build_dir), **env},
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(proc)
            return proc, f"http://127.0.0.1:{port}/sparql", wait_up(f"http://127.0.0.1:{port}/sparql", proc, 120)

        # As deployed (repeats answered from the result cache), and with the cache off: every request evaluated.
        ours, url, first = serve_cdkg()
        _, cold_url, _ = serve_cdkg(CDKG_RESULT_CACHE_MB="0")
        servers = {"cdkg": url, "cdkg no cache": cold_url}

        oxi = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
        if oxi:
            subprocess.run([oxi, "load", "--location", str(work / "oxi"), "--file", str(work / "all.nq")], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
            oport = free_port()
            p = subprocess.Popen([oxi, "serve-read-only", "--location", str(work / "oxi"), "--bind", f"127.0.0.1:{oport}",
                                  "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(p)
            wait_up(f"http://127.0.0.1:{oport}/query", p, 60)
            servers["oxigraph serve"] = f"http://127.0.0.1:{oport}/query"

        rdfe = None if args.no_rdflib else shutil.which("rdflib-endpoint", path=str(BIN)) or shutil.which("rdflib-endpoint")
        if rdfe:
            rport = free_port()
            p = subprocess.Popen([rdfe, "serve", str(work / "union.nt"), "--host", "127.0.0.1", "--port", str(rport)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(p)
            wait_up(f"http://127.0.0.1:{rport}/", p, 900)
            servers["rdflib-endpoint"] = f"http://127.0.0.1:{rport}/"

        print(f"data: {quads:,} quads; cdkg service: first answer {first:.1f} s after start, "
              f"RSS {rss_mb(ours.pid):.0f} MB (server + workers)")
        print(f"{'query':30} " + " ".join(f"{name + ' med/p95 ms':>26}" for name in servers)
              + "   rdflib-endpoint/cdkg   oxigraph/cdkg   rdflib/no-cache   oxigraph/no-cache")
        clients = {server: httpx.Client(timeout=args.timeout) for server in servers}
        ratios: dict[str, list[float]] = {"rdflib-endpoint": [], "oxigraph serve": [], "cdkg no cache": []}
        cold: dict[str, list[float]] = {"rdflib-endpoint": [], "oxigraph serve": []}
        for name, text in mix.items():
            cells, meds = [], {}
            for server, url in servers.items():
                reps = args.rdflib_reps if server == "rdflib-endpoint" else args.reps
                cell, meds[server] = fmt(time_query(clients[server], url, text, reps))
                cells.append(f"{cell:>26}")
            for other in ratios:
                if meds.get(other) and meds.get("cdkg"):
                    ratios[other].append(meds[other] / meds["cdkg"])
            ratio = lambda other, ours="cdkg": f"{meds[other] / meds[ours]:.1f}x" if meds.get(other) and meds.get(ours) else "-"  # noqa: E731
            print(f"{name:30} " + " ".join(cells) + f"   {ratio('rdflib-endpoint'):>20}   {ratio('oxigraph serve'):>13}"
                  f"   {ratio('rdflib-endpoint', 'cdkg no cache'):>14}   {ratio('oxigraph serve', 'cdkg no cache'):>14}")
            for other in ("rdflib-endpoint", "oxigraph serve"):
                if meds.get(other) and meds.get("cdkg no cache"):
                    cold[other].append(meds[other] / meds["cdkg no cache"])
        for mine, table in (("cdkg", ratios), ("cdkg no cache", cold)):
            for other, values in table.items():
                if values:
                    print(f"{other} / {mine} over the mix: median {statistics.median(values):.1f}x, geometric mean "
                          f"{statistics.geometric_mean(values):.1f}x, min {min(values):.1f}x, max {max(values):.1f}x")
        print(f"cdkg service RSS after the mix: {rss_mb(ours.pid):.0f} MB")
        if args.large_reps:
            large_servers = {k: v for k, v in servers.items() if k in ("cdkg no cache", "oxigraph serve")}
            print(f"large answers, {args.large_reps} runs each: median time to first byte / median total ms, failures, bytes")
            cold_proc, peak, sampling = procs[1], [0.0], threading.Event()

            def sample() -> None:  # peak RSS of the service (server + workers) while it streams large answers
                while not sampling.wait(0.2):
                    peak[0] = max(peak[0], rss_mb(cold_proc.pid))
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            for name, text, accept in LARGE:
                cells, totals = [], {}
                for server, url in large_servers.items():
                    first, total, failures, size = time_large(clients[server], url, text, accept, args.large_reps)
                    totals[server] = statistics.median(total) if total else None
                    cell = (f"{statistics.median(first):7.0f} / {statistics.median(total):7.0f}" if total else "error")
                    cells.append(f"{server}: {cell}, {failures} failed, {size:,} B")
                ratio = (f"{totals['oxigraph serve'] / totals['cdkg no cache']:.2f}x"
                         if totals.get("oxigraph serve") and totals.get("cdkg no cache") else "-")
                print(f"  {name:24} " + " | ".join(cells) + f" | oxigraph/cdkg total {ratio}")
            sampling.set()
            sampler.join(timeout=5)
            print(f"cdkg service (no cache) peak RSS during the large answers: {peak[0]:.0f} MB (server + workers)")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
