"""The module boundaries ARCHITECTURE.md promises, checked on the source itself."""

from __future__ import annotations

import ast
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
    syntax = ("MATCH", " NEAR", "bm25(", "fts5", " OR ", " AND ")
    writers = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and any(word in node.value for word in syntax):
                writers.add(path.relative_to(PACKAGE).parts[0])
    assert writers == {"store"}
