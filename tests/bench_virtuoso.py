"""Benchmark (not collected by pytest): the full build published to a fresh Virtuoso with Digest auth,
republished unchanged, the query library timed on the embedded store and on Virtuoso, and Virtuoso's
bulk loader on the release's dataset.nq. Needs `cdkg build` first. Figures in docs/scale-out.md.

    .venv/bin/python tests/bench_virtuoso.py
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from compare_answers import ask_endpoint, local_rows, remote_rows  # noqa: E402
from kg.core import Settings, open_store  # noqa: E402
from kg.core.query import query_library, run_query  # noqa: E402
from virtuoso import PASSWORD, USER, isql, running_virtuoso  # noqa: E402


def publish(url: str, release: Path) -> tuple[float, str]:
    env = {**os.environ, "CDKG_REMOTE_USER": USER, "CDKG_REMOTE_PASSWORD": PASSWORD}
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "kg.cli", "publish", "--release-dir", str(release), "--remote", url],
                       env=env, capture_output=True, text=True, timeout=3600)
    took = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(p.stderr)
    title = next((line for line in p.stdout.splitlines() if line.startswith("remote ")), "")
    return took, title


def main() -> None:
    settings = Settings()
    tmp = Path(tempfile.mkdtemp(prefix="cdkg-bench-virtuoso-"))
    with running_virtuoso(tmp / "v") as (base, sql_port, started):
        print(f"virtuoso start: {started:.1f} s")
        url = f"{base}/sparql-graph-crud-auth"
        took, title = publish(url, tmp / "release")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"first publish (build up to date: validate, release files, push): {took:.1f} s; {title}; peak RSS {peak:.0f} MB")
        took, title = publish(url, tmp / "release")
        print(f"republish, unchanged: {took:.1f} s; {title}")
        store = open_store(settings)
        graphs = sorted(g.value for g in store.named_graphs())
        local_n = {g: sum(1 for _ in store.quads_for_pattern(None, None, None, __import__('pyoxigraph').NamedNode(g))) for g in graphs}
        q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        remote_n = {b["g"]["value"]: int(b["n"]["value"]) for b in ask_endpoint(f"{base}/sparql", q, graphs).json()["results"]["bindings"]}
        print(f"graphs {len(graphs)}, triples local {sum(local_n.values())}, remote {sum(remote_n.values())}, "
              f"per-graph counts equal: {local_n == remote_n}")
        same, t_local, t_remote = 0, 0.0, 0.0
        for name, nq in sorted(query_library().items()):
            t0 = time.perf_counter()
            res = run_query(store, nq.text)
            mine = local_rows(res, nq.text)
            t1 = time.perf_counter()
            r = ask_endpoint(f"{base}/sparql", nq.text, graphs, timeout=300)
            t2 = time.perf_counter()
            t_local += t1 - t0
            t_remote += t2 - t1
            ok = r.status_code == 200 and remote_rows(r.json(), res.variables, nq.text) == mine
            same += ok
            print(f"  {name}: embedded {t1 - t0:.2f} s, virtuoso {t2 - t1:.2f} s, rows {len(mine)}, {'same' if ok else 'DIFFERENT ' + str(r.status_code)}")
        print(f"query library: {same}/{len(query_library())} same answers; embedded {t_local:.1f} s, virtuoso {t_remote:.1f} s in all")
        nq_path = (tmp / "release").resolve() / "dataset.nq"
    with running_virtuoso(tmp / "bulk") as (base, sql_port, _):
        shutil.copy(nq_path, tmp / "bulk" / "dataset.nq")
        t0 = time.perf_counter()
        isql(sql_port, f"ld_dir('{tmp / 'bulk'}', 'dataset.nq', 'urn:cdkg:unused-default'); rdf_loader_run(); checkpoint;", timeout=1800)
        print(f"bulk loader (ld_dir + rdf_loader_run + checkpoint) of dataset.nq: {time.perf_counter() - t0:.1f} s")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
