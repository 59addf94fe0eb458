"""Start a real OpenLink Virtuoso (Debian's `virtuoso-opensource`) on 127.0.0.1, free ports, with its
database and virtuoso.ini in a temporary folder; for the publish and query-library tests.

The settings that matter for this project, written into virtuoso.ini below:
- ResultSetMaxRows: Debian's default (10000) silently cuts an answer; the query library and the
  per-graph counts need whole answers, so it is raised.
- MaxQueryCostEstimationTime: Virtuoso refuses a query whose *estimated* cost exceeds it; its
  estimates for the library's many-OPTIONAL queries are absurd (rafsanjan-proposal: 363,986,656 s
  against a 100,000 s limit; reported-vs-graph-counts at Debian's 400 s), so 0 turns the check off
  and MaxQueryExecutionTime bounds the real run time instead.
- MaxQueryExecutionTime: bounds every query, as the service's own timeout does.
The SQL run after start grants SPARQL_UPDATE to a digest-auth user (for /sparql-graph-crud-auth),
and not to the anonymous "SPARQL" user, so the open endpoints stay read-only.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from service import free_port, stop_process

USER, PASSWORD = "cdkg", "cdkg-test-secret"

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}, /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 500M
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 8
ServerThreads = 8
MaxKeepAlives = 8
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 120
DefaultGraph =
"""

SETUP_SQL = f"""
DB.DBA.USER_CREATE('{USER}', '{PASSWORD}');
GRANT SPARQL_SELECT TO "{USER}";
GRANT SPARQL_UPDATE TO "{USER}";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 15);
"""


def virtuoso_path() -> str | None:
    return shutil.which("virtuoso-t")


def isql(sql_port: int, sql: str, timeout: float = 60) -> str:
    """Run SQL through Virtuoso's isql as dba (the default password of a fresh database)."""
    p = subprocess.run([shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={sql}"],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0 or "*** Error" in p.stdout + p.stderr:
        raise RuntimeError(f"isql failed: {p.stdout[-2000:]} {p.stderr[-2000:]}")
    return p.stdout


@contextmanager
def running_virtuoso(folder: Path, startup: float = 120):
    """A fresh Virtuoso in `folder`; yields (http base URL, SQL port, seconds it took to answer)."""
    folder.mkdir(parents=True, exist_ok=True)
    http, sql = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(d=folder, http=http, sql=sql), encoding="utf-8")
    log = open(folder / "stdout.log", "w+")
    t0 = time.monotonic()
    proc = subprocess.Popen([virtuoso_path(), "+foreground", "+configfile", str(ini)], cwd=str(folder),
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}"
    try:
        while True:
            try:
                if httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() - t0 > startup:
                log.seek(0)
                tail = (folder / "virtuoso.log").read_text(errors="replace")[-3000:] if (folder / "virtuoso.log").exists() else ""
                raise RuntimeError(f"virtuoso did not start: {log.read()[-2000:]} {tail}")
            time.sleep(0.3)
        started = time.monotonic() - t0
        isql(sql, SETUP_SQL)
        yield base, sql, started
    finally:
        stop_process(proc, log, grace=30)
