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
             ({"node": KAZAN, "decision": "review-accepted", "curator": "T", "status": "status-bogus"}, 400)]
    for form, code in cases:
        assert httpx.post(f"{base}/curate/{DOC}", data=form, headers=auth(), timeout=30).status_code == code
    assert httpx.get(f"{base}/curate/no-such-draft", headers=auth(), timeout=30).status_code == 404
    assert httpx.get(f"{base}/curate/bad%20id!", headers=auth(), timeout=30).status_code == 400
    too_big = {"node": KAZAN, "decision": "review-accepted", "curator": "x" * 16_384}  # just past the form limit
    assert httpx.post(f"{base}/curate/{DOC}", data=too_big, headers=auth(), timeout=30).status_code == 413
    assert httpx.get(f"{base}/health", timeout=30).status_code == 200
    assert draft.read_text(encoding="utf-8") == before


def _decide(browser: Browser, node: str, button: str, status: str | None = None) -> None:
    row = f'document.querySelector(\'tr[data-node="{node}"]\')'
    if status:
        browser.evaluate(f"{row}.querySelector('select[name=status]').value = '{status}'")
    browser.evaluate(f"{row}.querySelector('button[value={button}]').click()")
    expected = "review-rejected" if button == "reject" else "review-accepted"
    browser.wait_for(f"document.readyState === 'complete' && {row} !== null && {row}.className === '{expected}'")


def test_browser_accepts_rejects_and_edits_candidates(site, tmp_path):
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium is not installed (.ci/run installs the Debian package `chromium`)")
    base, draft = site
    summary = "document.getElementById('shacl-summary').innerText"
    with Browser(exe) as browser:
        browser.send("Network.setExtraHTTPHeaders", headers=auth())
        browser.goto(f"{base}/curate/{DOC}?curator=Test%20Curator")
        assert browser.evaluate(f"document.querySelectorAll('#candidates tr[data-node]').length") == 13
        assert browser.evaluate("document.querySelectorAll('.article mark').length") >= 4  # the candidates' sentences
        assert browser.evaluate(summary).startswith("0 Violation(s)")  # nothing accepted: nothing to publish

        _decide(browser, KAZAN, "accept")
        text = draft.read_text(encoding="utf-8")
        block = text[text.index(f"<{KAZAN}>"):]
        assert 'cd:reviewStatus cdc:review-accepted ; cd:reviewedBy "Test Curator" ; cd:reviewedAt "' in block[:2000]
        # accepted alone, the status points to an agreement that is still a candidate: the report says so
        assert "does not conform" in browser.evaluate(summary)
        assert "cd:statusOf must point to a cd:Agreement" in browser.evaluate("document.querySelector('.report').innerText")

        _decide(browser, FIGURE, "reject")
        text = draft.read_text(encoding="utf-8")
        assert "cdc:review-rejected" in text[text.index(f"<{FIGURE}>"):][:1500]

        _decide(browser, DUSHANBE, "edit", status="status-proposed")
        text = draft.read_text(encoding="utf-8")
        block = text[text.index(f"<{DUSHANBE}>"):][:1500]
        assert "cd:status cdc:status-proposed" in block and "cdc:review-accepted" in block
        assert "Dushanbe sister-city agreement: proposed" in block
        # the agreement nodes and the document accepted too: the statuses now point to data
        for node in (f"{ID}agreement/shiraz-kazan-sister-city", f"{ID}agreement/shiraz-dushanbe-sister-city",
                     f"{ID}place/shiraz", f"{ID}place/dushanbe", f"{ID}document/{DOC}"):
            _decide(browser, node, "accept")
        report = browser.evaluate("document.querySelector('.report').innerText")
        assert "cd:statusOf must point" not in report and "needs its publisher" in report
        browser.screenshot(tmp_path / "curate.png")
        assert all(u.startswith(base) or u.startswith("data:") or u == "about:blank" for u in browser.requests)
