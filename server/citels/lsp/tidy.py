"""Commands that tidy a project's bibliography, always as workspace edits the editor applies:
add every missing entry the corpus knows; remove the entries no document cites."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from citels.cite_syntax import entry_end_line
from citels.cite_syntax.lines import split_lines
from citels.lsp.diagnostics import add_entries_action, diagnose
from citels.lsp.navigation import project_documents
from citels.lsp.project import bibliographies
from citels.lsp.server import CitelsServer

TIDY = "citels.tidyBibliography"
REMOVE_UNUSED = "citels.removeUnusedEntries"


def register(server: CitelsServer) -> None:
    @server.command(TIDY)
    async def tidy(ls: CitelsServer, *args: Any) -> dict:
        """Argument: a document URI. Adds the missing entries; reports what is still missing."""
        doc = ls.document(args[0]) if args and isinstance(args[0], str) else None
        if doc is None or doc.language is None:
            return {"error": "expected the URI of a LaTeX or Markdown document"}
        missing = [d.data for d in diagnose(ls, doc) if isinstance(d.data, dict)]
        known = list(dict.fromkeys(m["key"] for m in missing if m.get("inCorpus")))
        unknown = list(dict.fromkeys(m["key"] for m in missing if not m.get("inCorpus")))
        action = add_entries_action(ls, doc, known, "Add missing entries") if known else None
        if action is not None and action.edit is not None:
            await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
                edit=action.edit, label="citels: add missing entries"))
        if unknown:
            ls.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Info,
                message=f"citels: still missing (not in the corpus): {', '.join(unknown)}"))
        return {"added": known, "stillMissing": unknown}

    @server.command(REMOVE_UNUSED)
    async def remove_unused(ls: CitelsServer, *args: Any) -> dict:
        """Argument: a document URI. Removes entries no document of its project cites."""
        doc = ls.document(args[0]) if args and isinstance(args[0], str) else None
        if doc is None or doc.language is None:
            return {"error": "expected the URI of a LaTeX or Markdown document"}
        documents = project_documents(ls, doc)
        cited = {span.key.lower() for d in documents for span in d.cited}
        if "*" in cited:
            return {"removed": []}  # \nocite{*}: every entry is used
        changes: dict[str, list[types.TextEdit]] = {}
        removed = []
        bibs = {bib.path: bib for d in documents for bib in bibliographies(ls, d)}
        for bib in bibs.values():
            lines = split_lines(bib.text)
            for entry in bib.entries:
                if entry.key.lower() in cited:
                    continue
                end = entry_end_line(lines, entry.line) + 1
                if end < len(lines) and not lines[end].strip():
                    end += 1  # and the blank line that separated it from the next
                changes.setdefault(bib.uri, []).append(types.TextEdit(
                    range=types.Range(start=types.Position(line=entry.line, character=0),
                                      end=types.Position(line=end, character=0)),
                    new_text=""))
                removed.append(entry.key)
        if changes:
            await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
                edit=types.WorkspaceEdit(changes=changes), label="citels: remove unused entries"))
        return {"removed": removed}
