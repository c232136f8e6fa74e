"""A Typst project's files: which files a file includes or imports, the main file a chapter
belongs to, and every bibliography a file uses through them.

Pure functions over paths and texts (the caller reads the project's .typ files), so a
chapter finds the bibliography its main file, or a template the main file imports, declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath, PurePosixPath

from citels.cite_syntax.typst import declared_bibliographies
from citels.cite_syntax.typst_scan import scan


def linked_files(path: PurePath, text: str, root: PurePath | None = None) -> list[PurePath]:
    """The files a Typst file includes or imports, resolved as Typst does: relative to the
    file, or to the project root for a path starting with '/'; packages (`@preview/…`) left out.
    """
    links = []
    for found in scan(text).found:
        if found.kind == "string" and found.file_link and not found.text.startswith("@"):
            links.append(_resolve(path, found.text, root))
    return links


def _resolve(path: PurePath, name: str, root: PurePath | None) -> PurePath:
    base = (root or path.parent) if name.startswith("/") else path.parent
    parts: list[str] = []
    for part in (base / name.lstrip("/")).parts:
        if part == ".." and parts and parts[-1] not in ("..", base.anchor):
            parts.pop()
        elif part != ".":
            parts.append(part)
    return type(path)(*parts) if parts else PurePosixPath(".")


def main_file(document: PurePath, texts: Mapping[PurePath, str],
              root: PurePath | None = None) -> PurePath:
    """The project's main file for a chapter: the file that includes (or imports) it, followed
    up to a file nothing includes; the document itself when no file does."""
    includers: dict[PurePath, PurePath] = {}
    for path, text in texts.items():
        for linked in linked_files(path, text, root):
            includers.setdefault(linked, path)
    current, seen = document, {document}
    while (parent := includers.get(current)) is not None and parent not in seen:
        seen.add(parent)
        current = parent
    return current


def bibliography_files(document: PurePath, texts: Mapping[PurePath, str],
                       root: PurePath | None = None) -> list[PurePath]:
    """Every bibliography a Typst file uses: those it declares, those its main file declares,
    and those of the files either imports or includes (a template that calls `bibliography`),
    each resolved against the file that names it. `texts` holds the project's .typ files."""
    start = main_file(document, texts, root)
    order, queue = [], [document, start]
    while queue:
        path = queue.pop(0)
        if path in order or path not in texts:
            continue
        order.append(path)
        queue.extend(linked_files(path, texts[path], root))
    found: list[PurePath] = []
    for path in order:
        for name in declared_bibliographies(texts[path]):
            resolved = _resolve(path, name, root)
            if resolved not in found:
                found.append(resolved)
    return found
