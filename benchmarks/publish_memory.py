"""Peak memory and time of the remote push of a SYNTHETIC graph (benchmarks/generate.py) to a real
OpenLink Virtuoso on 127.0.0.1 (tests/virtuoso.py): the per-graph signatures and the batched push
(kg.release.remote), i.e. what `cdkg publish --remote` does after writing the release files.
Measured in a child process from /proc/self/status: its resident memory after opening the store
(baseline), the peak while computing signatures, and the peak while pushing (VmHWM reset between).

    .venv/bin/python benchmarks/publish_memory.py --triples 5000000 [--batch 100000]

Figures in docs/scale-out.md. tests/test_publish_virtuoso.py::test_push_memory_is_bounded_by_one_batch
runs `probe` at a size CI affords.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRAPH = "https://w3id.org/cdkg/id/bench/graph/synthetic"


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux >= 4.0)


def load_store(nt: Path, store_dir: Path, graph: str = GRAPH) -> int:
    """Bulk-load an N-Triples file into `graph` of a new on-disk store; returns the triples loaded."""
    import pyoxigraph as ox
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    store.flush()
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    del store
    return n


def _child(store_dir: str, url: str, user: str, password: str, batch: int, state: str) -> None:
    import pyoxigraph as ox

    from kg.release.auth import RemoteAuth
    from kg.release.remote import GraphStore, push
    from kg.release.signature import graph_signatures
    store = ox.Store.read_only(store_dir)
    base = _status_mb("VmRSS")
    _reset_peak()
    t0 = time.perf_counter()
    sigs = graph_signatures(store)
    t1 = time.perf_counter()
    sig_peak = _status_mb("VmHWM")
    _reset_peak()
    before_push = _status_mb("VmRSS")
    push(store, GraphStore(url, RemoteAuth(user, password), batch=batch), sigs, Path(state))
    t2 = time.perf_counter()
    print(json.dumps({"baseline_mb": base, "signatures_peak_mb": sig_peak, "signatures_s": t1 - t0,
                      "before_push_mb": before_push, "push_peak_mb": _status_mb("VmHWM"), "push_s": t2 - t1,
                      "triples": sum(s["triples"] for s in sigs.values())}))


def probe(store_dir: Path, url: str, user: str, password: str, batch: int, state: Path, timeout: float = 3600) -> dict:
    """Signatures and push of every named graph of the store at `store_dir`, in a child process."""
    p = subprocess.run([sys.executable, __file__, "--child", str(store_dir), url, user, password, str(batch), str(state)],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"push probe failed: {p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:6], int(sys.argv[6]), sys.argv[7])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=5_000_000)
    ap.add_argument("--batch", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tests"))
    sys.path.insert(0, str(root / "benchmarks"))
    from generate import Generator
    from virtuoso import PASSWORD, USER, running_virtuoso
    tmp = Path(tempfile.mkdtemp(prefix="cdkg-publish-memory-"))
    t0 = time.perf_counter()
    gen = Generator(args.triples, args.seed)
    (tmp / "synthetic.nt").write_text(gen.run(), encoding="utf-8")
    del gen
    n = load_store(tmp / "synthetic.nt", tmp / "store")
    print(f"generated and loaded {n} triples (one named graph) in {time.perf_counter() - t0:.1f} s", flush=True)
    with running_virtuoso(tmp / "virtuoso") as (base, _, started):
        print(f"virtuoso answered after {started:.1f} s", flush=True)
        r = probe(tmp / "store", f"{base}/sparql-graph-crud-auth", USER, PASSWORD, args.batch, tmp / "state.json")
        import httpx
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
        remote = httpx.get(f"{base}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"},
                           timeout=600).json()["results"]["bindings"][0]["n"]["value"]
    print(json.dumps({**r, "batch": args.batch, "remote_triples": int(remote)}, indent=1))
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
