"""The commands that add entries to a document's bibliography (through the one writer in
`entry_writer.py`) and its quick-fix actions."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from citels.bibliography.writing import appended_entries, insertion_at_end
from citels.lsp import convert
from citels.lsp.documents import OpenDocument
from citels.lsp.entry_writer import (
    bibliography_of,
    ensure_entries,
    ensure_entry,
    entry_text,
    is_open,
    open_file_edit,
    refuse,
)
from citels.lsp.project import read_bib
from citels.lsp.server import CitelsServer
from citels.workspace import OutsideWorkspace

ADD_ENTRIES = "citels.addEntries"


async def insert_bibtex(ls: CitelsServer, *args: Any) -> dict:
    """Arguments: key, document URI (a completion item's command, run on accept). Adds the
    paper's entry unless the key is there, or `citels.bibliography.autoAdd` says later or never."""
    if len(args) < 2 or not all(isinstance(a, str) for a in args[:2]):
        return {"added": False, "error": "expected arguments: key, document URI"}
    if ls.config.bibliography_auto_add != "accept":
        return {"added": False, "key": args[0],
                "deferred": ls.config.bibliography_auto_add}  # "save": written on save
    return await add_entry(ls, args[0], args[1], "completion command")


async def add_entries(ls: CitelsServer, *args: Any) -> dict:
    """Arguments: document URI, list of keys (the quick fix for a closed bibliography).
    Appends their entries on disk; the keys that were added."""
    if len(args) < 2 or not isinstance(args[0], str) or not isinstance(args[1], list):
        return {"added": [], "error": "expected arguments: document URI, list of keys"}
    doc = ls.document(args[0])
    if doc is None or doc.language is None:
        return refuse(ls, f"{args[0]} is not a LaTeX or Markdown document")
    keys = [key for key in args[1] if isinstance(key, str)]
    return {"added": await ensure_entries(ls, doc, keys, "quick fix")}


def show_paper(ls: CitelsServer, *args: Any) -> dict | None:
    """Argument: key. The paper's record, or null."""
    paper = ls.catalogue.get(args[0]) if args and isinstance(args[0], str) else None
    return paper.to_dict() if paper else None


async def add_entry(ls: CitelsServer, key: str, document_uri: str,
                    reason: str = "command") -> dict:
    """Add the entry for `key` to the bibliography of the document at `document_uri`."""
    doc = ls.document(document_uri)
    if doc is None or doc.language is None:
        return refuse(ls, f"{document_uri} is not a LaTeX or Markdown document")
    return await ensure_entry(ls, doc, key, reason)


def add_entries_action(ls: CitelsServer, doc: OpenDocument, keys: list[str], title: str,
                       kind: str = types.CodeActionKind.QuickFix) -> types.CodeAction | None:
    """A code action adding the corpus's entries for `keys` to the document's bibliography;
    None when none of them needs adding or the bibliography is outside the workspace.

    For a bibliography the editor has open, an edit of its buffer; for one it has not, a
    command that appends on disk (an edit would open it as a hidden, unsaved buffer).
    """
    try:
        target = bibliography_of(ls, doc)
    except OutsideWorkspace:
        return None
    bib = read_bib(ls, target.path)
    papers = [p for key in keys if (p := ls.catalogue.get(key)) is not None and p.key]
    entries = [(p.key, entry_text(ls, p, target.path)) for p in papers]
    added = appended_entries(bib.text, entries, target.path)  # type: ignore[arg-type]
    if not added:
        return None
    title = f"{title} to {target.path.name}"
    if not is_open(ls, bib):
        return types.CodeAction(title=title, kind=kind, command=types.Command(
            title=title, command=ADD_ENTRIES, arguments=[doc.uri, [k for k, _ in entries]]))
    return types.CodeAction(title=title, kind=kind, edit=open_file_edit(
        ls, bib, [insertion_at_end(bib.text, added)]))



COMMANDS = [(convert.INSERT_BIBTEX, insert_bibtex), (convert.SHOW_PAPER, show_paper),
            (ADD_ENTRIES, add_entries)]
