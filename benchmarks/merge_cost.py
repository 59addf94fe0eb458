"""Build-time cost of the materialised default graph (kg/dataset.py), on a built store (not a test).

    python benchmarks/merge_cost.py

Copies the named graphs of build/store into memory, writes them to a scratch on-disk store the way
`cdkg build` does (bulk_extend, flush, optimize), then materialises the merge and writes again:
prints the merge time and both write times, measured in the same run so machine load affects both.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.core import materialise_merge, named_quads


def timed_write(store: ox.Store, path: Path) -> float:
    t0 = time.perf_counter()
    disk = ox.Store(str(path))
    disk.bulk_extend(store)
    disk.flush()
    disk.optimize()
    del disk
    return time.perf_counter() - t0


def main() -> None:
    memory = ox.Store()
    memory.extend(named_quads(ox.Store.read_only(str(Settings().store_dir))))
    scratch = Path(tempfile.mkdtemp(prefix="cdkg-merge-cost-"))
    try:
        named_only = timed_write(memory, scratch / "named")
        t0 = time.perf_counter()
        triples = materialise_merge(memory)
        merge = time.perf_counter() - t0
        with_default = timed_write(memory, scratch / "with-default")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"merge of {triples} triples: {merge:.1f} s; on-disk write of the named graphs {named_only:.1f} s, "
          f"with the default graph {with_default:.1f} s")


if __name__ == "__main__":
    main()
