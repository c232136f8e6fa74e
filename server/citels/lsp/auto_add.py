"""Auto-add: the server notices a document newly citing a corpus paper and writes its entry,
for the clients that never run a completion item's command (eglot, Helix, Kate, vim-lsp,
Neovim's omnifunc, ALE).

The keys a document cites when it is opened are its baseline and are never auto-added (no
mass writes on opening an old paper: the diagnostic and its quick fix cover them). A key cited
since then, known to the catalogue and defined in none of the document's bibliographies, is
written shortly after a change that inserted the whole key at once (an accepted completion, a
paste), or on save when it was typed by hand. A citation undone before then writes nothing.
The setting `citels.bibliography.autoAdd` is "accept" (both), "save" (on save only) or "off".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from lsprotocol import types

from citels.bibliography.writing import append_on_disk
from citels.cite_syntax import BIBTEX
from citels.lsp.documents import OpenDocument
from citels.lsp.entry_writer import bibliography_of, ensure_entry, entry_text, is_open
from citels.lsp.project import defined_keys, read_bib
from citels.lsp.server import CitelsServer
from citels.workspace import OutsideWorkspace

# Long enough for the client's own follow-up (its command, a second accept), short enough that
# the entry is there before the writer looks.
ACCEPT_DELAY_SECONDS = 0.7


def opened(ls: CitelsServer, uri: str) -> None:
    """Remember what a just-opened document cites: those keys are never auto-added."""
    doc = _citing_document(ls, uri)
    if doc is not None:
        ls.cited_at_open[uri] = {span.key.lower() for span in doc.cited}


def closed(ls: CitelsServer, uri: str) -> None:
    """A closed document's pending writes still happen; its baseline is forgotten."""
    ls.cited_at_open.pop(uri, None)


def changed(ls: CitelsServer, params: types.DidChangeTextDocumentParams) -> None:
    """Schedule the write of keys that a change inserted whole (completion accept, paste).

    Call before anything reads the changed document, so its previous version is at hand.
    """
    if ls.config.bibliography_auto_add != "accept":
        return
    uri = params.text_document.uri
    inserted = "".join(change.text for change in params.content_changes)
    if not inserted.strip():
        return  # a deletion cites nothing new
    whole = any(isinstance(change, types.TextDocumentContentChangeWholeDocument)
                for change in params.content_changes)
    previous = ls.documents.peek(uri)
    doc = _citing_document(ls, uri)
    if doc is None:
        return

    def accepted(key: str) -> bool:
        if key not in inserted:
            return False
        # One keystroke away before: typed by hand, written on save.
        return not (whole and previous is not None and key[:-1] in previous.text)

    for key in new_citations(ls, doc, accepted):
        _schedule(ls, uri, key)


def saved(ls: CitelsServer, uri: str) -> None:
    """On save, write the entries of every key newly cited in the document."""
    if ls.config.bibliography_auto_add not in ("accept", "save"):
        return
    doc = _citing_document(ls, uri)
    if doc is None:
        return
    for key in new_citations(ls, doc):
        _cancel(ls, uri, key)
        _start(ls, uri, key, "saved")


def new_citations(ls: CitelsServer, doc: OpenDocument,
                  wanted: Callable[[str], bool] | None = None) -> list[str]:
    """Keys the document cites now, not at opening, that the catalogue has and none of its
    bibliographies defines (as written, case kept); only those `wanted` says yes to."""
    baseline = ls.cited_at_open.get(doc.uri)
    if baseline is None:
        return []  # never opened here: nothing to compare with
    fresh = {span.key: None for span in doc.cited if span.key.lower() not in baseline
             and (wanted is None or wanted(span.key))}
    if not fresh:
        return []
    defined = defined_keys(ls, doc)
    return [key for key in fresh if key.lower() not in defined and _in_corpus(ls, key)]


async def flush(ls: CitelsServer) -> None:
    """Write what is waiting now, and wait for the writes under way (before shutdown)."""
    for (uri, key), handle in list(ls.auto_add_timers.items()):
        handle.cancel()
        ls.auto_add_timers.pop((uri, key), None)
        _start(ls, uri, key, "before shutdown")
    if ls.auto_add_tasks:
        await asyncio.gather(*ls.auto_add_tasks, return_exceptions=True)


def flush_to_disk(ls: CitelsServer) -> None:
    """At exit, without a shutdown first: waiting entries of closed files appended on disk."""
    for (uri, key), handle in list(ls.auto_add_timers.items()):
        handle.cancel()
        doc = _citing_document(ls, uri)
        paper = ls.catalogue.get(key)
        if doc is None or paper is None or paper.key is None or not _still_cited(doc, key):
            continue
        try:
            path = bibliography_of(ls, doc).path
        except OutsideWorkspace:
            continue
        if not is_open(ls, read_bib(ls, path)):
            append_on_disk(path, paper.key, entry_text(ls, paper, path))
    ls.auto_add_timers.clear()


async def shutdown(ls: CitelsServer, *args: object) -> None:
    """The client asks the server to stop: the waiting entries are written first."""
    await flush(ls)


def exit_(ls: CitelsServer, *args: object) -> None:
    """The client stops the server: nothing accepted is lost."""
    flush_to_disk(ls)


def _schedule(ls: CitelsServer, uri: str, key: str) -> None:
    _cancel(ls, uri, key)
    loop = asyncio.get_running_loop()
    ls.auto_add_timers[(uri, key)] = loop.call_later(
        ACCEPT_DELAY_SECONDS, _fire, ls, uri, key)


def _fire(ls: CitelsServer, uri: str, key: str) -> None:
    ls.auto_add_timers.pop((uri, key), None)
    _start(ls, uri, key, "completion accepted")


def _start(ls: CitelsServer, uri: str, key: str, reason: str) -> None:
    task = asyncio.get_running_loop().create_task(_write_if_still_cited(ls, uri, key, reason))
    ls.auto_add_tasks.add(task)
    task.add_done_callback(ls.auto_add_tasks.discard)


async def _write_if_still_cited(ls: CitelsServer, uri: str, key: str, reason: str) -> None:
    try:
        doc = _citing_document(ls, uri)
        if doc is None or not _still_cited(doc, key):
            return  # undone before the write: nothing written
        await ensure_entry(ls, doc, key, reason)
    except Exception as error:  # a failed write is reported, never the end of the server
        ls.log(f"could not add {key} for {uri}: {error}", types.MessageType.Error)


def _cancel(ls: CitelsServer, uri: str, key: str) -> None:
    handle = ls.auto_add_timers.pop((uri, key), None)
    if handle is not None:
        handle.cancel()


def _citing_document(ls: CitelsServer, uri: str) -> OpenDocument | None:
    if uri not in ls.workspace.text_documents:
        return None
    doc = ls.document(uri)
    if doc is None or doc.language in (None, BIBTEX):
        return None
    return doc


def _still_cited(doc: OpenDocument, key: str) -> bool:
    return any(span.key == key for span in doc.cited)


def _in_corpus(ls: CitelsServer, key: str) -> bool:
    paper = ls.catalogue.get(key)
    return paper is not None and paper.key is not None


FEATURES = [
    (types.SHUTDOWN, None, shutdown),
    (types.EXIT, None, exit_),
]
