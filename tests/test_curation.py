"""A curator's decisions on an article draft: recorded as PROV (who, when, on what, outcome),
replayed by a re-run of `cdkg intake` (a rejected candidate is never proposed again), entity
replacement, only accepted facts and their decisions built; and a new article's claim that
contradicts an older one kept beside it, listed by conflicting-status-claims and the cross-source
report. Real CLI runs, real builds, real SHACL validation."""
from __future__ import annotations

import datetime as dt
import os
import subprocess

import pyoxigraph as ox

from kg.core import Settings, execute, queries_dir
from kg.dataset import build
from kg.intake import decide, recorded
from kg.intake.names import load_gazetteer
from test_intake import CDKG, CD, FIXTURES, ID, intake, load_draft, project, rows  # noqa: F401 (project is a fixture)

PROV = "http://www.w3.org/ns/prov#"
SHIRAZ = "article-5501"
KAZAN = f"{ID}status/shiraz-kazan-sister-city-{SHIRAZ}-1"
FIGURE = f"{ID}figure/shiraz-sister-city-count-{SHIRAZ}-3"
DUSHANBE = f"{ID}status/shiraz-dushanbe-sister-city-{SHIRAZ}-4"
WHEN = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)


def ask(store: ox.Store, q: str) -> bool:
    return bool(store.query(f"PREFIX cd: <{CD}> PREFIX cdc: <https://w3id.org/cdkg/concept/> " + q))


def review_of(store: ox.Store, node: str) -> str:
    return next(iter(store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(CD + "reviewStatus"), None, None))).object.value.rsplit("/", 1)[-1]


def test_each_decision_is_a_prov_activity_with_who_when_and_what(project):
    assert intake(project, str(FIXTURES / "shiraz-en.txt")).returncode == 0
    decide(project, SHIRAZ, KAZAN, "review-accepted", "Test Curator", now=WHEN)
    decide(project, SHIRAZ, FIGURE, "review-rejected", "Test Curator", now=WHEN + dt.timedelta(minutes=1))
    decide(project, SHIRAZ, DUSHANBE, "review-accepted", "مریم کریمی", status="status-proposed", now=WHEN + dt.timedelta(minutes=2))
    store = load_draft(project.data_dir / "articles" / f"{SHIRAZ}.ttl")
    got = rows(store, f"""SELECT ?a ?used ?decision ?who ?when ?corrected WHERE {{
        ?a a cd:CurationDecision ; <{PROV}used> ?used ; cd:decision ?decision ; <{PROV}endedAtTime> ?when ;
           <{PROV}wasAssociatedWith> [ a <{PROV}Agent> ; rdfs:label ?who ] OPTIONAL {{ ?a cd:correctedStatus ?corrected }} }}
        ORDER BY ?when""")
    assert [(r["used"].value, r["decision"].value.rsplit("/", 1)[-1], r["who"].value, r["when"].value,
             r["corrected"].value.rsplit("/", 1)[-1] if r["corrected"] else None) for r in got] == [
        (KAZAN, "review-accepted", "Test Curator", "2026-12-01T12:00:00Z", None),
        (FIGURE, "review-rejected", "Test Curator", "2026-12-01T12:01:00Z", None),
        (DUSHANBE, "review-accepted", "مریم کریمی", "2026-12-01T12:02:00Z", "status-proposed")]
    assert review_of(store, DUSHANBE) == "review-accepted"
    assert [d.node for d in recorded((project.data_dir / "articles" / f"{SHIRAZ}.ttl").read_text(encoding="utf-8"))] == [KAZAN, FIGURE, DUSHANBE]


def test_rerun_after_curation_keeps_every_decision_and_never_reproposes_a_rejected_candidate(project):
    """Decisions made through /curate are not hand edits: a plain re-run (no --force) keeps them all,
    the corrected status and the replaced entity included, and the rejected figure stays rejected."""
    src = str(FIXTURES / "shiraz-en.txt")
    assert intake(project, src).returncode == 0
    draft = project.data_dir / "articles" / f"{SHIRAZ}.ttl"
    decide(project, SHIRAZ, KAZAN, "review-accepted", "Test Curator", now=WHEN)
    decide(project, SHIRAZ, FIGURE, "review-rejected", "Test Curator", now=WHEN)
    decide(project, SHIRAZ, DUSHANBE, "review-accepted", "Test Curator", status="status-proposed", now=WHEN)
    decide(project, SHIRAZ, f"{ID}place/dushanbe", "review-rejected", "Test Curator", now=WHEN,
           replaced=f"{ID}place/dushanbe", replacement=f"{ID}place/samarkand")
    before = draft.read_text(encoding="utf-8")
    r = intake(project, src)
    assert r.returncode == 0, r.stderr
    assert "unchanged" in r.stdout and draft.read_text(encoding="utf-8") == before
    (project.data_dir / "articles" / f"{SHIRAZ}.ttl").write_text(before.replace("# Draft written", "# Draft (touched) written"), encoding="utf-8")
    r = intake(project, src)
    assert r.returncode == 2 and "edited by hand" in r.stderr  # a real hand edit still needs --force
    assert intake(project, src, "--force").returncode == 0
    store = load_draft(draft)
    assert review_of(store, FIGURE) == "review-rejected"
    assert review_of(store, KAZAN) == review_of(store, DUSHANBE) == "review-accepted"
    assert review_of(store, f"{ID}place/dushanbe") == "review-rejected"
    assert ask(store, f"ASK {{ <{DUSHANBE}> cd:status cdc:status-proposed ; cd:statusOf [ cd:partyB <{ID}place/samarkand> ] }}")
    assert not ask(store, f"ASK {{ ?s ?p <{ID}place/dushanbe> FILTER(?p != <{PROV}used> && ?p != cd:replacedEntity) }}")
    assert len(recorded(draft.read_text(encoding="utf-8"))) == 4


def test_replacing_a_wrong_match_in_a_statement_changes_it_and_its_agreement(project):
    assert intake(project, str(FIXTURES / "shiraz-en.txt")).returncode == 0
    decide(project, SHIRAZ, KAZAN, "review-accepted", "T", now=WHEN, replaced=f"{ID}place/kazan", replacement=f"{ID}place/xian")
    store = load_draft(project.data_dir / "articles" / f"{SHIRAZ}.ttl")
    assert ask(store, f"ASK {{ <{KAZAN}> cd:statusOf [ cd:partyB <{ID}place/xian> ] }}")
    assert ask(store, f"ASK {{ ?d a cd:CurationDecision ; cd:replacedEntity <{ID}place/kazan> ; cd:replacementEntity <{ID}place/xian> }}")


def test_only_accepted_facts_and_their_decisions_are_built(project):
    assert intake(project, str(FIXTURES / "isfahan-kazan-fa.txt")).returncode == 0
    doc = "isna-7702"
    status = f"{ID}status/isfahan-kazan-sister-city-{doc}-1"
    decide(project, doc, f"{ID}document/{doc}", "review-accepted", "Test Curator", now=WHEN)
    decide(project, doc, status, "review-rejected", "Test Curator", now=WHEN)
    build(project)
    store = ox.Store.read_only(str(project.store_dir))
    used = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(PROV + "used"), None, None)}
    assert used == {f"{ID}document/{doc}"}  # the rejection's record stays in the draft, unpublished
    assert not list(store.quads_for_pattern(ox.NamedNode(status), None, None, None))


def test_new_article_contradicting_an_older_one_is_kept_beside_it_and_reported(project):
    """The constructed fixture says the Isfahan–Kazan twinning is dormant (20 June 2021); seed article
    a000 says it is signed. Accepted and built, both claims stand with their documents, the
    conflicting-status-claims query returns the pair, the cross-source report lists it, and the
    whole graph (decisions included) passes the SHACL gate."""
    assert intake(project, str(FIXTURES / "isfahan-kazan-fa.txt")).returncode == 0
    doc = "isna-7702"
    status = f"{ID}status/isfahan-kazan-sister-city-{doc}-1"
    for node in (f"{ID}document/{doc}", status):
        decide(project, doc, node, "review-accepted", "Test Curator", now=WHEN)
    build(project)
    store = ox.Store.read_only(str(project.store_dir))
    q = (queries_dir() / "conflicting-status-claims.rq").read_text(encoding="utf-8")
    pairs = [{k: (r[k].value if r[k] is not None else None) for k in ("status1", "document1", "status2", "document2", "date2", "assertion2")}
             for r in execute(store, q, project.base_iri) if r["document2"].value.endswith(doc)]
    assert pairs == [{"status1": "signed", "document1": f"{ID}document/a000", "status2": "dormant",
                      "document2": f"{ID}document/{doc}", "date2": "2021-06-20", "assertion2": status}]
    older = f"{ID}status/isfahan-kazan-sister-city-a000"
    assert list(store.quads_for_pattern(ox.NamedNode(older), ox.NamedNode(CD + "status"), None, None))  # kept beside it
    del store
    env = {**os.environ, "CDKG_DATA_DIR": str(project.data_dir), "CDKG_BUILD_DIR": str(project.build_dir), "COLUMNS": "300"}
    report = subprocess.run([*CDKG, "report"], capture_output=True, text=True, env=env, timeout=600, cwd="/").stdout
    conflicts = report[report.index("## Conflicting status claims"):].split("\n## ")[0]
    assert "| Isfahan – Kazan" in conflicts and "| signed | a000 (seed-articles) | dormant (2021-06-20) | isna-7702 (articles) |" in conflicts
    r = subprocess.run([*CDKG, "validate"], capture_output=True, text=True, env=env, timeout=600, cwd="/")
    assert r.returncode == 0, r.stdout + r.stderr


def test_build_writes_the_gazetteer_cache_the_first_intake_reads(project):
    build(project)
    cache = project.build_dir / "intake-gazetteer.pickle"
    assert cache.is_file()
    written = cache.stat().st_mtime_ns
    gaz = load_gazetteer(Settings(data_dir=project.data_dir, build_dir=project.build_dir))
    assert cache.stat().st_mtime_ns == written  # read, not rebuilt and rewritten
    assert [e.iri for e in gaz.lookup("اصفهان")] == [f"{ID}place/isfahan"]


def test_validating_a_draft_already_built_does_not_count_its_blank_nodes_twice(project):
    """Regression: `cdkg validate data/articles/X.ttl` (and /curate's live report) after the accepted
    draft was built checked the file on top of its own built graph, so each date blank node counted
    twice (cd:statusDate / cd:publicationDate MaxCount Violations on a valid draft)."""
    assert intake(project, str(FIXTURES / "isfahan-kazan-fa.txt")).returncode == 0
    doc = "isna-7702"
    for node in (f"{ID}document/{doc}", f"{ID}status/isfahan-kazan-sister-city-{doc}-1"):
        decide(project, doc, node, "review-accepted", "Test Curator", now=WHEN)
    build(project)
    env = {**os.environ, "CDKG_DATA_DIR": str(project.data_dir), "CDKG_BUILD_DIR": str(project.build_dir), "COLUMNS": "300"}
    r = subprocess.run([*CDKG, "validate", str(project.data_dir / "articles" / f"{doc}.ttl")], capture_output=True,
                       text=True, env=env, timeout=600, cwd="/")
    assert r.returncode == 0 and "0 Violations" in r.stdout, r.stdout + r.stderr
