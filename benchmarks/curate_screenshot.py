"""Regenerate docs/img/curate.png: the review page on seed article a002, taken by headless Chromium.

    .venv/bin/python benchmarks/curate_screenshot.py [--out docs/img/curate.png]

In a temporary folder (nothing is written to data/): the seed articles as data, `cdkg intake` on
../shared/seeds/002_209da27674a0438f.txt, `cdkg build`, the service on 127.0.0.1 with an update
token and CDKG_CURATOR set; then the page after a few decisions (one accepted, one rejected, one
corrected) with the entity picker open on a row. Needs chromium and ../shared/seeds.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from browser import Browser, chromium_path  # noqa: E402
from service import running_service  # noqa: E402

from kg.core import data_dir, shared_dir  # noqa: E402

TOKEN = "screenshot-token"
DOC = "javan-online-1010716"
ID = "https://w3id.org/cdkg/id/"


def main() -> int:
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else HERE.parent / "docs" / "img" / "curate.png"
    seed = shared_dir() / "seeds" / "002_209da27674a0438f.txt"
    exe = chromium_path()
    if exe is None or not seed.is_file():
        print("needs chromium and ../shared/seeds", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cdkg-curate-shot-") as tmp:
        data, build = Path(tmp) / "data", Path(tmp) / "build"
        shutil.copytree(data_dir() / "seed-articles", data / "seed-articles")
        (data / "articles").mkdir()
        shutil.copy(data_dir() / "articles" / "source.toml", data / "articles" / "source.toml")
        env = {**os.environ, "CDKG_DATA_DIR": str(data), "CDKG_BUILD_DIR": str(build)}
        for cmd in (["intake", str(seed)], ["build"]):
            subprocess.run([sys.executable, "-m", "kg.cli", *cmd], env=env, check=True, timeout=600, cwd="/",
                           stdout=subprocess.DEVNULL)
        with running_service(build, env={"CDKG_DATA_DIR": str(data), "CDKG_UPDATE_TOKEN": TOKEN, "CDKG_QUERY_WORKERS": "0",
                                         "CDKG_CURATOR": "Docs Curator"}) as base:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            page = httpx.get(f"{base}/curate/{DOC}", headers=auth, timeout=60).text
            nodes = [n for n in _nodes(page) if "/status/" in n]
            decisions = [(nodes[0], {"decision": "review-accepted"}), (nodes[1], {"decision": "review-rejected"}),
                         (nodes[2], {"decision": "review-accepted", "status": "status-proposed"})]
            for node, form in decisions:
                r = httpx.post(f"{base}/curate/{DOC}", data={"node": node, **form}, headers=auth, timeout=60)
                assert r.status_code == 303, r.text  # the page again, after the decision
            pick = next(n for n in _nodes(page) if "/agreement/" in n and "saint-petersburg" in n)
            with Browser(exe) as browser:
                browser.send("Network.setExtraHTTPHeaders", headers=auth)
                browser.goto(f"{base}/curate/{DOC}?" + urlencode({"pick": pick, "q": "Saint Petersburg"}))
                browser.evaluate("document.querySelector('.picker').scrollIntoView({block: 'center'})")
                out.parent.mkdir(parents=True, exist_ok=True)
                browser.screenshot(out)
    print(f"wrote {out}")
    return 0


def _nodes(page: str) -> list[str]:
    import re

    return re.findall(r'<tr class="review-[a-z]+" data-node="([^"]+)"', page)


if __name__ == "__main__":
    raise SystemExit(main())
