"""Validation reports for people (text grouped by focus node) and machines (Turtle, JSON, JUnit XML)."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SH

from kg.core import prefixes
from kg.validation.shacl_results import SEVERITIES, SEVERITY_NAMES, ValidationReport, ValidationResult

FORMATS = ("text", "turtle", "json", "junit")
SHAPES_NS = "https://w3id.org/cdkg/shapes#"


def _names(base_iri: str) -> list[tuple[str, str]]:
    table = {**prefixes(base_iri), "cdsh": SHAPES_NS, "sh": str(SH)}
    return sorted(table.items(), key=lambda kv: -len(kv[1]))


def short(term, base_iri: str = "https://w3id.org/cdkg/") -> str:
    """A CURIE where a project prefix fits, N-Triples syntax otherwise (blank nodes as _:id)."""
    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        for p, ns in _names(base_iri):
            if str(term).startswith(ns) and len(str(term)) > len(ns):
                return f"{p}:{str(term)[len(ns):]}"
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        return term.n3()
    return f"_:{term}"


def _display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else path
    except ValueError:
        return path


def _by_focus(report: ValidationReport) -> list[tuple[object, list[ValidationResult]]]:
    groups: dict = defaultdict(list)
    for r in report.results:
        groups[r.focus].append(r)
    order = {s: i for i, s in enumerate(SEVERITIES)}

    def rank(item):
        focus, results = item
        return (min(order.get(r.severity, 9) for r in results), str(focus))

    return sorted(groups.items(), key=rank)


def summary(report: ValidationReport) -> str:
    counts = ", ".join(f"{report.count(s)} {SEVERITY_NAMES[s]}{'s' if report.count(s) != 1 else ''}" for s in SEVERITIES)
    nodes = len({r.focus for r in report.results})
    scope = f", {report.focus_scope} nodes checked" if report.focus_scope is not None else ""
    return f"{counts} on {nodes} node{'s' if nodes != 1 else ''} ({report.engine} engine, {report.seconds:.2f} s{scope})"


def to_text(report: ValidationReport, base_iri: str = "https://w3id.org/cdkg/") -> str:
    """Results grouped by focus node: its labels (en, fa), where it is defined, then each result."""
    lines = []
    for focus, results in _by_focus(report):
        head = short(focus, base_iri)
        owners = report.owners.get(focus, [])
        if owners:
            head += "  (" + ", ".join(f"{short(p, base_iri)} of {short(o, base_iri)}" for p, o in owners) + ")"
        lines.append(head)
        labels = report.labels.get(focus, {})
        if labels:
            lines.append("    " + " | ".join(f"{labels[lang]} @{lang}" for lang in ("en", "fa") if lang in labels))
        for path, line in report.locations.get(focus, []):
            lines.append(f"    defined in {_display_path(path)}" + (f":{line}" if line else ""))
        for r in sorted(results, key=lambda r: (SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9, r.key())):
            what = [short(r.path, base_iri)] if r.path is not None else []
            what.append(short(r.constraint if r.constraint is not None else r.shape, base_iri))
            what.append(short(r.component, base_iri).replace("sh:", "").replace("ConstraintComponent", ""))
            lines.append(f"  {r.severity_name.upper():9} {'  '.join(w for w in what if w)}")
            if r.value is not None and r.value != r.focus:
                lines.append(f"            value: {short(r.value, base_iri)}")
            for m in r.messages:
                lines.append(f"            {m}")
        lines.append("")
    verdict = ("conforms: nothing blocks publishing" if report.conforms
               else "does not conform: fix the Violations before publishing")
    lines.append(f"{summary(report)}: {verdict}.")
    return "\n".join(lines) + "\n"


def to_graph(report: ValidationReport, base_iri: str = "https://w3id.org/cdkg/") -> rdflib.Graph:
    """The sh:ValidationReport (sh:conforms follows the gate: false only with a Violation)."""
    g = rdflib.Graph()
    for p, ns in _names(base_iri):
        g.bind(p, ns)
    root = rdflib.BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, rdflib.Literal(report.conforms)))
    for r in report.sorted():
        node = rdflib.BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceConstraintComponent, r.component))
        g.add((node, SH.sourceShape, r.shape))
        for p, o in ((SH.resultPath, r.path), (SH.value, r.value), (SH.sourceConstraint, r.constraint)):
            if o is not None:
                g.add((node, p, o))
        for m in r.messages:
            g.add((node, SH.resultMessage, rdflib.Literal(m)))
    return g


def to_turtle(report: ValidationReport, base_iri: str = "https://w3id.org/cdkg/") -> str:
    return to_graph(report, base_iri).serialize(format="turtle")


def _json_term(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def to_dict(report: ValidationReport) -> dict:
    results = []
    for r in report.sorted():
        results.append({
            "focusNode": _json_term(r.focus),
            "labels": report.labels.get(r.focus, {}),
            "heldBy": [{"predicate": str(p), "node": _json_term(o)} for p, o in report.owners.get(r.focus, [])],
            "definedIn": [{"file": f, "line": line} for f, line in report.locations.get(r.focus, [])],
            "severity": r.severity_name,
            "path": _json_term(r.path),
            "value": _json_term(r.value),
            "valueIsLiteral": isinstance(r.value, rdflib.Literal),
            "sourceShape": _json_term(r.shape),
            "sourceConstraint": _json_term(r.constraint),
            "sourceConstraintComponent": str(r.component),
            "messages": list(r.messages),
        })
    return {"conforms": report.conforms, "engine": report.engine, "seconds": round(report.seconds, 4),
            "nodesChecked": report.focus_scope,
            "counts": {SEVERITY_NAMES[s]: report.count(s) for s in SEVERITIES}, "results": results}


def to_json(report: ValidationReport) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"


def to_junit(report: ValidationReport, fail_on: str = "violation", base_iri: str = "https://w3id.org/cdkg/") -> str:
    """JUnit XML for CI: one test case per focus node with results; blocking results are failures."""
    blocking = {SH.Violation} | ({SH.Warning} if fail_on == "warning" else set())
    groups = _by_focus(report)
    suite = ET.Element("testsuite", name="cdkg-shacl", tests=str(max(1, len(groups))), time=f"{report.seconds:.3f}")
    failures = 0
    for focus, results in groups:
        case = ET.SubElement(suite, "testcase", classname="cdkg.shacl", name=short(focus, base_iri))
        blocked = [r for r in results if r.severity in blocking]
        if blocked:
            failures += 1
            text = "\n".join(f"{r.severity_name} {short(r.path, base_iri)} {short(r.shape, base_iri)}: {' '.join(r.messages)}"
                             for r in blocked)
            ET.SubElement(case, "failure", type=SEVERITY_NAMES.get(blocked[0].severity, "Violation"),
                          message=blocked[0].messages[0] if blocked[0].messages else "violates a shape").text = text
        others = [r for r in results if r.severity not in blocking]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"{r.severity_name} {short(r.path, base_iri)} {short(r.shape, base_iri)}: {' '.join(r.messages)}" for r in others)
    if not groups:
        ET.SubElement(suite, "testcase", classname="cdkg.shacl", name="conforms")
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def render(report: ValidationReport, fmt: str, fail_on: str = "violation", base_iri: str = "https://w3id.org/cdkg/") -> str:
    if fmt == "text":
        return to_text(report, base_iri)
    if fmt == "turtle":
        return to_turtle(report, base_iri)
    if fmt == "json":
        return to_json(report)
    if fmt == "junit":
        return to_junit(report, fail_on, base_iri)
    from kg.core import CdkgError

    raise CdkgError(f"unknown report format '{fmt}': choose one of {', '.join(FORMATS)}.")


def write(report: ValidationReport, fmt: str, out: Path, fail_on: str = "violation", base_iri: str = "https://w3id.org/cdkg/") -> None:
    out.write_text(render(report, fmt, fail_on, base_iri), encoding="utf-8")
