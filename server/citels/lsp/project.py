"""What the server knows of a document's project: its bibliography files and their entries."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from pygls.uris import from_fs_path
from pygls.workspace import TextDocument

from citels.bibliography.formats import HAYAGRIVA, format_of
from citels.bibliography.hayagriva import defined_keys as hayagriva_keys
from citels.bibliography.locate import declared_bibliography_files, defined_in_document
from citels.cite_syntax import BIBTEX, KeySpan, bib_entry_keys
from citels.cite_syntax.lines import split_lines
from citels.lsp.documents import OpenDocument
from citels.lsp.server import CitelsServer
from citels.workspace import project_files


@dataclass(frozen=True)
class BibFile:
    """A bibliography as the editor has it (unsaved changes included), with its entry keys."""

    path: Path
    uri: str
    text: str
    version: int | None
    entries: list[KeySpan]

    def entry(self, key: str) -> KeySpan | None:
        """The file's entry for `key` (keys compare without case)."""
        return next((e for e in self.entries if e.key.lower() == key.lower()), None)


def uri_of(path: Path) -> str:
    """The file URI of a path, as pygls spells it."""
    return from_fs_path(str(path)) or path.as_uri()


def read_bib(ls: CitelsServer, path: Path) -> BibFile:
    """A bibliography as the editor has it; a file that cannot be read reads as empty."""
    uri = uri_of(path)
    opened = _opened(ls, path)
    if opened is not None:
        text, version = opened.source, opened.version
    else:
        try:
            text, version = path.read_bytes().decode("utf-8", errors="replace"), None
        except OSError:
            text, version = "", None
    lines = split_lines(text)
    is_hayagriva = format_of(path) is HAYAGRIVA
    return BibFile(path, uri, text, version,
                   hayagriva_keys(lines) if is_hayagriva else bib_entry_keys(lines))


def _opened(ls: CitelsServer, path: Path) -> TextDocument | None:
    """The file as the editor has it open, if it does."""
    return ls.workspace.text_documents.get(unquote(uri_of(path)))


def bibliographies(ls: CitelsServer, doc: OpenDocument) -> list[BibFile]:
    """Every bibliography the document uses, as the editor has them."""
    return [read_bib(ls, path) for path in bibliography_paths(ls, doc)]


def bibliography_paths(ls: CitelsServer, doc: OpenDocument) -> list[Path]:
    """The bibliography files the document uses (not read)."""
    if doc.language is None:
        return []
    roots = ls.workspace_roots(doc.path.parent)
    return declared_bibliography_files(doc.path, doc.text, doc.language, roots)


def defined_keys(ls: CitelsServer, doc: OpenDocument) -> set[str]:
    """Lower-cased keys the document can cite: its bibliographies' and its own definitions.

    Asked at every change that cites a new key. A BibTeX file the editor does not have open
    is read a line at a time and its keys kept until it changes (`_saved_bib_keys`): read
    whole and split into lines, a 30,000-entry file took the server from 126 to 240 MB."""
    keys: set[str] = set()
    for path in bibliography_paths(ls, doc):
        if _opened(ls, path) is None and format_of(path) is not HAYAGRIVA:
            keys |= _saved_bib_keys(ls, path)
        else:
            keys |= {entry.key.lower() for entry in read_bib(ls, path).entries}
    if doc.language:
        keys |= {key.lower() for key in defined_in_document(doc.text, doc.language)}
    return keys


# A stamp (modification time, size) and the lower-cased keys read at it.
_StampedKeys = tuple[tuple[int, int], frozenset[str]]
# Reads under way in a worker thread, by server and path (see read_saved_bib_keys_soon).
_reading: weakref.WeakKeyDictionary[CitelsServer, dict[Path, Future[_StampedKeys | None]]] = \
    weakref.WeakKeyDictionary()


def read_saved_bib_keys_soon(ls: CitelsServer, paths: Iterable[Path]) -> None:
    """Read the keys of these BibTeX files as saved, each in a thread of its own, and keep
    them for the next document diagnosed or new citation: read on the event loop then, a
    30,000-entry file held the keystrokes behind it for up to 1.6 s (under load). Called
    when the workspace opens and when its .bib files change; a file whose keys are kept as
    it is now, or being read, is not read again. Must run on the event loop."""
    loop = asyncio.get_running_loop()
    reading = _reading.setdefault(ls, {})
    for path in paths:
        if format_of(path) is HAYAGRIVA or path in reading:
            continue  # one under way reads the file as saved when it began, or later
        stamp = _stamp(path)
        kept = ls.saved_bib_keys.get(path)
        if stamp is None or kept is not None and kept[0] == stamp:
            continue
        future: Future[_StampedKeys | None] = Future()
        reading[path] = future
        future.add_done_callback(partial(_kept_on, loop, ls, path))
        # A daemon thread: a read under way does not hold up the server's exit.
        threading.Thread(target=_read_into, args=(future, path), daemon=True,
                         name="citels-bib-keys").start()


def _kept_on(loop: asyncio.AbstractEventLoop, ls: CitelsServer, path: Path,
             done: Future[_StampedKeys | None]) -> None:
    try:
        loop.call_soon_threadsafe(_keep, ls, path, done)
    except RuntimeError:  # the server stopped meanwhile: nobody asks any more
        pass


def _read_into(future: Future[_StampedKeys | None], path: Path) -> None:
    try:
        future.set_result(_read_keys(path))
    except BaseException as error:  # handed to whoever waits for it
        future.set_exception(error)


def _keep(ls: CitelsServer, path: Path, done: Future[_StampedKeys | None]) -> None:
    """On the event loop: keep what a finished read found, unless a newer read was kept
    meanwhile (nothing when it failed: the file is read again when asked)."""
    reading = _reading.get(ls, {})
    if reading.get(path) is done:
        del reading[path]
    if done.exception() is not None or (found := done.result()) is None:
        return
    kept = ls.saved_bib_keys.get(path)
    if kept is None or kept[0] != _stamp(path):
        ls.saved_bib_keys[path] = found


def _saved_bib_keys(ls: CitelsServer, path: Path) -> frozenset[str]:
    """The lower-cased entry keys of a BibTeX file as saved, kept while its size and
    modification time stay the same; none for a file that cannot be read. A read under
    way in a thread (read_saved_bib_keys_soon) is waited for rather than done again."""
    stamp = _stamp(path)
    if stamp is None:
        return frozenset()
    kept = ls.saved_bib_keys.get(path)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    under_way = _reading.get(ls, {}).get(path)
    found = None
    if under_way is not None and under_way.exception() is None:  # waits for its end
        found = under_way.result()
    if found is None or found[0] != stamp:
        found = _read_keys(path)  # none under way, or it read the file as it was before
    if found is None:
        return frozenset()
    ls.saved_bib_keys[path] = found
    return found[1]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _read_keys(path: Path) -> _StampedKeys | None:
    """The file's stamp before it is read, and its lower-cased entry keys; None when it
    cannot be read. (A change while it is read gives it another stamp: read again then.)"""
    stamp = _stamp(path)
    if stamp is None:
        return None
    try:
        # Text mode ends lines at CR, LF and CRLF alike, as split_lines does.
        with path.open(encoding="utf-8", errors="replace") as lines:
            return stamp, frozenset(span.key.lower() for span in bib_entry_keys(lines))
    except OSError:
        return None


def project_documents(ls: CitelsServer, doc: OpenDocument) -> list[OpenDocument]:
    """The project's LaTeX, Markdown, Typst and Org files, as the editor has them (`doc`
    among them)."""
    roots = ls.workspace_roots(doc.path.parent)
    documents = []
    for path in project_files(roots):
        opened = ls.document(uri_of(path))
        if opened is not None and opened.language is not None:
            documents.append(opened)
    if all(d.path != doc.path for d in documents):
        documents.append(doc)
    return documents


def cited_in_project(documents: list[OpenDocument]) -> set[str]:
    """The lower-cased keys these documents cite (a .bib file's own keys are not citations)."""
    return {span.key.lower() for d in documents if d.language != BIBTEX for span in d.cited}
