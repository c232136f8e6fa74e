"""Which bibliography file a document uses, and the fence that keeps citels inside the workspace."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

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
    try:
        data = yaml.safe_load(match["yaml"])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


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
    names = declared_bibliographies(text, language)
    base = folder
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
                    data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
                except (OSError, UnicodeDecodeError, yaml.YAMLError):
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
