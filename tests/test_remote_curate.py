"""/curate (the review page of article drafts, docs/intake.md) when the service reads a remote store
(CDKG_STORE_URL): a real Virtuoso (tests/virtuoso.py) holding the seed-articles build, a draft written
by `cdkg intake`, and the embedded service over the same build and data folder beside it. The list,
the draft's page with its SHACL report, a decision and a replacement picked from the graph work as
embedded; bad decisions are 4xx; a remote that cannot give the page's context is a 502 that says why."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import httpx
import pytest

from conftest import ROOT
from kg.core import data_dir, open_store
from kg.release.auth import RemoteAuth
from kg.release.remote import GraphStore, push
from kg.release.signature import graph_signatures
from seed_build import seed_settings
from service import free_port, running_process, running_service
from virtuoso import PASSWORD, USER, running_virtuoso, virtuoso_path

pytestmark = pytest.mark.timeout(300)
TOKEN = "curate-remote-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/cdkg/id/"
DOC = "article-5501"
KAZAN = f"{ID}status/shiraz-kazan-sister-city-{DOC}-1"
http = httpx.Client(timeout=120)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """(embedded service, remote service, Virtuoso base URL, the draft file): both services read the same
    data folder (seed articles + one intake draft); the embedded one the seed build, the remote one
    Virtuoso holding that build's graphs."""
    if virtuoso_path() is None:
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does this)")
    seed = seed_settings(tmp_path_factory.getbasetemp())
    root = tmp_path_factory.mktemp("curate-remote")
    data = root / "data"
    shutil.copytree(data_dir() / "seed-articles", data / "seed-articles")
    (data / "articles").mkdir()
    shutil.copy(data_dir() / "articles" / "source.toml", data / "articles" / "source.toml")
    env = {**os.environ, "CDKG_DATA_DIR": str(data), "CDKG_BUILD_DIR": str(root / "unbuilt")}
    r = subprocess.run([sys.executable, "-m", "kg.cli", "intake", str(ROOT / "tests/fixtures/intake/shiraz-en.txt")],
                       capture_output=True, text=True, env=env, timeout=120, cwd="/")
    assert r.returncode == 0, r.stderr
    (root / "remote").mkdir()
    store = open_store(seed)
    common = {"CDKG_DATA_DIR": str(data), "CDKG_UPDATE_TOKEN": TOKEN, "CDKG_QUERY_WORKERS": "0"}
    with running_virtuoso(root / "virtuoso") as (virtuoso, _, _):
        push(store, GraphStore(f"{virtuoso}/sparql-graph-crud-auth", RemoteAuth(USER, PASSWORD)), graph_signatures(store),
             root / "state.json")
        del store
        with running_service(seed.build_dir, env=common) as embedded, \
             running_service(root / "remote", env={**common, "CDKG_STORE_URL": f"{virtuoso}/sparql"}) as remote:
            yield embedded, remote, virtuoso, data / "articles" / f"{DOC}.ttl"


def _summary(html: str) -> str:
    found = re.search(r'<p id="shacl-summary">(.*?)</p>', html, re.S)
    assert found, "the page has no SHACL summary"
    return found.group(1)


def _report(html: str) -> list[str]:
    found = re.search(r'<ul class="report">(.*?)</ul>', html, re.S)
    return sorted(re.findall(r"<li>(.*?)</li>", found.group(1), re.S)) if found else []


def test_curate_lists_and_shows_a_draft_with_the_same_report_as_embedded(sites):
    embedded, remote, _, _ = sites
    assert http.get(f"{remote}/curate").status_code == 401
    page = http.get(f"{remote}/curate", headers=AUTH)
    assert page.status_code == 200 and f'href="/curate/{DOC}"' in page.text
    mine, theirs = (http.get(f"{base}/curate/{DOC}", params={"curator": "T"}, headers=AUTH) for base in (embedded, remote))
    assert mine.status_code == theirs.status_code == 200, theirs.text[:500]
    assert _summary(theirs.text) == _summary(mine.text) and _summary(theirs.text).startswith("0 Violation(s)")
    assert theirs.text.count(" data-node=") == mine.text.count(" data-node=") == 13


def test_a_decision_over_the_remote_is_recorded_and_reported_as_embedded(sites):
    embedded, remote, _, draft = sites
    r = http.post(f"{remote}/curate/{DOC}", data={"node": KAZAN, "decision": "review-accepted", "curator": "T"},
                  headers=AUTH, follow_redirects=False)
    assert r.status_code == 303, r.text
    text = draft.read_text(encoding="utf-8")
    assert "cd:reviewStatus cdc:review-accepted" in text[text.index(f"<{KAZAN}>"):][:2000]
    mine, theirs = (http.get(f"{base}/curate/{DOC}", params={"curator": "T"}, headers=AUTH) for base in (embedded, remote))
    assert mine.status_code == theirs.status_code == 200
    # accepted alone, the status points to an agreement that is still a candidate: both reports say so
    assert "does not conform" in _summary(theirs.text) and _summary(theirs.text) == _summary(mine.text)
    assert _report(theirs.text) == _report(mine.text) and _report(theirs.text)


def test_picker_searches_the_remote_graph_and_bad_decisions_are_4xx(sites):
    embedded, remote, _, draft = sites
    mine, theirs = (http.get(f"{base}/curate/{DOC}", params={"pick": KAZAN, "q": "kaz"}, headers=AUTH) for base in (embedded, remote))
    assert mine.status_code == theirs.status_code == 200
    def hits(html: str) -> list[str]:  # the picker's choices: entities of the graph found by the search
        return sorted(v for s in re.findall(r'<select name="replacement">(.*?)</select>', html, re.S)
                      for v in re.findall(r'<option value="([^"]+)"', s))
    assert hits(theirs.text) == hits(mine.text) and f"{ID}place/kazan" in hits(theirs.text)
    before = draft.read_text(encoding="utf-8")
    for form, code in [({"node": KAZAN, "curator": "T", "replaced": f"{ID}place/kazan", "replacement": f"{ID}place/nowhere"}, 400),
                       ({"node": f"{ID}status/nope", "decision": "review-accepted", "curator": "T"}, 400)]:
        assert http.post(f"{remote}/curate/{DOC}", data=form, headers=AUTH).status_code == code
    assert draft.read_text(encoding="utf-8") == before
    assert http.get(f"{remote}/health").status_code == 200


def test_curate_page_with_the_remote_unreachable_is_502_saying_why(sites, tmp_path):
    """A service whose remote does not answer (a port nothing listens on): the page is 502 naming the
    remote, not 500; the draft list, which needs no store, still answers."""
    _, _, _, draft = sites
    env = {"CDKG_DATA_DIR": str(draft.parent.parent), "CDKG_UPDATE_TOKEN": TOKEN,
           "CDKG_STORE_URL": f"http://127.0.0.1:{free_port()}/sparql"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)]
    with running_process(cmd, f"{base}/openapi.json", tmp_path / "server.log",
                         {"CDKG_BUILD_DIR": str(tmp_path), "CDKG_WARM_NETWORK": "0", **env}):
        assert http.get(f"{base}/curate", headers=AUTH).status_code == 200
        r = http.get(f"{base}/curate/{DOC}", headers=AUTH)
        assert r.status_code == 502 and "cannot be reached" in r.text
