"""Fast validation path: the SHACL shapes compiled to SPARQL queries that Oxigraph runs.

Why: pyshacl (the reference) walks the data node by node in Python, ~39 s per 100k triples;
Oxigraph answers one query per constraint for all focus nodes at once. Only the SHACL features the
shapes use are compiled (listed in _VALUE_PARAMS and compile_shapes); anything else raises
UnsupportedShape and the caller falls back to pyshacl. The results are the ones pyshacl reports
(same focus node, path, value, shape, component, severity and messages): tests/test_validate.py
compares the two engines on every fixture.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.core import to_rdflib
from kg.core import CdkgError
from kg.validation.shacl_results import ValidationResult

SCOPE_PREDICATE = "urn:cdkg:validation:inScope"

# Node-shape keys that carry no constraint.
_ANNOTATIONS = {RDF.type, RDFS.comment, RDFS.label, SH.message, SH.severity, SH.deactivated, SH.name,
                SH.description, SH.order, SH.group, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                SH.targetObjectsOf, SH.property, SH.sparql, SH.path, SH.flags, SH.qualifiedMinCount,
                SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint}
# Value-node constraint parameters -> component.
_VALUE_PARAMS = {
    SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent, SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent, SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent, SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent, SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.node: SH.NodeConstraintComponent, SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent, SH["not"]: SH.NotConstraintComponent,
}
# Datatypes whose lexical form pyshacl checks (via rdflib's ill_typed); others only compare the datatype.
_CHECKED_LEXICAL = {XSD.integer, XSD.decimal, XSD.boolean, XSD.date, XSD.dateTime, XSD.float, XSD.double}


class UnsupportedShape(CdkgError):
    """A shape uses a SHACL feature the fast path does not compile (use the pyshacl engine)."""


@dataclass
class Check:
    """One constraint as one SELECT query; %TARGET% is replaced by the focus-node pattern at run time."""

    shape: rdflib.term.Node
    component: rdflib.URIRef
    severity: rdflib.URIRef
    messages: tuple[rdflib.Literal, ...]
    query: str
    path: rdflib.term.Node | None = None
    constraint: rdflib.term.Node | None = None
    node_level: bool = False  # value of a focus-level result is the focus node
    sparql: bool = False
    targets: list[str] = field(default_factory=list)  # the shape's target patterns, binding ?this


@dataclass
class CompiledShapes:
    checks: list[Check] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)


def _n3(term) -> str:
    if isinstance(term, rdflib.BNode):
        raise UnsupportedShape(f"blank node {term} used as a constant in a constraint")
    return term.n3()


class _Compiler:
    def __init__(self, sg: rdflib.Graph):
        self.sg = sg
        self._vars = itertools.count()

    def var(self) -> str:
        return f"?_v{next(self._vars)}"

    def one(self, node, pred):
        values = list(self.sg.objects(node, pred))
        if len(values) > 1:
            raise UnsupportedShape(f"{node} has {len(values)} values of {pred}")
        return values[0] if values else None

    def items(self, node) -> list:
        return list(Collection(self.sg, node))

    # -- paths ----------------------------------------------------------------------------
    def path(self, p) -> str:
        if isinstance(p, rdflib.URIRef):
            return p.n3()
        inv = self.sg.value(p, SH.inversePath)
        if inv is not None:
            return f"^({self.path(inv)})"
        alt = self.sg.value(p, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(x) for x in self.items(alt)) + ")"
        if (p, RDF.first, None) in self.sg:
            return "(" + "/".join(self.path(x) for x in self.items(p)) + ")"
        raise UnsupportedShape(f"path {p} is not compiled (use predicates, inverse, sequence or alternative paths)")

    # -- value tests: SPARQL expressions true when `v` VIOLATES the constraint ------------------
    def value_violation(self, param, arg, v: str, owner=None) -> str:
        if param == SH["class"]:
            # The direct type first: with materialised inferences it nearly always answers.
            c = self.var()
            return (f"!(EXISTS {{ {v} a {_n3(arg)} }} || "
                    f"EXISTS {{ {c} <{RDFS.subClassOf}>* {_n3(arg)} . {v} a {c} . }})")
        if param == SH.datatype:
            if arg == RDF.langString:
                ok = f"(isLiteral({v}) && lang({v}) != \"\")"
            else:
                ok = f"(isLiteral({v}) && lang({v}) = \"\" && datatype({v}) = {_n3(arg)})"
                if arg in _CHECKED_LEXICAL:
                    ok = f"({ok} && COALESCE({_n3(arg)}(STR({v})) = {_n3(arg)}(STR({v})), false))"
            return f"!{ok}"
        if param == SH.nodeKind:
            kinds = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
                     SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
                     SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))"}
            return "!" + kinds[arg].format(v=v)
        if param == SH["in"]:
            options = [f"sameTerm({v}, {_n3(x)})" for x in self.items(arg)]
            return "!(" + (" || ".join(options) or "false") + ")"
        if param == SH.hasValue:
            return f"!sameTerm({v}, {_n3(arg)})"
        if param == SH.languageIn:
            langs = [str(x) for x in self.items(arg)]
            if "*" in langs:
                return f"!(isLiteral({v}) && lang({v}) != \"\")"
            tests = " || ".join(f"langMatches(lang({v}), {rdflib.Literal(x).n3()})" for x in langs) or "false"
            return f"!(isLiteral({v}) && lang({v}) != \"\" && ({tests}))"
        if param == SH.pattern:
            flags = self.one(owner, SH.flags) if owner is not None else None
            f = f", {rdflib.Literal(str(flags)).n3()}" if flags is not None else ""
            return f"!(!isBlank({v}) && REGEX(STR({v}), {rdflib.Literal(str(arg)).n3()}{f}))"
        ops = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
        if param in ops:
            return f"!COALESCE(isLiteral({v}) && {v} {ops[param]} {_n3(arg)}, false)"
        if param == SH.minLength:
            return f"!COALESCE(!isBlank({v}) && STRLEN(STR({v})) >= {int(arg)}, false)"
        if param == SH.maxLength:
            return f"!COALESCE(!isBlank({v}) && STRLEN(STR({v})) <= {int(arg)}, false)"
        if param == SH.node:
            return self.shape_violation(arg, v)
        if param == SH["or"]:
            return "(" + " && ".join(self.shape_violation(s, v) for s in self.items(arg)) + ")"
        if param == SH["and"]:
            return "(" + " || ".join(self.shape_violation(s, v) for s in self.items(arg)) + ")"
        if param == SH["not"]:
            return f"!{self.shape_violation(arg, v)}"
        raise UnsupportedShape(f"parameter {param} is not compiled")

    def shape_violation(self, shape, v: str) -> str:
        """True when `v` does not conform to a (target-less) nested shape."""
        if (shape, SH.path, None) in self.sg:  # a property shape used as a shape: its values are v's
            return "(" + (" || ".join(self.nested_property_violations(shape, v)) or "false") + ")"
        parts = []
        for p, o in self.sg.predicate_objects(shape):
            if p in _VALUE_PARAMS or p == SH.hasValue:
                parts.append(self.value_violation(p, o, v, owner=shape))
            elif p == SH.property:
                parts.extend(self.nested_property_violations(o, v))
            elif p != SH.sparql and (p in _ANNOTATIONS or not str(p).startswith(str(SH))):
                continue
            else:
                raise UnsupportedShape(f"nested shape {shape} uses {p}")
        return "(" + (" || ".join(parts) or "false") + ")"

    def nested_property_violations(self, ps, v: str) -> list[str]:
        path = self.path(self.sg.value(ps, SH.path))
        out = []
        for p, o in self.sg.predicate_objects(ps):
            if p == SH.minCount:
                if int(o) > 1:
                    raise UnsupportedShape(f"nested sh:minCount {o} in {ps}")
                if int(o) == 1:
                    out.append(f"NOT EXISTS {{ {v} {path} {self.var()} }}")
            elif p == SH.hasValue:
                out.append(f"NOT EXISTS {{ {v} {path} {_n3(o)} }}")
            elif p in _VALUE_PARAMS:
                x = self.var()
                out.append(f"EXISTS {{ {v} {path} {x} FILTER({self.value_violation(p, o, x, owner=ps)}) }}")
            elif p in _ANNOTATIONS or not str(p).startswith(str(SH)):
                continue
            else:
                raise UnsupportedShape(f"nested property shape {ps} uses {p}")
        return out


def _targets(c: _Compiler, shape) -> list[str]:
    parts = []
    for cls in c.sg.objects(shape, SH.targetClass):
        k = c.var()
        parts.append(f"{k} <{RDFS.subClassOf}>* {_n3(cls)} . ?this a {k} .")
    for node in c.sg.objects(shape, SH.targetNode):
        parts.append(f"VALUES ?this {{ {_n3(node)} }}")
    for p in c.sg.objects(shape, SH.targetSubjectsOf):
        parts.append(f"?this {_n3(p)} {c.var()} .")
    for p in c.sg.objects(shape, SH.targetObjectsOf):
        parts.append(f"{c.var()} {_n3(p)} ?this .")
    return parts


def _messages(sg, node) -> tuple[rdflib.Literal, ...]:
    return tuple(m for m in sg.objects(node, SH.message) if isinstance(m, rdflib.Literal))


def _severity(sg, node) -> rdflib.URIRef:
    return sg.value(node, SH.severity) or SH.Violation


def _deactivated(sg, node) -> bool:
    d = sg.value(node, SH.deactivated)
    return d is not None and bool(d.toPython())


def _prefix_block(sg, sparql_node) -> str:
    lines = []
    for owner in sg.objects(sparql_node, SH.prefixes):
        for decl in sg.objects(owner, SH.declare):
            lines.append(f"PREFIX {sg.value(decl, SH.prefix)}: <{sg.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines)))


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)
_SELECT_WHERE = re.compile(r"\bSELECT\b(?P<projection>[^{]*?)\bWHERE\s*\{", re.I | re.S)


def _inject_target(select: str) -> str:
    """Put the focus-node pattern first in the outer WHERE and in every sub-select projecting $this.

    Pre-binding $this (the SHACL semantics) is equivalent to joining with the focus nodes; doing the
    join inside sub-selects too keeps their aggregates from running over the whole graph.
    """
    out, last = [], 0
    for i, m in enumerate(_SELECT_WHERE.finditer(select)):
        if i == 0 or "$this" in m.group("projection") or "?this" in m.group("projection"):
            out.append(select[last:m.end()] + " %TARGET% ")
            last = m.end()
    return "".join(out) + select[last:]
_THIS = re.compile(r"\$this\b")


def compile_shapes(sg: rdflib.Graph) -> CompiledShapes:
    """All shapes with targets as Check queries; raises UnsupportedShape on anything not compiled."""
    c = _Compiler(sg)
    out = CompiledShapes()
    target_props = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    shapes = sorted({s for p in target_props for s in sg.subjects(p, None)}, key=str)
    for shape in shapes:
        if (shape, SH.path, None) in sg:
            raise UnsupportedShape(f"property shape {shape} has its own targets")
        if (shape, RDF.type, RDFS.Class) in sg or (shape, RDF.type, rdflib.OWL.Class) in sg:
            raise UnsupportedShape(f"{shape} is also a class (implicit class target)")
        if _deactivated(sg, shape):
            continue
        targets = _targets(c, shape)
        shape_checks: list[Check] = []
        sev, msgs = _severity(sg, shape), _messages(sg, shape)
        for p, o in sg.predicate_objects(shape):
            if p in _VALUE_PARAMS or p == SH.hasValue:
                comp = _VALUE_PARAMS.get(p, SH.HasValueConstraintComponent)
                q = f"SELECT DISTINCT ?this WHERE {{ %TARGET% FILTER({c.value_violation(p, o, '?this', owner=shape)}) }}"
                shape_checks.append(Check(shape, comp, sev, msgs, q, node_level=True))
            elif p == SH.property:
                shape_checks.extend(_property_checks(c, o))
            elif p == SH.sparql:
                if _deactivated(sg, o):
                    continue
                select = str(sg.value(o, SH.select))
                m = _WHERE.search(select)
                if not m:
                    raise UnsupportedShape(f"{o}: sh:select without WHERE {{")
                body = _inject_target(select)
                q = _prefix_block(sg, o) + "\n" + _THIS.sub("?this", body)
                shape_checks.append(Check(shape, SH.SPARQLConstraintComponent, sev, msgs + _messages(sg, o), q,
                                        constraint=o, node_level=True, sparql=True))
            elif p in _ANNOTATIONS or not str(p).startswith(str(SH)):
                continue
            else:
                raise UnsupportedShape(f"{shape} uses {p}")
        for check in shape_checks:
            check.targets = targets
        out.checks.extend(shape_checks)
    return out


def _property_checks(c: _Compiler, ps) -> list[Check]:
    sg = c.sg
    if _deactivated(sg, ps):
        return []
    path_node = sg.value(ps, SH.path)
    path = c.path(path_node)
    sev, msgs = _severity(sg, ps), _messages(sg, ps)

    def check(component, query, **kw) -> Check:
        return Check(ps, component, sev, msgs, query, path=path_node, **kw)

    out = []
    for p, o in sg.predicate_objects(ps):
        if p == SH.minCount and int(o) > 0:
            if int(o) == 1:
                q = f"SELECT ?this WHERE {{ %TARGET% FILTER NOT EXISTS {{ ?this {path} ?value }} }}"
            else:
                q = (f"SELECT ?this WHERE {{ %TARGET% OPTIONAL {{ ?this {path} ?value }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(o)})")
            out.append(check(SH.MinCountConstraintComponent, q))
        elif p == SH.maxCount:
            q = (f"SELECT ?this WHERE {{ %TARGET% ?this {path} ?value }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(o)})")
            out.append(check(SH.MaxCountConstraintComponent, q))
        elif p == SH.hasValue:
            q = f"SELECT ?this WHERE {{ %TARGET% FILTER NOT EXISTS {{ ?this {path} {_n3(o)} }} }}"
            out.append(check(SH.HasValueConstraintComponent, q))
        elif p == SH.uniqueLang:
            if bool(o.toPython()):
                q = (f"SELECT ?this ?lang WHERE {{ %TARGET% ?this {path} ?value "
                     f"FILTER(isLiteral(?value) && lang(?value) != \"\") BIND(LCASE(lang(?value)) AS ?lang) }} "
                     f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)")
                out.append(check(SH.UniqueLangConstraintComponent, q))
        elif p == SH.disjoint:
            q = f"SELECT DISTINCT ?this ?value WHERE {{ %TARGET% ?this {path} ?value . ?this {_n3(o)} ?value . }}"
            out.append(check(SH.DisjointConstraintComponent, q))
        elif p == SH.qualifiedValueShape:
            if sg.value(ps, SH.qualifiedValueShapesDisjoint) not in (None, rdflib.Literal(False)):
                raise UnsupportedShape(f"{ps}: sh:qualifiedValueShapesDisjoint")
            conforms = f"!{c.shape_violation(o, '?value')}"
            lo, hi = sg.value(ps, SH.qualifiedMinCount), sg.value(ps, SH.qualifiedMaxCount)
            for bound, op, comp in ((lo, "<", SH.QualifiedMinCountConstraintComponent),
                                    (hi, ">", SH.QualifiedMaxCountConstraintComponent)):
                if bound is None:
                    continue
                q = (f"SELECT ?this WHERE {{ %TARGET% OPTIONAL {{ ?this {path} ?value FILTER({conforms}) }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {op} {int(bound)})")
                out.append(check(comp, q))
        elif p in _VALUE_PARAMS:
            q = (f"SELECT DISTINCT ?this ?value WHERE {{ %TARGET% ?this {path} ?value "
                 f"FILTER({c.value_violation(p, o, '?value', owner=ps)}) }}")
            out.append(check(_VALUE_PARAMS[p], q))
        elif p in (SH.minCount,) or p in _ANNOTATIONS or not str(p).startswith(str(SH)):
            continue
        else:
            raise UnsupportedShape(f"property shape {ps} uses {p}")
    return out


# -- running ---------------------------------------------------------------------------------

def _substitute(message: str, bindings: dict[str, rdflib.term.Node]) -> str:
    # As pyshacl: {?var} / {$var} replaced by str(term).
    for var, val in bindings.items():
        message = re.sub("{{[?$]{}}}".format(var), str(val).replace("\\", "\\\\"), message)
    return message


def _result_rows(check: Check, solutions, variables: list[str]) -> Iterable[ValidationResult]:
    seen = set()
    for sol in solutions:
        row = {v: sol[v] for v in variables if sol[v] is not None}
        frozen = tuple(sorted((k, str(t)) for k, t in row.items()))
        if frozen in seen:
            continue
        seen.add(frozen)
        terms = {k: to_rdflib(t) for k, t in row.items()}
        focus = terms.pop("this")
        if check.sparql:
            terms.pop("failure", None)
            path = terms.pop("path", None)
            value = terms.pop("value", None)
            if value is None and check.node_level:
                value = focus
            bound = {**terms, "this": focus, **({"path": path} if path is not None else {}),
                     **({"value": value} if value is not None else {})}
            messages = tuple(sorted({_substitute(str(m), bound) for m in check.messages}))
            yield ValidationResult(focus, check.severity, check.component, check.shape, path, value,
                                   check.constraint, messages)
        else:
            value = focus if check.node_level else terms.get("value")
            if check.component in (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent,
                                   SH.HasValueConstraintComponent, SH.UniqueLangConstraintComponent,
                                   SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent):
                value = None
            yield ValidationResult(focus, check.severity, check.component, check.shape, check.path, value,
                                   None, tuple(sorted({str(m) for m in check.messages})))


def run_checks(store: ox.Store, compiled: CompiledShapes, scope_graph: ox.NamedNode | None = None) -> list[ValidationResult]:
    """Run every check over the union of all graphs of `store`, optionally only for the focus nodes
    listed in `scope_graph` (as `?n <urn:cdkg:validation:inScope> true`; no shape uses that predicate).

    Why the union and not a list of graphs: Oxigraph answers much faster on its union default graph.
    """
    results: list[ValidationResult] = []
    for check in compiled.checks:
        if scope_graph is None:
            target = " UNION ".join(f"{{ {t} }}" for t in check.targets)
        else:  # start from the few scoped nodes and test each against the targets (index lookups)
            target = (f"GRAPH {scope_graph} {{ ?this <{SCOPE_PREDICATE}> true . }} FILTER("
                      + " || ".join(f"EXISTS {{ {t} }}" for t in check.targets) + ")")
        if scope_graph is not None and not check.sparql:
            query = check.query.replace("%TARGET%", target)  # inline: Oxigraph then starts from the scope
        else:
            query = check.query.replace("%TARGET%", "{ SELECT DISTINCT ?this WHERE { " + target + " } }")
        solutions = store.query(query, use_default_graph_as_union=True)
        variables = [v.value for v in solutions.variables]
        results.extend(_result_rows(check, solutions, variables))
    return results
