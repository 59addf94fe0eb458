"""Quality checks written as SPARQL files (ontology/checks/*.rq): any returned row is a failure."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core import Settings
from kg.core import INFERRED_GRAPH, META_GRAPH, ONTOLOGY_GRAPH


@dataclass
class CheckResult:
    name: str
    title: str
    rows: list[dict[str, str | None]]

    @property
    def passed(self) -> bool:
        return not self.rows


def check_files(settings: Settings) -> list[Path]:
    return sorted((settings.ontology_dir / "checks").glob("*.rq"))


def run_checks(store: ox.Store, settings: Settings, files: list[Path] | None = None) -> list[CheckResult]:
    from kg.core import parse_header

    # The check files name the graphs by placeholders; these are project files, not user input.
    bindings = {
        "?ontologyPrefix": f'"{settings.graph_iri(ONTOLOGY_GRAPH)}"',
        "?inferredGraph": f"<{settings.graph_iri(INFERRED_GRAPH)}>",
        "?metaGraph": f"<{settings.graph_iri(META_GRAPH)}>",
    }
    results = []
    for path in files or check_files(settings):
        text = path.read_text(encoding="utf-8")
        sparql = text
        for placeholder, value in bindings.items():
            sparql = sparql.replace(placeholder, value)
        res = store.query(sparql)
        names = [v.value for v in res.variables]
        rows = [{n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in res]
        results.append(CheckResult(path.stem, parse_header(text).get("title", path.stem), rows))
    return results
