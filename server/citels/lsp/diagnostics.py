"""Diagnostics (keys no bibliography defines, keys defined twice, entries nobody cites) and
their quick fixes, all from the records of `citels.key_problems`; with them, on a library
file, what its reader skipped or forgave (`library_diagnostics`)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from citels.cite_syntax import BIBTEX, KeySpan
from citels.indexes import WantedIndex
from citels.key_problems import (
    MAX_ENTRIES_FOR_UNUSED_HINTS,
    MissingKey,
    duplicate_keys,
    keys_to_add,
    missing_keys,
    unused_entries,
)
from citels.lsp import auto_add, convert, library_diagnostics
from citels.lsp.bibliography import add_entries_action
from citels.lsp.documents import OpenDocument
from citels.lsp.project import (
    bibliography_paths,
    cited_in_project,
    defined_keys,
    project_documents,
)
from citels.lsp.server import CitelsServer

DEBOUNCE_SECONDS = 0.3
UNKNOWN_KEY = "unknown-key"
DUPLICATE_KEY = "duplicate-key"
UNUSED_ENTRY = "unused-entry"
SOURCE = "citels"


def did_open(ls: CitelsServer, params: types.DidOpenTextDocumentParams) -> None:
    """A document opened: diagnose it, and remember what it cites (never auto-added)."""
    auto_add.opened(ls, params.text_document.uri)
    schedule(ls, params.text_document.uri)


def did_change(ls: CitelsServer, params: types.DidChangeTextDocumentParams) -> None:
    """A document changed: diagnose it, and every open document if it is a bibliography; a
    key it newly cites may be auto-added."""
    auto_add.changed(ls, params)
    schedule(ls, params.text_document.uri)
    if params.text_document.uri.lower().endswith((".bib", ".yml", ".yaml")):
        for uri in list(ls.workspace.text_documents):  # their bibliography changed
            schedule(ls, uri)


def did_close(ls: CitelsServer, params: types.DidCloseTextDocumentParams) -> None:
    """A document closed: its analyses forgotten, its diagnostics cleared."""
    handle = ls.pending_diagnostics.pop(params.text_document.uri, None)
    if handle:
        handle.cancel()
    closed = ls.documents.peek(params.text_document.uri)
    ls.documents.forget(params.text_document.uri)
    library_diagnostics.forget(ls, params.text_document.uri)
    auto_add.closed(ls, params.text_document.uri)
    if closed is not None and library_diagnostics.document_closed(ls, closed.path):
        return  # a workspace library file: its reader's warnings stay shown
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


def code_action(ls: CitelsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes for the unknown keys the client shows, and "add all missing entries"."""
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language in (None, BIBTEX):
        return []
    missing = missing_in(ls, doc)
    by_range = {_range_key(convert.span_range(doc.lines, m.span)): m for m in missing}
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        problem = by_range.get(_range_key(diagnostic.range))
        if diagnostic.code != UNKNOWN_KEY or problem is None:
            continue  # not ours, or the document changed since it was published
        if problem.in_corpus:
            key = problem.span.key
            action = add_entries_action(ls, doc, [key], f"Add entry for {key}")
            if action is not None:
                action.diagnostics = [diagnostic]
                action.is_preferred = True
                actions.append(action)
        else:
            actions += _replacements(ls, doc, problem.span.key, diagnostic)
    to_add = keys_to_add(missing)
    if len(to_add) > 1 or (to_add and not actions):
        every = add_entries_action(ls, doc, to_add, "Add all missing entries",
                                   kind=types.CodeActionKind.Source)
        if every is not None:
            actions.append(every)
    return actions


async def index_checked(ls: CitelsServer, index: WantedIndex) -> None:
    """An index run ended: the reader warnings of the workspace's library files shown anew
    (on the files the editor has open, with the rest of their diagnostics)."""
    try:
        for uri in await library_diagnostics.index_checked(ls, index):
            schedule(ls, uri)
    except Exception as error:  # the index run itself succeeded: say so, not that it failed
        ls.log(f"showing the library warnings failed: {error}", types.MessageType.Warning)


def schedule(ls: CitelsServer, uri: str) -> None:
    """Publish the document's diagnostics once the writer pauses (debounced)."""
    handle = ls.pending_diagnostics.pop(uri, None)
    if handle:
        handle.cancel()
    loop = asyncio.get_running_loop()
    ls.pending_diagnostics[uri] = loop.call_later(DEBOUNCE_SECONDS, publish, ls, uri)


def publish(ls: CitelsServer, uri: str) -> None:
    """Publish the diagnostics of an open document now."""
    ls.pending_diagnostics.pop(uri, None)
    if uri not in ls.workspace.text_documents:
        return  # closed meanwhile
    doc = ls.document(uri)
    if doc is None or (doc.language is None and not library_diagnostics.is_library(ls, doc)):
        return
    try:
        found = diagnose(ls, doc)
    except Exception as error:  # a document we cannot judge gets no diagnostics, not a crash
        ls.log(f"diagnostics for {uri} failed: {error}", types.MessageType.Warning)
        return
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=doc.version))


def diagnose(ls: CitelsServer, doc: OpenDocument) -> list[types.Diagnostic]:
    """The document's diagnostics: for a .bib its duplicate (and, if asked, unused) entries
    and what its reader skipped or forgave; for a CSL-JSON or Hayagriva library the latter;
    for a LaTeX or Markdown document the keys none of its bibliographies defines."""
    if doc.language is None:
        return library_diagnostics.document_diagnostics(ls, doc)
    if doc.language == BIBTEX:
        duplicates = duplicate_keys(doc.cited)
        found = [_diagnostic(doc, d.span, d.message(), DUPLICATE_KEY) for d in duplicates]
        # The reader names a second entry too: said once, by the duplicate's diagnostic.
        found += library_diagnostics.document_diagnostics(
            ls, doc, frozenset(d.span.line for d in duplicates))
        if ls.config.diagnostics_unused_entries and len(doc.cited) <= MAX_ENTRIES_FOR_UNUSED_HINTS:
            cited = cited_in_project(project_documents(ls, doc))
            found += [_diagnostic(doc, u.span, u.message(), UNUSED_ENTRY,
                                  types.DiagnosticSeverity.Hint)
                      for u in unused_entries(doc.cited, cited)]
        return found
    names = [path.name for path in bibliography_paths(ls, doc)]
    return [_diagnostic(doc, m.span, m.message(names), UNKNOWN_KEY)
            for m in missing_in(ls, doc)]


def missing_in(ls: CitelsServer, doc: OpenDocument) -> list[MissingKey]:
    """The keys a LaTeX or Markdown document cites that none of its bibliographies defines."""
    return missing_keys(doc.cited, defined_keys(ls, doc), ls.catalogue.get)


def _diagnostic(doc: OpenDocument, span: KeySpan, message: str, code: str,
                severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Warning
                ) -> types.Diagnostic:
    hint = severity == types.DiagnosticSeverity.Hint
    return types.Diagnostic(range=convert.span_range(doc.lines, span), message=message,
                            severity=severity, source=SOURCE, code=code,
                            tags=[types.DiagnosticTag.Unnecessary] if hint else None)


def _range_key(range_: types.Range) -> tuple[int, int, int, int]:
    return (range_.start.line, range_.start.character, range_.end.line, range_.end.character)


def _replacements(ls: CitelsServer, doc: OpenDocument, key: str,
                  diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    """'Replace with …' the papers the ranker finds for a mistyped key or a title phrase."""
    actions = []
    for hit in ls.catalogue.search(key, limit=3):
        if not hit.paper.key:
            continue
        title = hit.paper.title or "untitled"
        actions.append(types.CodeAction(
            title=f"Replace with {hit.paper.key} ({title})", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={doc.uri: [
                types.TextEdit(range=diagnostic.range, new_text=hit.paper.key)]})))
    return actions


FEATURES = [
    (types.TEXT_DOCUMENT_DID_OPEN, None, did_open),
    (types.TEXT_DOCUMENT_DID_CHANGE, None, did_change),
    (types.TEXT_DOCUMENT_DID_CLOSE, None, did_close),
    (types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]),
     code_action),
]
