"""Validation results, engine-independent: what both engines (pyshacl and the fast path) produce.

A result is kept with the terms pyshacl would write into its sh:ValidationReport (rdflib terms, blank
nodes keeping the store's labels), so the two engines can be compared result by result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import rdflib
from rdflib.namespace import RDF, SH

SEVERITIES = (SH.Violation, SH.Warning, SH.Info)
SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ValidationResult:
    focus: rdflib.term.Node
    severity: rdflib.URIRef
    component: rdflib.URIRef
    shape: rdflib.term.Node
    path: rdflib.term.Node | None = None
    value: rdflib.term.Node | None = None
    constraint: rdflib.term.Node | None = None
    messages: tuple[str, ...] = ()

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES.get(self.severity, str(self.severity))

    def key(self) -> tuple:
        """Everything a result says, as a sortable tuple (for comparing engines)."""
        return tuple("" if t is None else t.n3() if hasattr(t, "n3") else str(t)
                     for t in (self.focus, self.severity, self.component, self.shape, self.path, self.value,
                               self.constraint)) + self.messages


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)
    engine: str = ""
    seconds: float = 0.0
    focus_scope: int | None = None  # number of nodes checked when scoped to a contribution
    # Filled by kg.validation.validate.describe for people: labels by language, the nodes holding a blank
    # focus node [(predicate, holder)...], and [(file, line)] where the node is defined.
    labels: dict = field(default_factory=dict)
    owners: dict = field(default_factory=dict)
    locations: dict = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """The gate: no Violation (Warnings and Infos are reported but do not block)."""
        return not any(r.severity == SH.Violation for r in self.results)

    def count(self, severity: rdflib.URIRef) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def fails(self, fail_on: str = "violation") -> bool:
        blocking = (SH.Violation,) if fail_on == "violation" else (SH.Violation, SH.Warning)
        return any(r.severity in blocking for r in self.results)

    def sorted(self) -> list[ValidationResult]:
        return sorted(self.results, key=ValidationResult.key)

    def keys(self) -> list[tuple]:
        return sorted(r.key() for r in self.results)


def results_from_pyshacl(captured: Iterable[tuple]) -> list[ValidationResult]:
    """Results from pyshacl's internal (description, node, triples) tuples, keeping the data's own terms.

    The report graph pyshacl writes copies blank nodes under new labels; its internal triples still
    hold the original terms (as (graph, term) pairs), which is what a comparison needs.
    """
    out = []
    for _desc, _node, triples in captured:
        props: dict = {}
        messages = []
        for _s, p, o in triples:
            term = o[1] if isinstance(o, tuple) else o
            if p == SH.resultMessage:
                messages.append(str(term))
            elif p != RDF.type:
                props[p] = term
        out.append(ValidationResult(
            focus=props[SH.focusNode], severity=props[SH.resultSeverity],
            component=props[SH.sourceConstraintComponent], shape=props[SH.sourceShape],
            path=props.get(SH.resultPath), value=props.get(SH.value), constraint=props.get(SH.sourceConstraint),
            messages=tuple(sorted(set(messages)))))
    return out
