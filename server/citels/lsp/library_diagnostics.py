"""Diagnostics for what a library file's reader skipped or forgave (an entry without a key, a
repeated field, an unknown crossref parent…), on the file and line it names.

Where they come from: the workspace index reads every workspace library file anyway and keeps
each file's warnings with its content hash (`FileState`), so after each index run those
warnings are published, on files nobody opened too. An open document whose text is the one
indexed shows the same; one with unsaved changes is read again by the same reader, once per
version (unless it is large: then its warnings wait for the save, which re-indexes it).
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types

from citels.catalogue import WORKSPACE_INDEX
from citels.cite_syntax.lines import split_lines
from citels.indexes import WantedIndex
from citels.library_warnings import (
    LIBRARY_SUFFIXES,
    IndexedFile,
    ReaderWarning,
    reader_warnings,
)
from citels.lsp import convert
from citels.lsp.documents import OpenDocument
from citels.lsp.project import uri_of
from citels.lsp.server import CitelsServer

SOURCE = "citels"
READER_WARNING = "library-reader"
# An unsaved buffer larger than this is not re-read on every pause in typing (a 10,000-entry
# .bib takes the reader about a second): its warnings come back when it is saved.
BUFFER_READ_LIMIT = 1_000_000  # characters


async def index_checked(ls: CitelsServer, index: WantedIndex) -> list[str]:
    """After an index run of the workspace's bibliographies: the warnings of each file the
    editor does not have open published (the fixed ones cleared); the URIs of the open ones,
    whose diagnostics must be worked out again."""
    if index.what != WORKSPACE_INDEX:
        return []
    try:
        states = await asyncio.to_thread(_file_states, index.database)
    except Exception as error:  # the warnings stay as they were; the index itself is fine
        ls.log(f"reading the library warnings failed: {error}", types.MessageType.Warning)
        return []
    known = ls.library_warnings
    known.indexed = {Path(path): IndexedFile(state.sha256,
                                             tuple(reader_warnings(Path(path), state.warnings)))
                     for path, state in states.items()
                     if path.lower().endswith(LIBRARY_SUFFIXES)}
    known.read.clear()  # what an open document shows may now be what was indexed
    opened = []
    for path in sorted(set(known.indexed) | known.shown):
        uri = _open_uri(ls, uri_of(path))
        if uri is not None:
            opened.append(uri)
        else:
            publish_unopened(ls, path)
    return opened


def _file_states(database: Path) -> dict:
    from citels.store import Store

    store = Store(database)
    try:
        return store.file_states()
    finally:
        store.close()


def _open_uri(ls: CitelsServer, uri: str) -> str | None:
    """The URI under which the editor has this file open, or None."""
    for candidate in (uri, unquote(uri)):
        if candidate in ls.workspace.text_documents:
            return candidate
    return None


def publish_unopened(ls: CitelsServer, path: Path) -> None:
    """Publish the indexed warnings of a library file the editor does not have open (none,
    to clear what was shown, when it has none now)."""
    known = ls.library_warnings
    indexed = known.indexed.get(path)
    if indexed is None or not indexed.warnings:
        if path in known.shown:
            known.shown.discard(path)
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri_of(path), diagnostics=[]))
        return
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        text = ""  # gone since indexed: the next run forgets it
    lines = split_lines(text)
    known.shown.add(path)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri_of(path), diagnostics=[warning_diagnostic(lines, w) for w in indexed.warnings]))


def is_library(ls: CitelsServer, doc: OpenDocument) -> bool:
    """Whether the document is a library file whose reader warnings are shown: any .bib, and
    the CSL-JSON and Hayagriva files the workspace index reads as libraries."""
    return (doc.path.suffix.lower() in (".bib", ".biblatex")
            or doc.path in ls.library_warnings.indexed)


def document_diagnostics(ls: CitelsServer, doc: OpenDocument,
                         taken_lines: frozenset[int] = frozenset()) -> list[types.Diagnostic]:
    """The reader's warnings for an open library document, except on `taken_lines` (0-based:
    lines whose problem another diagnostic already names, such as a key defined twice)."""
    if not is_library(ls, doc):
        return []
    return [warning_diagnostic(doc.lines, w) for w in _document_warnings(ls, doc)
            if w.line - 1 not in taken_lines]


def document_closed(ls: CitelsServer, doc_path: Path) -> bool:
    """A library document closed: its indexed warnings shown again as for any workspace
    file; whether it had any (else the caller clears its diagnostics)."""
    indexed = ls.library_warnings.indexed.get(doc_path)
    if indexed is None or not indexed.warnings:
        return False
    publish_unopened(ls, doc_path)
    return True


def _document_warnings(ls: CitelsServer, doc: OpenDocument) -> tuple[ReaderWarning, ...]:
    known = ls.library_warnings
    cached = known.read.get(doc.uri)
    if cached is not None and cached[0] == doc.version and cached[1] is doc.text:
        return cached[2]
    if doc.path in known.shown:  # its diagnostics are now the open document's
        known.shown.discard(doc.path)
        if uri_of(doc.path) != doc.uri:  # the editor spells its URI otherwise: not twice
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri_of(doc.path), diagnostics=[]))
    indexed = known.indexed.get(doc.path)
    if indexed is not None and hashlib.sha256(doc.text.encode("utf-8")).hexdigest() \
            == indexed.sha256:
        warnings = indexed.warnings
    elif len(doc.text) > BUFFER_READ_LIMIT:
        warnings = ()
    else:
        warnings = _read(ls, doc)
    known.read[doc.uri] = (doc.version, doc.text, warnings)
    return warnings


def _read(ls: CitelsServer, doc: OpenDocument) -> tuple[ReaderWarning, ...]:
    """The warnings the reader gives for the document's text as the editor has it."""
    from citels.corpus import read_records  # the readers load bibtexparser: on first need

    try:
        records = read_records(doc.path, doc.text.encode("utf-8"), doc.path.name)
    except Exception as error:  # a reader failing on odd text must not stop diagnostics
        ls.log(f"reading {doc.path.name} for its warnings failed: {error}",
               types.MessageType.Warning)
        return ()
    return tuple(reader_warnings(doc.path, records.warnings))


def forget(ls: CitelsServer, uri: str) -> None:
    """A closed document's own reading is not kept."""
    ls.library_warnings.read.pop(uri, None)


def warning_diagnostic(lines: list[str], warning: ReaderWarning) -> types.Diagnostic:
    """A reader's warning as a diagnostic spanning the text of its line."""
    line = min(warning.line - 1, max(0, len(lines) - 1))
    text = lines[line] if lines else ""
    start = len(text) - len(text.lstrip())
    return types.Diagnostic(
        range=convert.text_range(lines, line, start, line, len(text.rstrip())),
        message=warning.message, severity=types.DiagnosticSeverity.Warning, source=SOURCE,
        code=READER_WARNING)
