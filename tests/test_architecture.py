"""The module boundaries docs/architecture.md promises, checked on the source itself."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "citels"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_lsp_package_imports_the_protocol_libraries():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "lsp" not in path.relative_to(PACKAGE).parts[:1]
        and imported_modules(path) & {"pygls", "lsprotocol"}
    ]
    assert offenders == []


def test_only_the_store_writes_sql():
    writers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if any(word in path.read_text(encoding="utf-8")
               for word in ("INSERT INTO", "DELETE FROM", "UPDATE papers", "CREATE TABLE"))
    ]
    assert writers and all(path.startswith("store/") for path in writers), writers


def test_only_the_store_writes_fts5_syntax():
    # Its string literals, that is: the ranker asks in word groups (citels.search_index),
    # and only the store turns them into MATCH expressions, its schema included.
    # The Zotero reader queries Zotero's own database in plain SQL (its AND is not FTS5's):
    # there only the FTS5-only words count.
    syntax = ("MATCH", " NEAR", "bm25(", "fts5", " OR ", " AND ")
    fts5_only = ("MATCH", " NEAR", "bm25(", "fts5")
    foreign_sql = {"corpus/zotero_rows.py"}
    writers = set()
    for path in PACKAGE.rglob("*.py"):
        name = str(path.relative_to(PACKAGE))
        words = fts5_only if name in foreign_sql else syntax
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and any(word in node.value for word in words):
                writers.add(path.relative_to(PACKAGE).parts[0])
    assert writers == {"store"}


def module_name(path: Path) -> str:
    parts = ("citels",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def citels_imports(path: Path, modules: set[str]) -> set[str]:
    """The citels modules a file imports, wherever the import statement stands."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            # `from citels.lsp import convert` imports the module citels.lsp.convert
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]  # citels.x.Y -> citels.x
            if target and target != name:
                found.add(target)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def citels_import_graph() -> dict[str, set[str]]:
    paths = list(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {module_name(path): citels_imports(path, modules) for path in paths}


def test_the_cycle_finder_finds_a_cycle_through_a_package():
    graph = {"citels.a": {"citels.b"}, "citels.b": {"citels.c.d"}, "citels.c.d": {"citels.a"},
             "citels.e": {"citels.a"}}
    assert import_cycles(graph) == [["citels.a", "citels.b", "citels.c.d"]]


def test_no_module_imports_one_that_imports_it_back():
    graph = citels_import_graph()
    assert "citels.lsp.server" in graph["citels.lsp.completion"]  # the graph sees imports
    assert import_cycles(graph) == []


def test_every_module_can_be_imported_first():
    # The graph above has no package's __init__ in a submodule's imports; Python runs it
    # first, so a cycle through one shows only when a module is imported before the rest
    # (citels.lsp.setup once failed that way, through citels.corpus). Each module is
    # imported alone, in a fresh set of citels modules, in one interpreter.
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {sorted(citels_import_graph())!r}:\n"
        "    for loaded in [m for m in sys.modules if m == 'citels' or m.startswith('citels.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as error:\n"
        "        failed.append(f'{name}: {error}')\n"
        "print('\\n'.join(failed))\n")
    assert _fresh_interpreter(script).strip() == ""


def _fresh_interpreter(script: str) -> str:
    """What `script` prints, run by a new Python that imports citels from this checkout."""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)},
                          check=True).stdout


# What only an index run, an online lookup or an entry being written needs: the server's
# start-up (imports, then building the server) leaves them to the first use, which keeps
# the way to the first completion short (docs/architecture.md, "What a start imports").
NOT_AT_START = (
    "citels.indexer", "citels.bib_update", "citels.linking", "citels.store.spill",
    "citels.corpus.sources", "citels.corpus.zotero_rows", "citels.corpus.bibtex_file",
    "citels.online",
    "multiprocessing", "concurrent.futures.process", "pylatexenc", "bibtexparser", "tqdm",
    "sqlite_utils", "requests", "requests_cache", "yaml",
)


def test_starting_the_server_leaves_indexing_lookups_and_latex_to_their_first_use():
    # What `citels serve` runs before it reads its first message, in a fresh interpreter.
    script = ("import sys\n"
              "from citels.cli import main\n"
              "from citels.lsp.setup import create_server\n"
              "create_server()\n"
              "print('\\n'.join(sorted(sys.modules)))\n")
    loaded = _fresh_interpreter(script).split()
    assert "citels.lsp.completion" in loaded and "citels.store.papers" in loaded
    early = [name for name in loaded
             if any(name == unwanted or name.startswith(unwanted + ".")
                    for unwanted in NOT_AT_START)]
    assert early == []
