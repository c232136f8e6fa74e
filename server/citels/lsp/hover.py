"""textDocument/hover: on a cited key (or a .bib entry key), the paper in full; for a key the
indexes do not hold (yet: a workspace .bib is still being indexed), its entry in the
document's own bibliography, read once per version of that file."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types

from citels.bibliography.formats import format_of
from citels.bibliography.locate import declared_bibliography_files
from citels.bibliography.read import UserEntry
from citels.cite_syntax import BIBTEX
from citels.lsp import convert
from citels.lsp.documents import OpenDocument
from citels.lsp.entry_writer import bibliography_of
from citels.lsp.project import read_bib, uri_of
from citels.lsp.server import CitelsServer
from citels.render import describe_entry
from citels.workspace import OutsideWorkspace


def hover(ls: CitelsServer, params: types.HoverParams) -> types.Hover | None:
    """The corpus's paper for the key under the cursor, else the user's own entry for it."""
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language is None or not doc.lines:
        return None
    line, column = convert.server_position(doc.lines, params.position)
    span = doc.key_at(line, column)
    if span is None:
        return None
    markdown = ls.flags.markdown_hover
    paper = ls.catalogue.get(span.key)
    if paper is not None:
        contents = convert.documentation(paper, markdown=markdown,
                                         show_abstract=ls.config.hover_show_abstract)
    else:
        contents = types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=describe_entry(span.key, *find_user_entry(ls, doc, span.key),
                                 markdown=markdown))
    return types.Hover(contents=contents, range=convert.span_range(doc.lines, span))


class EntryCache:
    """The entries of the last few bibliography files read: a file is parsed again only when
    it changed (a 10,000-entry .bib takes a second to parse, too long for every hover).

    An open file is known by its text as the editor has it, a closed one by its size and
    modification time, so a hover on a closed file does not even read it again.
    """

    def __init__(self, files: int = 2) -> None:  # a big .bib's entries take ~15 MB
        self._files: OrderedDict[Path, tuple[object, dict[str, UserEntry]]] = OrderedDict()
        self._size = files

    def entry(self, path: Path, version: object, text: Callable[[], str],
              key: str) -> UserEntry | None:
        """The entry for `key` (an exact key first, then ignoring case, as BibTeX compares
        keys) in the file at `path`, whose content `version` names and `text` reads."""
        cached = self._files.get(path)
        if cached is None or not (cached[0] is version or cached[0] == version):
            cached = (version, format_of(path).read_entries(text(), path.name))
            self._files[path] = cached
            while len(self._files) > self._size:
                self._files.popitem(last=False)
        self._files.move_to_end(path)
        entries = cached[1]
        return entries.get(key) or entries.get(key.lower())


_ENTRIES = EntryCache()


def find_user_entry(ls: CitelsServer, doc: OpenDocument, key: str
                    ) -> tuple[UserEntry | None, str | None]:
    """The entry for `key` in the document itself (a .bib) or its bibliographies, and the
    names of the files searched."""
    if doc.language == BIBTEX:
        return _ENTRIES.entry(doc.path, doc.text, lambda: doc.text, key), doc.path.name
    roots = ls.workspace_roots(doc.path.parent)
    paths = declared_bibliography_files(doc.path, doc.text, doc.language, roots)
    if not paths:  # none declared: the default one beside the document, if it exists
        try:
            default = bibliography_of(ls, doc)
        except OutsideWorkspace:
            return None, None
        if not default.path.exists():
            return None, None
        paths = [default.path]
    for path in paths:
        entry = _ENTRIES.entry(path, *_version_and_text(ls, path), key)
        if entry is not None:
            return entry, path.name
    return None, ", ".join(path.name for path in paths)


def _version_and_text(ls: CitelsServer, path: Path) -> tuple[object, Callable[[], str]]:
    """What names the file's content (its text in the editor, else its size and time on
    disk), and how to read it (as `project.read_bib` does)."""
    opened = ls.workspace.text_documents.get(unquote(uri_of(path)))
    if opened is not None:
        source = opened.source
        return source, lambda: source
    try:
        stat = path.stat()
    except OSError:
        return None, lambda: ""
    return (stat.st_size, stat.st_mtime_ns), lambda: read_bib(ls, path).text


FEATURES = [(types.TEXT_DOCUMENT_HOVER, None, hover)]
