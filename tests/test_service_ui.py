"""The query UI in a real browser (headless Chromium), offline: YASGUI from the locally installed
package runs a query against this service and shows its result table; no request leaves 127.0.0.1."""
from __future__ import annotations

import pytest

from api.ui_assets import assets_present, ensure
from browser import Browser, chromium_path

QUERY = "SELECT ?label WHERE { place:isfahan rdfs:label ?label } ORDER BY ?label"
ROWS = """(() => { const rows = document.querySelectorAll('.yasr table tbody tr');
  return rows.length ? Array.from(rows).map(r => r.innerText) : null })()"""


@pytest.fixture(scope="module")
def ui_site(settings, readonly):
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium is not installed (.ci/run installs the Debian package `chromium`)")
    notice = ensure(settings.ui_assets_dir)  # the set-up step (`cdkg ui-install`), idempotent
    if not assets_present(settings.ui_assets_dir):
        pytest.skip(f"the query UI could not be installed: {notice}")
    return readonly, exe  # the session's read-only server: the page's files are read from disk per request


def test_ui_runs_a_query_and_shows_the_result_table_offline(ui_site, tmp_path):
    base, exe = ui_site
    with Browser(exe) as browser:
        browser.goto(f"{base}/sparql")
        browser.wait_for("typeof Yasgui !== 'undefined' && document.querySelector('.yasqe .CodeMirror') !== null")
        browser.evaluate(f"(() => {{ const t = yasgui.getTab(); t.setQuery({QUERY!r}); t.query(); return true }})()")
        rows = browser.wait_for(ROWS, timeout=30)
        assert any("اصفهان" in r for r in rows) and any("Isfahan" in r for r in rows)
        browser.screenshot(tmp_path / "ui.png")
        # The competency queries are offered as examples and run from a click.
        assert browser.evaluate("document.querySelectorAll('button.example').length") >= 1
        browser.evaluate("window.__answers = []; yasgui.on('queryResponse', (y, tab) => "
                         "window.__answers.push(tab.getYasr().results.getStatus())); "
                         "document.querySelector('button.example').click(); true")
        assert browser.wait_for("window.__answers.length ? window.__answers : null", timeout=30) == [200]
        outside = [u for u in browser.requests if not u.startswith(("http://127.0.0.1", "data:", "about:", "blob:"))]
        assert outside == [], f"the UI fetched from outside this server: {outside}"
        assert browser.console == []
