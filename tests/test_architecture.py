"""docs/architecture.md and the packages agree, and every package keeps to its face."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"


def packages() -> set[str]:
    """Dotted names of the Python packages of kg/ and api/ (folders with an __init__.py)."""
    return {".".join(p.parent.relative_to(ROOT).parts) for top in ("kg", "api") for p in (ROOT / top).rglob("__init__.py")}


def diagram() -> str:
    return re.search(r"```mermaid\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)


def named_in_diagram() -> set[str]:
    return set(re.findall(r'\["((?:kg|api)(?:\.[a-z_]+)*)<br/>', diagram()))


def test_every_package_in_the_architecture_diagram_exists():
    assert named_in_diagram() - packages() == set()


def test_every_package_that_exists_is_in_the_architecture_diagram():
    assert packages() - named_in_diagram() == set()
    table = set(re.findall(r"^\| `((?:kg|api)(?:\.[a-z_]+)*)` \|", DOC.read_text(encoding="utf-8"), re.M))
    assert table == packages()


def test_modules_import_other_packages_through_their_face():
    """`from kg.core import Settings`, never `from kg.core.config import Settings`, across packages
    (api.routers, the service's own parts, use the modules of api directly)."""
    found = []
    for path in [*(ROOT / "kg").rglob("*.py"), *(ROOT / "api").rglob("*.py")]:
        here = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        own = max((p for p in packages() if here == p or here.startswith(p + ".")), key=len)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = ([node.module] if isinstance(node, ast.ImportFrom) and node.module else
                       [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for target in targets:
                if target.split(".")[0] not in ("kg", "api") or target in packages():
                    continue
                home = max((p for p in packages() if target.startswith(p + ".")), key=len)
                if home != own and not own.startswith(home + "."):  # a package's parts may use its own modules
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {target}")
    assert found == []


def test_no_face_exports_a_name_its_package_also_has_as_a_module():
    """A module imported by name would take the exported name's place on the package."""
    for name in sorted(packages()):
        folder = ROOT.joinpath(*name.split("."))
        modules = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
        exported = set(getattr(__import__(name, fromlist=["__all__"]), "__all__", ()))
        assert exported & modules == set(), name


def test_faces_export_what_they_promise():
    for name in sorted(packages()):
        package = __import__(name, fromlist=["__all__"])
        for exported in getattr(package, "__all__", ()):
            assert getattr(package, exported) is not None, f"{name}.{exported}"


def test_importing_a_package_imports_none_of_its_modules():
    """Faces import on first use: `import kg.dataset` loads no module of it (nor pyoxigraph, nor rdflib)."""
    code = ("import sys, kg, kg.core, kg.sources, kg.dataset, kg.validation, kg.release, kg.network, kg.cli, api, api.sparql\n"
            "print(sorted(m for m, mod in sys.modules.items() if m.split('.')[0] in ('kg', 'api')\n"
            "             and not hasattr(mod, '__path__') and m != 'kg.core.lazy'))\n"
            "print('pyoxigraph' in sys.modules, 'rdflib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.splitlines() == ["[]", "False False"]


def test_every_code_file_the_docs_name_exists():
    """A file of kg/ or api/ named in the README or docs/ (say `kg/core/config.py`) is where they say."""
    named = {m for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
             for m in re.findall(r"\b((?:kg|api)/[\w/-]+\.(?:py|html|js|css))\b", doc.read_text(encoding="utf-8"))}
    assert named and {p for p in named if not (ROOT / p).is_file()} == set()
