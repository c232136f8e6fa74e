"""The one writer of bibliography entries, used by every path that adds one: the completion
item's command, the server noticing a new citation (auto-add), the quick fix and tidy.

A bibliography the editor has open is edited through `workspace/applyEdit`, versioned, so the
entry lands in the user's buffer and on their undo stack; one it does not have open is
appended on disk, never sent as an edit (clients open such an edit as a hidden unsaved buffer,
a new tab or a prompt). Per file, writes take turns under a lock, and the key is checked
against the file's current text just before writing: at most one entry per key.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from citels.bibliography.formats import BIBTEX, format_of
from citels.bibliography.locate import Bibliography, find_bibliography
from citels.bibliography.preamble import carried, with_preambles
from citels.bibliography.writing import append_on_disk, end_insertion
from citels.cite_syntax.lines import split_lines
from citels.lsp import convert
from citels.lsp.documents import OpenDocument
from citels.lsp.project import BibFile, read_bib
from citels.lsp.server import CitelsServer
from citels.papers import Paper
from citels.workspace import OutsideWorkspace


def entry_text(ls: CitelsServer, paper: Paper, path: Path) -> str:
    """The paper's entry in the format of the file at `path`, written as the settings ask;
    a .bib entry from the user's library comes with the @preamble definitions it uses."""
    target = format_of(path)
    entry = target.render_entry(
        paper, unicode=ls.config.bibtex_unicode == "utf8",
        include_abstract=ls.config.bibtex_abstract, url_field=ls.config.bibtex_url_field)
    if target is not BIBTEX or not paper.fields or not paper.key:
        return entry
    source = ls.catalogue.source_location(paper.key)
    return with_preambles(carried([(Path(source[0]) if source else None, entry)]), entry)


def bibliography_of(ls: CitelsServer, doc: OpenDocument) -> Bibliography:
    """The bibliography the document's new entries go to.

    Raises OutsideWorkspace when it lies (or its link points) outside the workspace.
    """
    assert doc.language is not None
    return find_bibliography(doc.path, doc.text, doc.language, ls.workspace_roots(doc.path.parent),
                             ls.config.default_bibliography)


def is_open(ls: CitelsServer, bib: BibFile) -> bool:
    """Whether the editor has the bibliography open (and so owns its text)."""
    return bib.version is not None


async def ensure_entry(ls: CitelsServer, doc: OpenDocument, key: str, reason: str,
                       *, explicit: bool = False) -> dict:
    """Make sure the bibliography of `doc` has the corpus's entry for `key`.

    `reason` says which path asked (for the log). Automatic paths write a key at most once
    per file in a session; an `explicit` request (a quick fix, tidy) writes it again if the
    user has since removed it. The result says whether an entry was added, where, or why not.
    """
    paper = ls.catalogue.get(key)
    if paper is None or paper.key is None:
        return refuse(ls, f"no paper with key {key!r} in the corpus")
    if doc.language is None:
        return refuse(ls, f"{doc.uri} is not a document that cites")
    try:
        target = bibliography_of(ls, doc)
    except OutsideWorkspace as error:
        return refuse(ls, str(error), show=True)
    result = {"added": False, "bibliography": str(target.path), "key": paper.key}
    slot = ls.entry_writes.slot(target.path, paper.key)
    if slot in ls.entry_writes.pending or (slot in ls.entry_writes.written and not explicit):
        # another path is writing it, or wrote it (an edit of an open file may not have
        # come back as a change yet): once per file and key in a session
        return result
    ls.entry_writes.pending.add(slot)
    try:
        async with ls.entry_writes.lock(target.path):
            added = await _write(ls, target.path, paper, reason)
    finally:
        ls.entry_writes.pending.discard(slot)
    if added:
        ls.entry_writes.written.add(slot)
    return dict(result, added=added)


async def _write(ls: CitelsServer, path: Path, paper: Paper, reason: str) -> bool:
    """One write, under the file's lock: the key checked against the text as it is now."""
    assert paper.key
    bib = read_bib(ls, path)
    entry = entry_text(ls, paper, path)
    if not is_open(ls, bib):
        if not append_on_disk(path, paper.key, entry):
            return False
        ls.log(f"added {paper.key} to {path} ({reason})")
        return True
    change = end_insertion(bib.text, paper.key, entry, path)
    if change is None:
        return False
    if not ls.flags.apply_edit:
        ls.log(f"{path.name} is open and the editor cannot apply edits: "
               f"use the quick fix to add {paper.key}", types.MessageType.Warning)
        return False
    edit = open_file_edit(ls, bib, [change])
    try:
        response = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit=edit, label=f"citels: add {paper.key} to {path.name}"))
    except Exception as error:  # a client that fails the request must not stop the server
        ls.log(f"the editor did not add {paper.key} to {path}: {error}",
               types.MessageType.Warning)
        return False
    if not response.applied:
        ls.log(f"the editor did not add {paper.key} to {path}: "
               f"{response.failure_reason or 'no reason given'}", types.MessageType.Warning)
        return False
    ls.log(f"added {paper.key} to {path.name} in the editor ({reason})")
    return True


def open_file_edit(ls: CitelsServer, bib: BibFile, changes: list) -> types.WorkspaceEdit:
    """Edits of a bibliography the editor has open, tied to the version it has."""
    lines = split_lines(bib.text)
    edits = [convert.text_edit(lines, change) for change in changes]
    if not ls.flags.document_changes:
        return types.WorkspaceEdit(changes={bib.uri: edits})
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=bib.uri,
                                                                    version=bib.version),
        edits=edits)])


async def ensure_entries(ls: CitelsServer, doc: OpenDocument, keys: list[str],
                         reason: str) -> list[str]:
    """`ensure_entry` for each key in turn, as the user's explicit request; the keys that
    were added."""
    added = []
    for key in keys:
        result = await ensure_entry(ls, doc, key, reason, explicit=True)
        if result.get("added"):
            added.append(result["key"])
    return added


def refuse(ls: CitelsServer, message: str, *, show: bool = False) -> dict:
    """A request not carried out: logged (and shown, if `show`), and the reply that says so."""
    ls.log(message, types.MessageType.Warning)
    if show:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                       message=f"citels: {message}"))
    return {"added": False, "error": message}
