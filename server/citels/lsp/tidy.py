"""Commands that tidy a project's bibliography (edits of open files the editor applies,
appends on disk for closed ones):
add every missing entry the corpus knows; remove the entries no document cites."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from citels.bibliography import hayagriva
from citels.bibliography.edits import remove_entry
from citels.bibliography.formats import HAYAGRIVA, format_of
from citels.cite_syntax import entry_end_line
from citels.cite_syntax.lines import split_lines
from citels.key_problems import keys_not_found, keys_to_add, unused_entries
from citels.lsp import convert
from citels.lsp.bibliography import add_entries_action
from citels.lsp.diagnostics import missing_in
from citels.lsp.entry_writer import ensure_entries
from citels.lsp.project import bibliographies, cited_in_project, project_documents
from citels.lsp.server import CitelsServer

TIDY = "citels.tidyBibliography"
REMOVE_UNUSED = "citels.removeUnusedEntries"
_NOT_A_DOCUMENT = {"error": "expected the URI of a LaTeX, Markdown, Typst or Org document"}


async def tidy(ls: CitelsServer, *args: Any) -> dict:
    """Argument: a document URI. Adds the missing entries; reports what is still missing."""
    doc = ls.document(args[0]) if args and isinstance(args[0], str) else None
    if doc is None or doc.language is None:
        return dict(_NOT_A_DOCUMENT)
    missing = missing_in(ls, doc)
    known, unknown = keys_to_add(missing), keys_not_found(missing)
    action = add_entries_action(ls, doc, known, "Add missing entries") if known else None
    if action is not None and action.edit is not None:  # the bibliography is open
        await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit=action.edit, label="citels: add missing entries"))
    elif action is not None:  # closed: appended on disk by the one writer
        await ensure_entries(ls, doc, known, "tidy")
    if unknown:
        ls.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Info,
            message=f"citels: still missing (not in the corpus): {', '.join(unknown)}"))
    return {"added": known, "stillMissing": unknown}


async def remove_unused(ls: CitelsServer, *args: Any) -> dict:
    """Argument: a document URI. Removes entries no document of its project cites."""
    doc = ls.document(args[0]) if args and isinstance(args[0], str) else None
    if doc is None or doc.language is None:
        return dict(_NOT_A_DOCUMENT)
    documents = project_documents(ls, doc)
    cited = cited_in_project(documents)
    changes: dict[str, list[types.TextEdit]] = {}
    removed = []
    bibs = {bib.path: bib for d in documents for bib in bibliographies(ls, d)}
    for bib in bibs.values():
        lines = split_lines(bib.text)
        end_line = (hayagriva.entry_end_line if format_of(bib.path) is HAYAGRIVA
                    else entry_end_line)
        for unused in unused_entries(bib.entries, cited):
            changes.setdefault(bib.uri, []).append(
                convert.text_edit(lines, remove_entry(lines, unused.span, end_line)))
            removed.append(unused.span.key)
    if changes:
        await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit=types.WorkspaceEdit(changes=changes), label="citels: remove unused entries"))
    return {"removed": removed}


COMMANDS = [(TIDY, tidy), (REMOVE_UNUSED, remove_unused)]
