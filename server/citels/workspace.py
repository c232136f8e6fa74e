"""The workspace a document belongs to: its project files, a LaTeX file's root document, and
the fence that keeps citels from writing outside the workspace folders."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from citels.cite_syntax.latex import without_comments

_MAGIC_ROOT = re.compile(r"^\s*%\s*!\s*TEX\s+root\s*=\s*(?P<root>.+?)\s*$",
                         re.IGNORECASE | re.MULTILINE)
# \input{x}, \include{x}, \subfile{x}, \import{dir/}{x}: the files a root document pulls in.
_INCLUDES = re.compile(
    r"\\(?:input|include|subfile|includeonly)\s*\{(?P<file>[^{}]+)\}"
    r"|\\(?:sub)?import\s*\{(?P<dir>[^{}]*)\}\s*\{(?P<file2>[^{}]+)\}")
PROJECT_SUFFIXES = (".tex", ".md", ".qmd", ".rmd", ".markdown", ".typ", ".org")
MAX_PROJECT_FILES = 2000
MAX_WORKSPACE_BIB_FILES = 200  # the workspace's .bib files indexed, at most
SKIPPED_FOLDERS = {"node_modules", "__pycache__", "_build", "build", "dist", "venv"}


class OutsideWorkspace(Exception):
    """A bibliography path that leads outside the workspace folders; citels will not write it."""


def ensure_inside(path: Path, roots: Sequence[Path]) -> None:
    """Refuse a path that is, or resolves through a link to, outside every workspace root."""
    if not is_inside(path, roots):
        shown = ", ".join(str(root) for root in roots)
        raise OutsideWorkspace(
            f"{path} is outside the workspace ({shown}); citels will not write it")


def is_inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether a path, links resolved, lies below one of the workspace roots."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def same_folder(a: Path, b: Path) -> bool:
    """Whether two paths name the same folder, links resolved."""
    return a.resolve() == b.resolve()


def workspace_files(roots: Sequence[Path], suffixes: tuple[str, ...], limit: int) -> list[Path]:
    """Files below the workspace roots with these endings, hidden and build folders skipped."""
    found: list[Path] = []
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() not in suffixes or not path.is_file():
                continue
            parts = path.relative_to(root).parts[:-1]
            if any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts):
                continue
            found.append(path)
            if len(found) >= limit:
                return found
    return found


def project_files(roots: Sequence[Path]) -> list[Path]:
    """The LaTeX, Markdown, Typst and Org files of the workspace."""
    return workspace_files(roots, PROJECT_SUFFIXES, MAX_PROJECT_FILES)


def read_text(path: Path) -> str:
    """A project file's text; an unreadable one reads as empty."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def latex_root(document: Path, text: str, roots: Sequence[Path]) -> Path:
    """The root document of a LaTeX file: its `% !TEX root` comment, else a project file that
    includes it (\\input, \\include, \\subfile), else the file itself."""
    if match := _MAGIC_ROOT.search(text[:5000]):
        candidate = (document.parent / match["root"]).resolve()
        if candidate.suffix == "":
            candidate = candidate.with_suffix(".tex")
        if candidate.is_file() and is_inside(candidate, roots):
            return candidate
    target = document.resolve().with_suffix("")
    for path in project_files(roots):
        if path.suffix.lower() != ".tex" or path.resolve() == document.resolve():
            continue
        for match in _INCLUDES.finditer(without_comments(read_text(path))):
            name = match["file"] or (match["dir"] or "") + match["file2"]
            included = (path.parent / name.strip()).resolve()
            if included.with_suffix("") == target or included == target:
                return path
    return document
