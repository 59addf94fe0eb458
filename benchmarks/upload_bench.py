"""What the upload worker process costs: POST /validate of a one-triple N-Triples body through the
service (checks, checkpoint, worker process, validation) next to the same validation run in this
process (parse_body + validate_contribution, warm: what the service did before uploads had workers).

    CDKG_BUILD_DIR=... CDKG_DATA_DIR=... python benchmarks/upload_bench.py [--uploads 12]

Uploads are sent one second apart (as a person would), from one kept-alive client on 127.0.0.1; the
first upload after start-up also starts the fork server and is reported apart.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from kg.core import Settings, open_store  # noqa: E402
from kg.validation import parse_body, validate_contribution  # noqa: E402

BODY = (b"<https://w3id.org/cdkg/id/agreement/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<https://w3id.org/cdkg/ontology#Agreement> .\n")


def in_process(settings: Settings, n: int) -> list[float]:
    store = open_store(settings)
    out = []
    for _ in range(n + 1):
        t = time.perf_counter()
        validate_contribution(parse_body(BODY, ox.RdfFormat.N_TRIPLES, settings), store, settings)
        out.append((time.perf_counter() - t) * 1000)
    return out[1:]  # the first pays for loading the shapes


def through_service(settings: Settings, n: int) -> list[float]:
    from conftest import CDKG
    from service import running_service

    with running_service(settings.build_dir, startup=120, command=[*CDKG, "serve"]) as base, httpx.Client(timeout=120) as client:
        out = []
        for _ in range(n + 1):
            t = time.perf_counter()
            r = client.post(f"{base}/validate", content=BODY, headers={"content-type": "application/n-triples"})
            assert r.status_code == 200, r.text
            out.append((time.perf_counter() - t) * 1000)
            time.sleep(1.0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=12)
    args = parser.parse_args()
    settings = Settings()
    local = in_process(settings, args.uploads)
    served = through_service(settings, args.uploads)
    print(f"in process (no worker), median of {len(local)}: {statistics.median(local):.0f} ms")
    print(f"POST /validate, first upload after start: {served[0]:.0f} ms")
    print(f"POST /validate, median of the next {len(served) - 1}: {statistics.median(served[1:]):.0f} ms "
          f"(p90 {sorted(served[1:])[int(0.9 * (len(served) - 1))]:.0f} ms)")


if __name__ == "__main__":
    main()
