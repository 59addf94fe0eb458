"""Intake quality and speed on the five seed articles, against the curated gold standard.

    .venv/bin/python benchmarks/intake_bench.py [--details]

Prints, per category, true positives / gold / proposed, recall and precision; the seconds each
article takes (read + analyse + render, gazetteer already loaded) and the gazetteer's load time:
first load in a fresh process (from the cache `cdkg build` writes, or made then), again in the same
process, and read from the store without the cache (what the build pays once, and the first
intake after a write through the service). Needs ../shared/seeds.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pyoxigraph as ox

from kg.core import Settings
from kg.intake.names import gazetteer_of, load_gazetteer
from kg.intake.pipeline import analyse, render
from kg.intake.read import read_article
from kg.intake.score import CATEGORIES, Tally, gold, gold_documents, predicted
from kg.core import data_dir, shared_dir

GOALS = {"agreements": 0.9, "figures": 0.9, "posts": 0.8, "dates": 0.8, "memberships": None}


def main() -> int:
    seeds = shared_dir() / "seeds"
    if not seeds.is_dir():
        print(f"no seed articles at {seeds}", file=sys.stderr)
        return 2
    settings = Settings()
    cached = (settings.build_dir / "intake-gazetteer.pickle").is_file()
    probe = ("import time; from kg.intake.names import load_gazetteer; t = time.perf_counter(); load_gazetteer(); "
             "print(time.perf_counter() - t)")  # the load, not the interpreter's start-up and imports
    fresh = float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                 timeout=300, env=os.environ).stdout.split()[-1])
    t = time.perf_counter()
    gaz = load_gazetteer(settings)
    warm = time.perf_counter() - t
    source = "built store" if settings.store_dir.is_dir() else "data files"
    print(f"gazetteer: {len(gaz.entities)} entities, {len(gaz.by_key)} name keys from the {source}; "
          f"first load in a fresh process {fresh:.2f} s ({'from the cache the build or an earlier load wrote' if cached else 'no cache yet: read and cached then'}), "
          f"again {warm:.3f} s")
    if settings.store_dir.is_dir():
        t = time.perf_counter()
        gazetteer_of(ox.Store.read_only(str(settings.store_dir)))
        print(f"gazetteer read from the store without the cache (the build's extra step; after a write through "
              f"the service): {time.perf_counter() - t:.2f} s")
    folder = data_dir() / "seed-articles"
    tallies = {c: Tally() for c in CATEGORIES}
    seconds = []
    for doc_id, file in sorted(gold_documents(folder).items()):
        t = time.perf_counter()
        a = analyse(read_article(str(seeds / file)), gaz)
        render(a, gaz)
        seconds.append(time.perf_counter() - t)
        g, p = gold(folder, doc_id), predicted(a)
        for c in CATEGORIES:
            tallies[c].add(g[c], p[c], doc_id)
    print(f"{'category':<12} {'found':>5} {'gold':>5} {'proposed':>8} {'recall':>7} {'precision':>9}  goal")
    for c in CATEGORIES:
        t = tallies[c]
        r = "-" if t.recall is None else f"{t.recall:.0%}"
        p = "-" if t.precision is None else f"{t.precision:.0%}"
        goal = f"recall >= {GOALS[c]:.0%}, precision >= 70%" if GOALS[c] else "precision >= 70%"
        print(f"{c:<12} {t.tp:>5} {t.tp + t.fn:>5} {t.tp + t.fp:>8} {r:>7} {p:>9}  {goal}")
    print("seconds per article: " + ", ".join(f"{s:.2f}" for s in seconds) +
          f" (first {seconds[0]:.2f}, max after the first {max(seconds[1:]):.2f})")
    if "--details" in sys.argv:
        def show(x) -> str:
            if isinstance(x, str):
                return x
            return " ".join("–".join(sorted(v)) if isinstance(v, frozenset) else str(v) for v in x)

        for c in CATEGORIES:
            for doc, x in tallies[c].misses:
                print(f"missed   {c:<11} {doc} {show(x)}")
            for doc, x in tallies[c].extras:
                print(f"extra    {c:<11} {doc} {show(x)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
