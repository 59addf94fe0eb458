"""Benchmark (full build): every queries/*.rq on the embedded store and on a running remote store (Virtuoso,
the Oxigraph server) that holds the build's named graphs (e.g. after `cdkg publish --remote`), the dataset
restricted to those graphs;
prints per query the time on each, the rows, and whether the answers are the same (modulo the engine
freedoms of tests/compare_answers.py). Figures in docs/scale-out.md.

    .venv/bin/python benchmarks/compare_virtuoso.py http://127.0.0.1:8890/sparql [query-name ...]
    .venv/bin/python benchmarks/compare_virtuoso.py http://127.0.0.1:7878/query     # oxigraph serve-read-only
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from compare_answers import ask_endpoint, local_rows, remote_rows  # noqa: E402
from kg.core import Settings, open_store  # noqa: E402
from kg.core.query import query_library, run_query  # noqa: E402


def main() -> None:
    endpoint, names = sys.argv[1], sys.argv[2:]
    store = open_store(Settings())
    graphs = sorted(g.value for g in store.named_graphs())
    library = query_library()
    same = 0
    for name in names or sorted(library):
        text = library[name].text
        t0 = time.perf_counter()
        res = run_query(store, text)
        mine = local_rows(res, text)
        t1 = time.perf_counter()
        r = ask_endpoint(endpoint, text, graphs, timeout=300)
        t2 = time.perf_counter()
        theirs = remote_rows(r.json(), res.variables, text) if r.status_code == 200 else None
        ok = theirs == mine
        same += ok
        verdict = "same" if ok else (f"HTTP {r.status_code}" if theirs is None else f"DIFFERENT ({len(theirs)} rows)")
        print(f"{name:38} embedded {t1 - t0:6.2f} s  remote {t2 - t1:6.2f} s  rows {len(mine):6}  {verdict}", flush=True)
    print(f"{same} of {len(names or library)} the same")


if __name__ == "__main__":
    main()
