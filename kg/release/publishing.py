"""`cdkg publish`: build, reason, validate, and only if nothing violates the shapes, release.

The release is written into a new hidden folder beside the target and switched into place by one
atomic rename (the target is a symbolic link to the current release folder). A publish that fails
or is interrupted never touches the previous release: its files stay byte-identical. The previous
release folder is kept for rollback; older ones and leftovers of interrupted runs are removed.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.core import Settings
from kg.core import CdkgError
from kg.validation import ValidationReport


class PublishError(CdkgError):
    """The release folder cannot be written or switched."""


class PublishBlocked(CdkgError):
    """The data has Violations: nothing was published."""

    def __init__(self, report: ValidationReport, report_path: Path):
        self.report, self.report_path = report, report_path
        n = sum(1 for r in report.results if r.severity_name == "Violation")
        super().__init__(f"publishing blocked: {n} Violation(s) of the SHACL shapes; the previous release is unchanged. "
                         f"Fix them (report: {report_path}; `cdkg validate` shows them) and publish again.")


@dataclass
class PublishResult:
    release: Path
    folder: Path
    manifest: dict
    report: ValidationReport
    remote: list = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def release_target(settings: Settings, release_dir: Path | None = None) -> Path:
    return Path(release_dir or settings.release_dir or settings.build_dir / "release").absolute()


def _current_graphs(target: Path) -> list[str]:
    try:
        return json.loads((target / "release.json").read_text(encoding="utf-8")).get("graphs", [])
    except (OSError, ValueError):
        return []


def _check_target(target: Path) -> None:
    if target.is_symlink() or not target.exists():
        return
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
        return
    raise PublishError(f"{target} exists and is not a release made by `cdkg publish` (those are symbolic links to "
                       f"a release folder): move it away or choose another --release-dir.")


def _cleanup(target: Path, keep: set[str]) -> None:
    """Remove older release folders (keeping `keep`) and leftovers of interrupted publishes."""
    prefix = f".{target.name}-"
    for p in target.parent.iterdir():
        if p.name.startswith(prefix) and p.name not in keep:
            if p.is_symlink() or p.is_file():
                p.unlink(missing_ok=True)
            else:
                shutil.rmtree(p, ignore_errors=True)


def switch(target: Path, folder: Path) -> None:
    """Point `target` at `folder` with one rename (atomic on POSIX)."""
    link = target.parent / f".{target.name}-link-{time.time_ns()}"
    os.symlink(folder.name, link)
    try:
        os.replace(link, target)
    except OSError as exc:
        link.unlink(missing_ok=True)
        raise PublishError(f"cannot put the release in place at {target}: {exc}") from None


def publish(settings: Settings | None = None, release_dir: Path | None = None, remote: str | None = None,
            engine: str = "fast") -> PublishResult:
    """Build (if stale), validate, write the release atomically, and optionally push to a remote store."""
    from kg.dataset import build, is_stale
    from kg.core import open_store
    from kg.release.files import write_release_files
    from kg.validation import to_text, to_turtle
    from kg.validation import validate_store

    settings = settings or Settings()
    target = release_target(settings, release_dir)
    _check_target(target)
    if remote:  # refuse a bad remote URL before minutes of building
        from kg.release.remote import GraphStore
        GraphStore(remote, query_url=settings.remote_query_url)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    if is_stale(settings):
        build(settings)
    seconds["build"] = time.perf_counter() - t0
    store = open_store(settings)
    fingerprint = json.loads(settings.manifest_path.read_text(encoding="utf-8")).get("fingerprint", "")
    t0 = time.perf_counter()
    report = validate_store(store, settings, engine)
    seconds["validate"] = time.perf_counter() - t0
    if not report.conforms:
        out = settings.build_dir / "publish-blocked-report.txt"
        out.write_text(to_text(report, settings.base_iri), encoding="utf-8")
        (settings.build_dir / "publish-blocked-report.ttl").write_text(to_turtle(report, settings.base_iri), encoding="utf-8")
        raise PublishBlocked(report, out)

    t0 = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.timezone.utc)
    folder = target.parent / f".{target.name}-{created.strftime('%Y%m%dT%H%M%SZ')}-{fingerprint[:8] or 'nofp'}-{time.time_ns() % 10**6:06d}"
    previous = target.resolve() if target.is_symlink() else None
    previous_graphs = _current_graphs(target)
    folder.mkdir()
    result = None
    try:
        manifest = write_release_files(folder, store, settings, report, created, fingerprint)
        seconds["release"] = time.perf_counter() - t0
        result = PublishResult(target, folder, manifest, report, seconds=seconds)
        if remote:  # before the switch: a failed push leaves the local release as it was
            t0 = time.perf_counter()
            result.remote = push_remote(store, settings, remote, manifest["graph_signatures"], previous_graphs)
            seconds["remote"] = time.perf_counter() - t0
        switch(target, folder)
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if remote and result is not None and isinstance(exc, CdkgError):
            kept = (f"{target} still holds the previous release" if previous is not None
                    else f"no release was put at {target}")
            raise PublishError(f"{exc}\nThe local release was not switched: {kept}.") from None
        raise
    _cleanup(target, keep={folder.name} | ({previous.name} if previous is not None else set()))
    return result


def push_remote(store, settings: Settings, remote: str, signatures: dict, previous_graphs: list[str]) -> list:
    """Push the named graphs to a Graph Store Protocol endpoint with the remote settings (CDKG_REMOTE_*)."""
    from kg.release.auth import RemoteAuth
    from kg.release.remote import GraphStore, push, state_path

    graph_store = GraphStore(remote, RemoteAuth.from_settings(settings), settings.remote_timeout, settings.remote_retries,
                             settings.remote_batch_triples, settings.remote_query_url)
    return push(store, graph_store, signatures, state_path(settings.build_dir, remote), previous_graphs)
