"""The BibTeX entry written into the document's bibliography, and the commands around it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from citels.bibliography.edits import append_at_end
from citels.bibliography.entry import to_bibtex
from citels.bibliography.formats import format_of
from citels.bibliography.locate import Bibliography, find_bibliography
from citels.bibliography.read import UserEntry
from citels.cite_syntax import BIBTEX
from citels.lsp import convert
from citels.cite_syntax.lines import split_lines
from citels.lsp.documents import OpenDocument
from citels.lsp.project import read_bib
from citels.lsp.server import CitelsServer
from citels.papers import Paper
from citels.workspace import OutsideWorkspace


async def insert_bibtex(ls: CitelsServer, *args: Any) -> dict:
    """Arguments: key, document URI. Adds the paper's entry unless the key is there."""
    if len(args) < 2 or not all(isinstance(a, str) for a in args[:2]):
        return {"added": False, "error": "expected arguments: key, document URI"}
    return await add_entry(ls, args[0], args[1])


def show_paper(ls: CitelsServer, *args: Any) -> dict | None:
    """Argument: key. The paper's record, or null."""
    paper = ls.catalogue.get(args[0]) if args and isinstance(args[0], str) else None
    return paper.to_dict() if paper else None


async def add_entry(ls: CitelsServer, key: str, document_uri: str) -> dict:
    """Append the entry for `key` to the bibliography of the document at `document_uri`."""
    paper = ls.catalogue.get(key)
    if paper is None or paper.key is None:
        return _refuse(ls, f"no paper with key {key!r} in the corpus")
    doc = ls.document(document_uri)
    if doc is None or doc.language is None:
        return _refuse(ls, f"{document_uri} is not a LaTeX or Markdown document")
    try:
        bibliography = bibliography_of(ls, doc)
    except OutsideWorkspace as error:
        return _refuse(ls, str(error), show=True)
    bib = read_bib(ls, bibliography.path)
    bib_uri, existing, version = bib.uri, bib.text, bib.version
    bib_format = format_of(bibliography.path)
    entry = bibtex_entry(ls, paper, bibliography.path)
    append = bib_format.append_entry(existing, paper.key, entry)
    result = {"added": False, "bibliography": str(bibliography.path), "key": paper.key}
    if append is None:
        return result  # already there: never a second entry for a key
    if ls.flags.apply_edit:
        create = not bibliography.path.exists()
        if create and not (ls.flags.document_changes and ls.flags.create_files):
            # The client cannot create files in an edit: create it empty (nothing to lose),
            # then let the client's edit fill it like any other.
            bibliography.path.touch()
            create = False
        edit = workspace_edit(ls, bib_uri, existing, version, append.text, create=create)
        response = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit=edit, label=f"citels: add {paper.key} to {bibliography.path.name}"))
        if not response.applied:
            ls.log(f"the editor did not add {paper.key} to {bibliography.path}: "
                   f"{response.failure_reason or 'no reason given'}", types.MessageType.Warning)
            return result
    else:
        bib_format.append_to_file(bibliography.path, paper.key, entry)
        ls.log(f"wrote {paper.key} to {bibliography.path} directly "
               "(the editor cannot apply workspace edits)")
    return dict(result, added=True)


def find_user_entry(ls: CitelsServer, doc: OpenDocument, key: str
                    ) -> tuple[UserEntry | None, str | None]:
    """The document's own .bib entry for `key`, and the name of the file searched."""
    if doc.language == BIBTEX:
        return format_of(doc.path).find_entry(doc.text, key, doc.path.name), doc.path.name
    try:
        bibliography = bibliography_of(ls, doc)
    except OutsideWorkspace:
        return None, None
    if not bibliography.declared and not bibliography.path.exists():
        return None, None
    text = read_bib(ls, bibliography.path).text
    return (format_of(bibliography.path).find_entry(text, key, bibliography.path.name),
            bibliography.path.name)


def add_entries_action(ls: CitelsServer, doc: OpenDocument, keys: list[str], title: str,
                       kind: str = types.CodeActionKind.QuickFix) -> types.CodeAction | None:
    """A code action adding the corpus's entries for `keys` to the document's bibliography;
    None when none of them needs adding or the bibliography is outside the workspace."""
    try:
        target = bibliography_of(ls, doc)
    except OutsideWorkspace:
        return None
    bib = read_bib(ls, target.path)
    text = bib.text
    added = ""
    for key in keys:
        paper = ls.catalogue.get(key)
        if paper is None or paper.key is None:
            continue
        append = format_of(target.path).append_entry(text + added, paper.key,
                                                     bibtex_entry(ls, paper, target.path))
        if append is not None:
            added += append.text
    if not added:
        return None
    edit = workspace_edit(ls, bib.uri, text, bib.version, added,
                          create=not target.path.exists())
    return types.CodeAction(title=f"{title} to {target.path.name}", kind=kind, edit=edit)


def bibtex_entry(ls: CitelsServer, paper: Paper, path: Path | None = None) -> str:
    """The paper's entry in the format of the file at `path` (BibTeX without one), written
    as the settings ask."""
    render = format_of(path).render_entry if path is not None else to_bibtex
    return render(paper, unicode=ls.config.bibtex_unicode == "utf8",
                  include_abstract=ls.config.bibtex_abstract,
                  url_field=ls.config.bibtex_url_field)


def bibliography_of(ls: CitelsServer, doc: OpenDocument) -> Bibliography:
    """The bibliography the document's new entries go to."""
    assert doc.language is not None
    return find_bibliography(doc.path, doc.text, doc.language, ls.workspace_roots(doc.path.parent),
                             ls.config.default_bibliography)


def workspace_edit(ls: CitelsServer, uri: str, existing: str, version: int | None, text: str,
                   *, create: bool) -> types.WorkspaceEdit:
    """`text` appended to the file at `uri` (created first if `create`), as an edit the
    client can apply."""
    insert = convert.text_edit(split_lines(existing), append_at_end(existing, text))
    if not ls.flags.document_changes:
        return types.WorkspaceEdit(changes={uri: [insert]})
    changes: list[Any] = []
    if create:
        changes.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(
            ignore_if_exists=True)))
    changes.append(types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
        edits=[insert]))
    return types.WorkspaceEdit(document_changes=changes)


def _refuse(ls: CitelsServer, message: str, *, show: bool = False) -> dict:
    ls.log(message, types.MessageType.Warning)
    if show:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                       message=f"citels: {message}"))
    return {"added": False, "error": message}


COMMANDS = [(convert.INSERT_BIBTEX, insert_bibtex), (convert.SHOW_PAPER, show_paper)]
