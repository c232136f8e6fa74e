"""Diagnostics (keys no bibliography defines, keys defined twice) and their quick fixes."""

from __future__ import annotations

import asyncio
from collections import Counter

from lsprotocol import types

from citels.bibliography.append import append_entry
from citels.bibliography.entry import to_bibtex
from citels.cite_syntax import BIBTEX
from citels.lsp import convert
from citels.lsp.bibliography import bibliography_of, workspace_edit
from citels.lsp.documents import OpenDocument
from citels.lsp.project import bibliographies, defined_keys, read_bib
from citels.lsp.server import CitelsServer
from citels.workspace import OutsideWorkspace

DEBOUNCE_SECONDS = 0.3
UNKNOWN_KEY = "unknown-key"
DUPLICATE_KEY = "duplicate-key"
SOURCE = "citels"


def register(server: CitelsServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CitelsServer, params: types.DidOpenTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CitelsServer, params: types.DidChangeTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)
        if params.text_document.uri.lower().endswith(".bib"):
            for uri in list(ls.workspace.text_documents):  # their bibliography changed
                schedule(ls, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CitelsServer, params: types.DidCloseTextDocumentParams) -> None:
        handle = ls.pending_diagnostics.pop(params.text_document.uri, None)
        if handle:
            handle.cancel()
        ls.forget_document(params.text_document.uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]))
    def code_action(ls: CitelsServer, params: types.CodeActionParams
                    ) -> list[types.CodeAction] | None:
        return code_actions(ls, params)


def schedule(ls: CitelsServer, uri: str) -> None:
    """Publish the document's diagnostics once the writer pauses (debounced)."""
    handle = ls.pending_diagnostics.pop(uri, None)
    if handle:
        handle.cancel()
    loop = asyncio.get_running_loop()
    ls.pending_diagnostics[uri] = loop.call_later(DEBOUNCE_SECONDS, publish, ls, uri)


def publish(ls: CitelsServer, uri: str) -> None:
    ls.pending_diagnostics.pop(uri, None)
    if uri not in ls.workspace.text_documents:
        return  # closed meanwhile
    doc = ls.document(uri)
    if doc is None or doc.language is None:
        return
    try:
        found = diagnose(ls, doc)
    except Exception as error:  # a document we cannot judge gets no diagnostics, not a crash
        ls.log(f"diagnostics for {uri} failed: {error}", types.MessageType.Warning)
        return
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=doc.version))


MAX_ENTRIES_FOR_UNUSED_HINTS = 1000  # a library of thousands is not one paper's bibliography


def diagnose(ls: CitelsServer, doc: OpenDocument) -> list[types.Diagnostic]:
    if doc.language == BIBTEX:
        found = _duplicates(doc)
        if ls.config.diagnostics_unused_entries and len(doc.cited) <= MAX_ENTRIES_FOR_UNUSED_HINTS:
            found += _unused(ls, doc)
        return found
    known = defined_keys(ls, doc)
    bibs = bibliographies(ls, doc)
    names = ", ".join(bib.path.name for bib in bibs) or "no bibliography"
    found = []
    for span in doc.cited:
        if span.key == "*" or span.key.lower() in known:
            continue  # \nocite{*} cites everything, and defined keys are fine
        paper = ls.library.get(span.key)
        if paper is not None:
            message = (f"{span.key} is not in {names}; the corpus has it: "
                       f"“{paper.title or 'untitled'}”")
        else:
            message = f"{span.key} is in no bibliography of this document ({names})"
        found.append(types.Diagnostic(
            range=_range(doc, span.line, span.start, span.end), message=message,
            severity=types.DiagnosticSeverity.Warning, source=SOURCE, code=UNKNOWN_KEY,
            data={"key": span.key, "inCorpus": paper is not None}))
    return found


def _duplicates(doc: OpenDocument) -> list[types.Diagnostic]:
    counts = Counter(span.key.lower() for span in doc.cited)
    seen: set[str] = set()
    found = []
    for span in doc.cited:
        lower = span.key.lower()
        if counts[lower] > 1:
            if lower in seen:
                found.append(types.Diagnostic(
                    range=_range(doc, span.line, span.start, span.end),
                    message=f"{span.key} is defined {counts[lower]} times in this file",
                    severity=types.DiagnosticSeverity.Warning, source=SOURCE,
                    code=DUPLICATE_KEY))
            seen.add(lower)
    return found


def _unused(ls: CitelsServer, doc: OpenDocument) -> list[types.Diagnostic]:
    """Entries of this .bib that no LaTeX or Markdown file of the workspace cites."""
    from citels.lsp.navigation import project_documents  # navigation builds on diagnostics

    documents = [d for d in project_documents(ls, doc) if d.language != BIBTEX]
    cited = {span.key.lower() for d in documents for span in d.cited}
    if "*" in cited:
        return []
    return [types.Diagnostic(
        range=_range(doc, span.line, span.start, span.end),
        message=f"{span.key} is cited by no document of the workspace",
        severity=types.DiagnosticSeverity.Hint, tags=[types.DiagnosticTag.Unnecessary],
        source=SOURCE, code="unused-entry")
        for span in doc.cited if span.key.lower() not in cited]


def _range(doc: OpenDocument, line: int, start: int, end: int) -> types.Range:
    text = doc.lines[line]
    return types.Range(start=convert.position(text, line, start),
                       end=convert.position(text, line, end))


# --- quick fixes --------------------------------------------------------------------------


def code_actions(ls: CitelsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language in (None, BIBTEX):
        return []
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.code != UNKNOWN_KEY or not isinstance(diagnostic.data, dict):
            continue
        key = str(diagnostic.data.get("key", ""))
        if ls.library.get(key) is not None:
            action = add_entries_action(ls, doc, [key], f"Add entry for {key}")
            if action is not None:
                action.diagnostics = [diagnostic]
                action.is_preferred = True
                actions.append(action)
        else:
            actions += _replacements(ls, doc, key, diagnostic)
    missing = [str(d.data["key"]) for d in diagnose(ls, doc)
               if isinstance(d.data, dict) and d.data.get("inCorpus")]
    if len(missing) > 1 or (missing and not actions):
        every = add_entries_action(ls, doc, list(dict.fromkeys(missing)),
                                    "Add all missing entries", kind=types.CodeActionKind.Source)
        if every is not None:
            actions.append(every)
    return actions


def add_entries_action(ls: CitelsServer, doc: OpenDocument, keys: list[str], title: str,
                        kind: str = types.CodeActionKind.QuickFix) -> types.CodeAction | None:
    try:
        target = bibliography_of(ls, doc)
    except OutsideWorkspace:
        return None
    bib = read_bib(ls, target.path)
    text = bib.text
    added = ""
    for key in keys:
        paper = ls.library.get(key)
        if paper is None or paper.key is None:
            continue
        append = append_entry(text + added, paper.key, to_bibtex(
            paper, unicode=ls.config.bibtex_unicode == "utf8",
            include_abstract=ls.config.bibtex_abstract, url_field=ls.config.bibtex_url_field))
        if append is not None:
            added += append.text
    if not added:
        return None
    edit = workspace_edit(ls, bib.uri, text, bib.version, added,
                          create=not target.path.exists())
    return types.CodeAction(title=f"{title} to {target.path.name}", kind=kind, edit=edit)


def _replacements(ls: CitelsServer, doc: OpenDocument, key: str,
                  diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    """'Replace with …' the papers the ranker finds for a mistyped key or a title phrase."""
    actions = []
    for hit in ls.library.search(key, limit=3):
        if not hit.paper.key:
            continue
        title = hit.paper.title or "untitled"
        actions.append(types.CodeAction(
            title=f"Replace with {hit.paper.key} ({title})", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={doc.uri: [
                types.TextEdit(range=diagnostic.range, new_text=hit.paper.key)]})))
    return actions
