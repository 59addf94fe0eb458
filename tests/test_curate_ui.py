"""/curate, the review page of article drafts, on a real service: behind the update token, bad
requests answered 4xx with the service still up, and a headless Chromium accepting, rejecting and
editing candidates, each decision checked in the data file and in the page's SHACL report."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import httpx
import pytest

from browser import Browser, chromium_path
from conftest import ROOT
from kg.dataset import build
from kg.core import Settings
from kg.core import data_dir
from service import running_service

TOKEN = "curate-test-token"
ID = "https://w3id.org/cdkg/id/"
DOC = "article-5501"
KAZAN = f"{ID}status/shiraz-kazan-sister-city-{DOC}-1"
FIGURE = f"{ID}figure/shiraz-sister-city-count-{DOC}-3"
DUSHANBE = f"{ID}status/shiraz-dushanbe-sister-city-{DOC}-4"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("curate")
    data = root / "data"
    shutil.copytree(data_dir() / "seed-articles", data / "seed-articles")
    (data / "articles").mkdir()
    shutil.copy(data_dir() / "articles" / "source.toml", data / "articles" / "source.toml")
    settings = Settings(data_dir=data, build_dir=root / "build")
    env = {**os.environ, "CDKG_DATA_DIR": str(data), "CDKG_BUILD_DIR": str(settings.build_dir)}
    r = subprocess.run([sys.executable, "-m", "kg.cli", "intake", str(ROOT / "tests/fixtures/intake/shiraz-en.txt")],
                       capture_output=True, text=True, env=env, timeout=120, cwd="/")
    assert r.returncode == 0, r.stderr
    build(settings)
    with running_service(settings.build_dir, env={"CDKG_DATA_DIR": str(data), "CDKG_UPDATE_TOKEN": TOKEN,
                                                  "CDKG_QUERY_WORKERS": "0"}) as base:
        yield base, data / "articles" / f"{DOC}.ttl"


def auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_curate_needs_the_update_token(site):
    base, _ = site
    assert httpx.get(f"{base}/curate", timeout=30).status_code == 401
    assert httpx.get(f"{base}/curate", headers=auth("wrong"), timeout=30).status_code == 403
    page = httpx.get(f"{base}/curate", headers=auth(), timeout=30)
    assert page.status_code == 200 and f'href="/curate/{DOC}"' in page.text


def test_bad_decisions_are_4xx_and_change_nothing(site):
    base, draft = site
    before = draft.read_text(encoding="utf-8")
    cases = [({"node": f"{ID}status/nope", "decision": "review-accepted", "curator": "T"}, 400),
             ({"node": KAZAN, "decision": "review-maybe", "curator": "T"}, 400),
             ({"node": KAZAN, "decision": "review-accepted", "curator": ""}, 400),
             ({"node": KAZAN, "decision": "review-accepted", "curator": "T", "status": "status-bogus"}, 400),
             ({"node": KAZAN, "curator": "T", "replaced": f"{ID}place/kazan", "replacement": "javascript:alert(1)"}, 400),
             ({"node": KAZAN, "curator": "T", "replaced": f"{ID}place/kazan", "replacement": "not an IRI"}, 400),
             ({"node": KAZAN, "curator": "T", "replaced": f"{ID}place/kazan", "replacement": f"{ID}place/nowhere"}, 400),
             ({"node": KAZAN, "curator": "T", "replaced": f"{ID}place/tehran", "replacement": f"{ID}place/xian"}, 400)]
    for form, code in cases:
        assert httpx.post(f"{base}/curate/{DOC}", data=form, headers=auth(), timeout=30).status_code == code
    assert httpx.get(f"{base}/curate/no-such-draft", headers=auth(), timeout=30).status_code == 404
    assert httpx.get(f"{base}/curate/bad%20id!", headers=auth(), timeout=30).status_code == 400
    assert httpx.get(f"{base}/curate/{DOC}", params={"pick": KAZAN, "q": "x" * 201}, headers=auth(), timeout=30).status_code == 400
    assert httpx.get(f"{base}/curate/{DOC}", params={"pick": KAZAN, "q": "x" * 200}, headers=auth(), timeout=30).status_code == 200
    too_big = {"node": KAZAN, "decision": "review-accepted", "curator": "x" * 16_384}  # just past the form limit
    assert httpx.post(f"{base}/curate/{DOC}", data=too_big, headers=auth(), timeout=30).status_code == 413
    assert httpx.get(f"{base}/health", timeout=30).status_code == 200
    assert draft.read_text(encoding="utf-8") == before


def _decide(browser: Browser, node: str, button: str, status: str | None = None) -> None:
    row = f'document.querySelector(\'tr[data-node="{node}"]\')'
    if status:
        browser.evaluate(f"{row}.querySelector('select[name=status]').value = '{status}'")
    browser.evaluate(f"{row}.querySelector('button[value={button}]').click()")
    expected = "review-rejected" if button in ("reject", "replace") else "review-accepted"
    browser.wait_for(f"document.readyState === 'complete' && {row} !== null && {row}.className === '{expected}'")


def _pick(browser: Browser, node: str, query: str, replacement: str) -> None:
    """The entity picker: search the graph from the candidate's row, choose a hit, replace."""
    row = f'document.querySelector(\'tr[data-node="{node}"]\')'
    browser.evaluate(f"{row}.querySelector('.picker-search input[name=q]').value = {query!r}")
    browser.evaluate(f"{row}.querySelector('.picker-search button').click()")
    browser.wait_for(f"document.readyState === 'complete' && {row} !== null && {row}.querySelector('.picker select[name=replacement]') !== null")
    options = browser.evaluate(f"[...{row}.querySelectorAll('.picker select[name=replacement] option')].map(o => o.value)")
    assert replacement in options
    shown = browser.evaluate(f"{row}.querySelector('.picker select[name=replacement]').selectedOptions[0].innerText")
    assert shown.lower().startswith(query.lower())  # the hit is shown by its name in the graph
    browser.evaluate(f"{row}.querySelector('.picker select[name=replacement]').value = {replacement!r}")
    _decide(browser, node, "replace")


def test_browser_accepts_rejects_edits_and_picks_entities(site, tmp_path):
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium is not installed (.ci/run installs the Debian package `chromium`)")
    base, draft = site
    summary = "document.getElementById('shacl-summary').innerText"
    report = "document.querySelector('.report').innerText"
    statusof = "cd:statusOf must point to a cd:Agreement"
    decisions = "document.querySelectorAll('#decisions li:not(.muted)').length"
    with Browser(exe) as browser:
        browser.send("Network.setExtraHTTPHeaders", headers=auth())
        browser.goto(f"{base}/curate/{DOC}?curator=Test%20Curator")
        assert browser.evaluate(f"document.querySelectorAll('#candidates tr[data-node]').length") == 13
        assert browser.evaluate("document.querySelectorAll('.article mark').length") >= 4  # the candidates' sentences
        assert browser.evaluate(summary).startswith("0 Violation(s)")  # nothing accepted: nothing to publish
        assert browser.evaluate(decisions) == 0

        _decide(browser, KAZAN, "accept")
        text = draft.read_text(encoding="utf-8")
        block = text[text.index(f"<{KAZAN}>"):]
        assert 'cd:reviewStatus cdc:review-accepted ; cd:reviewedBy "Test Curator" ; cd:reviewedAt "' in block[:2000]
        assert f"prov:used <{KAZAN}>" in text and "cd:decision cdc:review-accepted" in text  # the PROV record
        # accepted alone, the status points to an agreement that is still a candidate: the report says so
        assert "does not conform" in browser.evaluate(summary) and browser.evaluate(report).count(statusof) == 1
        assert browser.evaluate(decisions) == 1

        _decide(browser, FIGURE, "reject")
        text = draft.read_text(encoding="utf-8")
        assert "cdc:review-rejected" in text[text.index(f"<{FIGURE}>"):][:1500]
        assert f"prov:used <{FIGURE}>" in text and "cd:decision cdc:review-rejected" in text
        assert browser.evaluate(report).count(statusof) == 1  # a rejection publishes nothing: the report is as before
        assert browser.evaluate(decisions) == 2

        _decide(browser, DUSHANBE, "edit", status="status-proposed")
        text = draft.read_text(encoding="utf-8")
        block = text[text.index(f"<{DUSHANBE}>"):][:1500]
        assert "cd:status cdc:status-proposed" in block and "cdc:review-accepted" in block
        assert "Dushanbe sister-city agreement: proposed" in block and "cd:correctedStatus cdc:status-proposed" in text
        assert browser.evaluate(report).count(statusof) == 2  # the edited status is data now, its agreement not yet
        assert browser.evaluate(decisions) == 3

        # the picker: the proposed new city is replaced by one the graph knows, found by searching the graph
        _pick(browser, f"{ID}place/dushanbe", "Samarkand", f"{ID}place/samarkand")
        text = draft.read_text(encoding="utf-8")
        agreement = text[text.index(f"<{ID}agreement/shiraz-dushanbe-sister-city>"):][:600]
        assert f"cd:partyB <{ID}place/samarkand>" in agreement
        assert f"cd:replacedEntity <{ID}place/dushanbe> ;\n    cd:replacementEntity <{ID}place/samarkand>" in text
        assert browser.evaluate(decisions) == 4

        # the agreement nodes and the document accepted too: the statuses now point to data
        for node in (f"{ID}agreement/shiraz-kazan-sister-city", f"{ID}agreement/shiraz-dushanbe-sister-city",
                     f"{ID}place/shiraz", f"{ID}document/{DOC}"):
            _decide(browser, node, "accept")
        assert statusof not in browser.evaluate(report) and "needs its publisher" in browser.evaluate(report)
        browser.screenshot(tmp_path / "curate.png")
        assert all(u.startswith(base) or u.startswith("data:") or u == "about:blank" for u in browser.requests)


def test_the_curator_recorded_is_the_http_basic_user_when_given(site):
    """Who decides comes from the credentials when they name someone (HTTP Basic user), not from the form."""
    base, draft = site
    r = httpx.post(f"{base}/curate/{DOC}", data={"node": FIGURE, "decision": "review-rejected", "curator": "Someone Else"},
                   auth=("Ada Curator", TOKEN), timeout=30)
    assert r.status_code == 303
    text = draft.read_text(encoding="utf-8")
    assert '<https://w3id.org/cdkg/id/curator/ada-curator> a prov:Agent ; rdfs:label "Ada Curator" .' in text
    last = text[text.rindex("a cd:CurationDecision"):]
    assert f"prov:used <{FIGURE}>" in last and "prov:wasAssociatedWith <https://w3id.org/cdkg/id/curator/ada-curator>" in last
    assert "Someone Else" not in text


def test_the_configured_curator_is_recorded_whatever_name_is_typed(site):
    _, draft = site
    data = draft.parent.parent
    with running_service(data.parent / "build", env={"CDKG_DATA_DIR": str(data), "CDKG_UPDATE_TOKEN": TOKEN,
                                                     "CDKG_QUERY_WORKERS": "0", "CDKG_CURATOR": "Configured Curator"}) as base:
        page = httpx.get(f"{base}/curate/{DOC}", headers=auth(), timeout=30).text
        assert '<strong id="curator-name">Configured Curator</strong>' in page and 'name="curator" id="curator"' not in page
        r = httpx.post(f"{base}/curate/{DOC}", data={"node": FIGURE, "decision": "review-rejected", "curator": "Typed Name"},
                       headers=auth(), timeout=30)
        assert r.status_code == 303
    last = draft.read_text(encoding="utf-8").rsplit("a cd:CurationDecision", 1)[1]
    assert "prov:wasAssociatedWith <https://w3id.org/cdkg/id/curator/configured-curator>" in last
    assert "Typed Name" not in draft.read_text(encoding="utf-8")
