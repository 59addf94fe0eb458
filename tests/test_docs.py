"""The README is part of the product: its commands, settings and links must be true."""
from __future__ import annotations

import re

from typer.main import get_command

from conftest import ROOT
from kg.cli.main import app
from kg.core.config import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_blocks() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    blocks = _quick_start_blocks()
    assert len(blocks) == 2 and all(len(b.splitlines()) == 1 for b in blocks)
    assert "cdkg serve" in blocks[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci


def test_every_cdkg_command_in_the_readme_exists():
    commands = set(get_command(app).commands)
    used = set(re.findall(r"^cdkg ([\w-]+)", README, re.M)) | set(re.findall(r"`cdkg ([\w-]+)", README))
    assert used and used <= commands, used - commands


def test_settings_table_matches_the_settings_registry():
    documented = set(re.findall(r"`CDKG_([A-Z_]+)`", README))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields, f"in README only: {documented - fields}; undocumented: {fields - documented}"


def test_relative_links_in_docs_resolve():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
