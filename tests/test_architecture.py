"""The codebase's shape, checked as code: the layers, no import cycles, and a few house rules.

The layers, bottom to top (README "Where things live"):

    metrics     the pure core: contract, validation, loading, calendar, SQL, computations, masking
    charts      Plotly figures from the core's data, with one template
    boardpack   the PowerPoint and PDF pack, from the core's figures and the charts
    cli         the command line (``python -m metrics``)
    app         the Streamlit side: shell, cached adapters, page registry
    pages       dashboard.py and pages/*.py, Streamlit scripts that only lay out components
    devtools    developer tools (the Chromium harness); nothing above imports it

A layer may import the layers below it, never one above or beside it (the command line and the
app are independent). Every module of every package is read, including imports inside
functions.
"""

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("metrics", "charts", "boardpack", "cli", "app", "devtools")
# What each layer may import, besides the standard library and third-party packages.
ALLOWED = {
    "metrics": {"metrics"},
    "charts": {"metrics", "charts"},
    "boardpack": {"metrics", "charts", "boardpack"},
    "cli": {"metrics", "charts", "boardpack", "cli"},
    "app": {"metrics", "charts", "boardpack", "app"},
    "pages": {"metrics", "charts", "boardpack", "app"},
    "devtools": {"metrics", "charts", "boardpack", "app", "devtools"},
}
FORBIDDEN_THIRD_PARTY = {
    "metrics": {"streamlit"},
    "charts": {"streamlit"},
    "boardpack": {"streamlit"},
    "cli": {"streamlit"},
}
# Run, never imported: `python -m metrics` hands over to the command line from here.
ENTRY_SCRIPTS = {"metrics/__main__.py"}
# The sample generator is a tool: only the command line's `sample` command may use it.
SAMPLE_USERS = {"cli", "metrics.sample"}


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str:
    top = module.split(".")[0]
    return top if top in PACKAGES else "pages"


def _sources(root: Path) -> Iterable[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            yield _module_name(path, root), path
    yield "dashboard", root / "dashboard.py"
    for path in sorted((root / "pages").glob("*.py")):
        yield "pages." + path.stem, path


def _type_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:``: annotations only, never run."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return out


def imports_of(path: Path, module: str, known: set[str], *, runtime_only: bool = False) -> set[str]:
    """Every module `path` imports (top-level, inside functions and, unless `runtime_only`, for
    annotations), resolved to the most precise name: `from metrics import spend` is metrics.spend
    when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skip = _type_only(tree) if runtime_only else set()
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                out.add(candidate if candidate in known else base)
    return out


def layer_violations(root: Path) -> list[str]:
    sources = dict(_sources(root))
    known = set(sources)
    problems = []
    for module, path in sources.items():
        rel = str(path.relative_to(root))
        if rel in ENTRY_SCRIPTS:
            continue
        layer = _layer(module)
        for target in sorted(imports_of(path, module, known)):
            top = target.split(".")[0]
            if top in PACKAGES and top not in ALLOWED[layer]:
                problems.append(f"{rel} ({layer}) imports {target} ({top})")
            elif top in FORBIDDEN_THIRD_PARTY.get(layer, ()):
                problems.append(f"{rel} ({layer}) imports {top}")
            elif top == "tests" or top == "pages":
                problems.append(f"{rel} imports {target}: tests and page scripts are never imported")
            elif (target == "metrics.sample" or target.startswith("metrics.sample.")) and not any(
                module == user or module.startswith(user + ".") for user in SAMPLE_USERS
            ):
                problems.append(f"{rel} imports the sample generator {target}")
    return problems


def import_cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each a cycle of imports that run
    (a module and the dataclasses it words may name each other in annotations)."""
    sources = dict(_sources(root))
    known = set(sources)
    graph = {
        m: sorted(t for t in imports_of(p, m, known, runtime_only=True) if t in known and t != m)
        for m, p in sources.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def test_every_layer_imports_only_what_is_below_it():
    assert layer_violations(ROOT) == []


def test_no_import_cycles():
    assert import_cycles(ROOT) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "pages").mkdir()
    (tmp_path / "dashboard.py").write_text("import app.shell\n")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_checker_catches_a_deliberately_wrong_import(tmp_path):
    """The rule is not vacuous: the core reaching up into the charts, a subpackage deep in the
    core importing Streamlit, the pack importing the sample generator, and a cycle are caught."""
    root = _tree(
        tmp_path,
        {
            "metrics/spend/__init__.py": "",
            "metrics/spend/compute.py": "def f():\n    from charts.spend import chart\n",
            "metrics/kpis/queries.py": "import streamlit as st\n",
            "metrics/sample/__init__.py": "",
            "boardpack/content.py": "from metrics import sample\n",
            "charts/spend.py": "from metrics.spend import compute\n",
            "app/a.py": "from app import b\n",
            "app/b.py": "import app.a\n",
            "app/shell.py": "",
        },
    )
    problems = "\n".join(layer_violations(root))
    assert "metrics/spend/compute.py (metrics) imports charts.spend (charts)" in problems
    assert "metrics/kpis/queries.py (metrics) imports streamlit" in problems
    assert "boardpack/content.py imports the sample generator metrics.sample" in problems
    assert sorted(import_cycles(root)) == [["app.a", "app.b"], ["charts.spend", "metrics.spend.compute"]]


def test_importing_the_core_does_not_load_streamlit_or_the_layers_above():
    modules = sorted(m for m, p in _sources(ROOT) if m.split(".")[0] == "metrics" and p.name != "__main__.py")
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(sorted(m for m in ('streamlit', 'charts', 'boardpack', 'cli', 'app') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_raw_html_from_code():
    """No page or helper renders raw HTML (data could carry a script). The one exception is the
    constant presentation-mode stylesheet, which Streamlit offers no per-session setting for."""
    offenders = []
    allowed = {("app/shell.py", "st.html(PRESENTATION_CSS)")}
    for folder in ("app", "pages", "metrics", "charts", "boardpack", "cli"):
        for p in (ROOT / folder).rglob("*.py"):
            rel = str(p.relative_to(ROOT))
            for line in p.read_text(encoding="utf-8").splitlines():
                if "unsafe_allow_html=True" in line or ("st.html(" in line and (rel, line.strip()) not in allowed):
                    offenders.append(f"{rel}: {line.strip()}")
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    assert "unsafe_allow_html=True" not in text and "st.html(" not in text
    assert offenders == []


def test_presentation_stylesheet_is_a_constant():
    from app import shell

    assert isinstance(shell.PRESENTATION_CSS, str) and shell.PRESENTATION_CSS.startswith("<style>")
    # A plain literal, not an f-string or a template filled at run time.
    assert 'PRESENTATION_CSS = """<style>' in (ROOT / "app" / "shell.py").read_text()
