"""Which bibliography file a document uses, and the fence that keeps citels inside the workspace."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from citels.cite_syntax import LATEX, MARKDOWN

_LATEX_COMMENT = re.compile(r"(?<!\\)(?:\\\\)*%.*$", re.MULTILINE)
# \bibliography{a,b} (possibly over several lines) and biblatex's \addbibresource[opts]{x.bib}
_LATEX_BIBLIOGRAPHY = re.compile(
    r"""
    \\(?:bibliography|addbibresource|addglobalbib|addsectionbib)  # the declaring command
    \s* (?:\[[^\]]*\])?                                           # biblatex options
    \s* \{ (?P<names>[^{}]*) \}                                   # one name or a list
    """,
    re.VERBOSE,
)
_FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(?P<yaml>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
PROJECT_METADATA = ("_quarto.yml", "_quarto.yaml", "_metadata.yml", "_metadata.yaml")


class OutsideWorkspace(Exception):
    """A bibliography path that leads outside the workspace folders; citels will not write it."""


@dataclass(frozen=True)
class Bibliography:
    """The .bib file a document's entries go to."""

    path: Path
    declared: bool  # named by the document (or its project); else the default beside it


def declared_bibliographies(text: str, language: str) -> list[str]:
    """The bibliography names a document declares, as written, in order."""
    if language == LATEX:
        code = _LATEX_COMMENT.sub("", text)
        names = []
        for match in _LATEX_BIBLIOGRAPHY.finditer(code):
            names += [name.strip() for name in match["names"].split(",") if name.strip()]
        return names
    if language == MARKDOWN:
        return _yaml_bibliographies(front_matter(text))
    return []


def front_matter(text: str) -> dict:
    """A Markdown document's YAML front matter, or {} if it has none or it is not valid YAML."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}
    data = _parsed_yaml(match["yaml"])
    return data if isinstance(data, dict) else {}


def _parsed_yaml(text: str) -> object:
    """The data of a YAML text, or None when it is not valid YAML."""
    # Imported when first needed: only Markdown projects have YAML, and loading the
    # module is 7 ms of the server's start.
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _yaml_bibliographies(metadata: dict) -> list[str]:
    value = metadata.get("bibliography")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def find_bibliography(document: Path, text: str, language: str, roots: Sequence[Path],
                      default_name: str = "references.bib") -> Bibliography:
    """The file a new entry for this document belongs in (it may not exist yet).

    Raises OutsideWorkspace when the declared file lies outside every workspace root.
    """
    folder = document.parent
    roots = list(roots) or [folder]
    base = folder
    if language == LATEX:
        root = latex_root(document, text, roots)
        if root != document:  # a chapter: the root document declares the bibliography
            base, text = root.parent, read_text(root)
    names = declared_bibliographies(text, language)
    if not names and language == MARKDOWN:
        names, base = _project_bibliographies(folder, roots)
    if names:
        path = _resolve_declared(names[0], base, roots, latex=language == LATEX)
        declared = True
    else:
        path, declared = folder / default_name, False
    ensure_inside(path, roots)
    return Bibliography(path, declared)


def _project_bibliographies(folder: Path, roots: Sequence[Path]) -> tuple[list[str], Path]:
    """Quarto's `_quarto.yml` (or `_metadata.yml`) in the document's folder or above it."""
    for directory in [folder, *folder.parents]:
        for name in PROJECT_METADATA:
            candidate = directory / name
            if candidate.is_file():
                try:
                    data = _parsed_yaml(candidate.read_text(encoding="utf-8")) or {}
                except (OSError, UnicodeDecodeError):
                    continue
                if isinstance(data, dict):
                    names = _yaml_bibliographies(data)
                    if names:
                        return names, directory
        if any(_same(directory, root) for root in roots):
            break  # never look above the workspace
    return [], folder


def _resolve_declared(name: str, base: Path, roots: Sequence[Path], *, latex: bool) -> Path:
    relative = Path(name)
    if latex and relative.suffix.lower() != ".bib":
        relative = relative.with_name(relative.name + ".bib")  # \bibliography{refs} is refs.bib
    candidates = [base / relative] + [root / relative for root in roots]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return candidates[0]


def ensure_inside(path: Path, roots: Sequence[Path]) -> None:
    """Refuse a path that is, or resolves through a link to, outside every workspace root."""
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root.resolve()) for root in roots):
        shown = ", ".join(str(root) for root in roots)
        raise OutsideWorkspace(
            f"{path} is outside the workspace ({shown}); citels will not write it")


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


# --- the project a document belongs to -----------------------------------------------------

_MAGIC_ROOT = re.compile(r"^\s*%\s*!\s*TEX\s+root\s*=\s*(?P<root>.+?)\s*$",
                         re.IGNORECASE | re.MULTILINE)
# \input{x}, \include{x}, \subfile{x}, \import{dir/}{x}: the files a root document pulls in.
_INCLUDES = re.compile(
    r"\\(?:input|include|subfile|includeonly)\s*\{(?P<file>[^{}]+)\}"
    r"|\\(?:sub)?import\s*\{(?P<dir>[^{}]*)\}\s*\{(?P<file2>[^{}]+)\}")
_BIBITEM = re.compile(r"\\bibitem\s*(?:\[[^\]]*\])?\s*\{(?P<key>[^{}]+)\}")
PROJECT_SUFFIXES = (".tex", ".md", ".qmd", ".rmd", ".markdown")
MAX_PROJECT_FILES = 2000


SKIPPED_FOLDERS = {"node_modules", "__pycache__", "_build", "build", "dist", "venv"}


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
    """The LaTeX and Markdown files of the workspace."""
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
        if candidate.is_file() and _inside_any(candidate, roots):
            return candidate
    target = document.resolve().with_suffix("")
    for path in project_files(roots):
        if path.suffix.lower() != ".tex" or path.resolve() == document.resolve():
            continue
        for match in _INCLUDES.finditer(_LATEX_COMMENT.sub("", read_text(path))):
            name = match["file"] or (match["dir"] or "") + match["file2"]
            included = (path.parent / name.strip()).resolve()
            if included.with_suffix("") == target or included == target:
                return path
    return document


def _inside_any(path: Path, roots: Sequence[Path]) -> bool:
    return any(path.resolve().is_relative_to(root.resolve()) for root in roots)


def declared_bibliography_files(document: Path, text: str, language: str,
                                roots: Sequence[Path]) -> list[Path]:
    """Every bibliography file a document uses (through its LaTeX root), inside the workspace."""
    roots = list(roots) or [document.parent]
    base, source = document.parent, text
    if language == LATEX:
        root = latex_root(document, text, roots)
        if root != document:
            base, source = root.parent, read_text(root)
    names = declared_bibliographies(source, language)
    if not names and language == MARKDOWN:
        names, base = _project_bibliographies(document.parent, roots)
    paths = []
    for name in names:
        path = _resolve_declared(name, base, roots, latex=language == LATEX)
        if _inside_any(path, roots):
            paths.append(path)
    return paths


def defined_in_document(text: str, language: str) -> set[str]:
    """Keys a document defines itself: \\bibitem entries, or YAML `references:` ids."""
    if language == LATEX:
        return {m["key"].strip() for m in _BIBITEM.finditer(text)}
    if language == MARKDOWN:
        references = front_matter(text).get("references")
        if isinstance(references, list):
            return {str(item["id"]) for item in references
                    if isinstance(item, dict) and "id" in item}
    return set()
