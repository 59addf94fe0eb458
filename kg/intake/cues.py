"""The curator-editable dictionaries (kg/intake/cues/*.toml), compiled once per process."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.intake.normalise import cue_pattern

CUES_DIR = Path(__file__).resolve().parent / "cues"


@dataclass(frozen=True)
class CueSet:
    name: str
    regex: re.Pattern

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in self.regex.finditer(text, start, len(text) if end is None else end)]


def compile_cues(name: str, phrases: list[str]) -> CueSet:
    parts = sorted({cue_pattern(p) for p in phrases if p.strip()}, key=len, reverse=True)
    # Latin cues match whole words; Persian cues may be followed by suffixes ('تفاهمنامهای').
    alts = [rf"\b{p}\b" if p[:1].isascii() else rf"(?<![^\W\d_]){p}" for p in parts]
    return CueSet(name, re.compile("|".join(alts) or r"(?!x)x"))


@lru_cache(maxsize=4)
def load(folder: str = str(CUES_DIR)) -> dict:
    """All cue files merged: {file stem: parsed TOML}."""
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("*.toml"))}


@lru_cache(maxsize=4)
def compiled(folder: str = str(CUES_DIR)) -> dict:
    cues = load(folder)
    agr, roles = cues["agreements"], cues["roles"]
    return {
        "kinds": {k: (v["concept"], v.get("default_status"), compile_cues(k, v["cues"])) for k, v in agr["kinds"].items()},
        "statuses": {k: (bool(v.get("hedged")), compile_cues(k, v["cues"])) for k, v in agr["statuses"].items()},
        "titles": compile_cues("titles", roles["posts"]["titles"]),
        "title_words": list(roles["posts"]["titles"]),
        "speech": compile_cues("speech", roles["posts"]["speech"]),
        "membership": {k: compile_cues(k, v) for k, v in roles["memberships"].items() if k != "not_after"},
        "membership_not_after": tuple(roles["memberships"].get("not_after", [])),
        "events": {k: compile_cues(k, v) for k, v in roles["events"].items()},
        "figures": cues["figures"],
        "approximate": compile_cues("approximate", cues["figures"]["approximate"]["cues"]),
    }
