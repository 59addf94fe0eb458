"""Property-based fuzzing of the HTTP API from its own OpenAPI description (schemathesis), against the
real service with writes enabled: no request may get a 5xx or break the connection. Bounded: a few
examples per operation and a time budget (a longer run: docs/service.md, "Fuzzing")."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from service import copy_build, running_service

TOKEN = "tok-fuzz-5d0e"


def test_fuzzing_the_openapi_description_finds_no_server_error(built, settings, tmp_path):
    build = copy_build(settings, tmp_path / "build")  # fuzzed writes land in a private copy
    with running_service(build, env={"CDKG_UPDATE_TOKEN": TOKEN}) as base:
        schemathesis = Path(sys.executable).with_name("schemathesis")
        done = subprocess.run([str(schemathesis), "run", f"{base}/openapi.json", "--checks", "not_a_server_error",
                               "--max-examples", "5", "--max-time", "40", "--workers", "1", "--request-timeout", "30",
                               "--header", f"Authorization: Bearer {TOKEN}", "--no-color"],
                              capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
        assert "generated" in done.stdout and " failed" not in done.stdout.split("Test cases:")[-1], done.stdout[-3000:]
        assert httpx.get(f"{base}/health", timeout=10).status_code == 200
