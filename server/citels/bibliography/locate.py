"""Which bibliographies a document uses, and the file its new entries go to.

A LaTeX document declares them with \\bibliography or \\addbibresource (in its root document
when it is a chapter); a Markdown one in its YAML front matter, or its Quarto project's
`_quarto.yml`; a Typst file with `#bibliography(…)` in itself, the main file that includes it,
or a file either imports; an Org file with `#+bibliography:` lines. A document may also carry
its own bibliography: \\bibitem, YAML `references:`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from citels.bibliography.hayagriva import SUFFIXES as HAYAGRIVA_SUFFIXES
from citels.cite_syntax import LATEX, MARKDOWN, ORG, TYPST, org, typst
from citels.cite_syntax.latex import without_comments
from citels.cite_syntax.typst_project import bibliography_files as typst_bibliography_files
from citels.workspace import (
    ensure_inside,
    is_inside,
    latex_root,
    read_text,
    same_folder,
    workspace_files,
)

# \bibliography{a,b} (possibly over several lines) and biblatex's \addbibresource[opts]{x.bib}
_LATEX_BIBLIOGRAPHY = re.compile(
    r"""
    \\(?:bibliography|addbibresource|addglobalbib|addsectionbib)  # the declaring command
    \s* (?:\[[^\]]*\])?                                           # biblatex options
    \s* \{ (?P<names>[^{}]*) \}                                   # one name or a list
    """,
    re.VERBOSE,
)
_BIBITEM = re.compile(r"\\bibitem\s*(?:\[[^\]]*\])?\s*\{(?P<key>[^{}]+)\}")
_FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(?P<yaml>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
PROJECT_METADATA = ("_quarto.yml", "_quarto.yaml", "_metadata.yml", "_metadata.yaml")


@dataclass(frozen=True)
class Bibliography:
    """The .bib file a document's entries go to."""

    path: Path
    declared: bool  # named by the document (or its project); else the default beside it


def declared_bibliographies(text: str, language: str) -> list[str]:
    """The bibliography names a document declares, as written, in order."""
    if language == LATEX:
        names = []
        for match in _LATEX_BIBLIOGRAPHY.finditer(without_comments(text)):
            names += [name.strip() for name in match["names"].split(",") if name.strip()]
        return names
    if language == MARKDOWN:
        return _yaml_bibliographies(front_matter(text))
    if language == TYPST:
        return typst.declared_bibliographies(text)
    if language == ORG:
        return org.declared_bibliographies(text)
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
    names, base = _declared_names(document, text, language, roots)
    if names:
        path = _resolve_declared(names[0], base, roots, latex=language == LATEX)
        declared = True
    else:
        path, declared = folder / default_name, False
    ensure_inside(path, roots)
    return Bibliography(path, declared)


def declared_bibliography_files(document: Path, text: str, language: str,
                                roots: Sequence[Path]) -> list[Path]:
    """Every bibliography file a document uses (through its LaTeX root), inside the workspace."""
    roots = list(roots) or [document.parent]
    names, base = _declared_names(document, text, language, roots)
    paths = []
    for name in names:
        path = _resolve_declared(name, base, roots, latex=language == LATEX)
        if is_inside(path, roots):
            paths.append(path)
    return paths


def _declared_names(document: Path, text: str, language: str,
                    roots: Sequence[Path]) -> tuple[list[str], Path]:
    """The bibliographies declared for a document, and the folder their names are relative to:
    a chapter's root document declares them, a Markdown document's project may."""
    base = document.parent
    if language == TYPST:
        # Resolved against the file that names each one: returned whole, `base` is moot.
        return [str(path) for path in _typst_bibliographies(document, text, roots)], base
    if language == LATEX:
        root = latex_root(document, text, roots)
        if root != document:
            base, text = root.parent, read_text(root)
    names = declared_bibliographies(text, language)
    if not names and language == MARKDOWN:
        names, base = _project_bibliographies(document.parent, roots)
    return names, base


# A Typst project larger than this is not read whole to find a chapter's main file.
MAX_TYPST_FILES = 500
_TYPST_LINK_WORDS = ("include", "import", "bibliography")


def _typst_bibliographies(document: Path, text: str, roots: Sequence[Path]) -> list[Path]:
    """The bibliographies of a Typst file: its own, its main file's, and those of the files
    either imports or includes, from the workspace's .typ files as they are on disk (the
    document's own text as the editor has it)."""
    document = document.absolute()
    texts: dict[Path, str] = {}
    for path in workspace_files(roots, (".typ",), MAX_TYPST_FILES):
        other = read_text(path)
        # Scanning is the cost: a file without these words links to nothing, declares nothing.
        if any(word in other for word in _TYPST_LINK_WORDS):
            texts[path.absolute()] = other
    texts[document] = text
    return [Path(path) for path in typst_bibliography_files(document, texts,
                                                             _typst_root(document, roots))]


def hayagriva_bibliographies(roots: Sequence[Path]) -> list[Path]:
    """The Hayagriva files (.yml, .yaml) the workspace's Typst files declare as their
    bibliography, inside the workspace: the only YAML files read as a user's library."""
    found: list[Path] = []
    for path in workspace_files(roots, (".typ",), MAX_TYPST_FILES):
        text = read_text(path)
        if "bibliography" not in text:
            continue  # spares the scan of every chapter
        # The file alone: its own declarations, resolved as Typst resolves them.
        for declared in typst_bibliography_files(path, {path: text}, _typst_root(path, roots)):
            candidate = Path(declared)
            if (candidate.suffix.lower() in HAYAGRIVA_SUFFIXES and candidate.is_file()
                    and is_inside(candidate, roots) and candidate not in found):
                found.append(candidate)
    return found


def _typst_root(document: Path, roots: Sequence[Path]) -> Path:
    """The project root Typst resolves '/…' paths against: the workspace folder holding it."""
    return next((root.absolute() for root in roots if is_inside(document, [root])),
                document.parent)


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
        if any(same_folder(directory, root) for root in roots):
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
