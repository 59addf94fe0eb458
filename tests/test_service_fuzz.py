"""Property-based fuzzing of the HTTP API from its own OpenAPI description (schemathesis), against the
real service with writes enabled: no request may get a 5xx or break the connection. Bounded: a few
examples per operation and a time budget (a longer run: docs/reliability.md, "Fuzzing"). The routes that
read their body themselves (SPARQL Protocol, uploads) describe it in the OpenAPI (api/request_bodies.py),
so the fuzzer sends them bodies too, as text in the SPARQL and RDF media types (tests/fuzz_media_types.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from api.app import create_app
from conftest import ROOT
from service import writable_service

TOKEN = "tok-fuzz-5d0e"


def test_fuzzing_the_openapi_description_finds_no_server_error(built, settings, tmp_path):
    with writable_service(settings, tmp_path / "build", TOKEN) as base:  # fuzzed writes land in a private copy
        schemathesis = Path(sys.executable).with_name("schemathesis")
        done = subprocess.run([str(schemathesis), "run", f"{base}/openapi.json", "--checks", "not_a_server_error",
                               "--phases", "examples,fuzzing", "--max-examples", "5", "--max-time", "40",
                               "--workers", "1", "--request-timeout", "30",
                               "--header", f"Authorization: Bearer {TOKEN}", "--no-color"],
                              capture_output=True, text=True, timeout=120, cwd=str(tmp_path),
                              env={**os.environ, "PYTHONPATH": str(ROOT / "tests"), "SCHEMATHESIS_HOOKS": "fuzz_media_types"})
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
        assert "generated" in done.stdout and " failed" not in done.stdout.split("Test cases:")[-1], done.stdout[-3000:]
        assert httpx.get(f"{base}/health", timeout=10).status_code == 200


def test_openapi_describes_the_bodies_the_protocol_routes_read_themselves():
    # Before: these had no request body in the OpenAPI, so the fuzzer never sent them one.
    paths = create_app().openapi()["paths"]
    bodies = {(path, method): set(paths[path][method].get("requestBody", {}).get("content", {}))
              for path, method in [("/sparql", "post"), ("/update", "post"), ("/validate", "post"),
                                   ("/rdf-graph-store", "put"), ("/rdf-graph-store", "post")]}
    assert {"application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded"} <= bodies[("/sparql", "post")]
    assert {"application/sparql-update", "application/x-www-form-urlencoded"} <= bodies[("/update", "post")]
    for key in [("/validate", "post"), ("/rdf-graph-store", "put"), ("/rdf-graph-store", "post")]:
        assert {"text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"} <= bodies[key], key
    assert "query" in {p["name"] for p in paths["/sparql"]["get"]["parameters"]}
    assert {"graph", "default"} <= {p["name"] for p in paths["/rdf-graph-store"]["delete"]["parameters"]}
