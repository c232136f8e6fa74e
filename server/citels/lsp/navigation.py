"""Go to definition, find references, rename a key, and the symbols of .bib files and corpus."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from citels.bibliography.read import find_entry
from citels.cite_syntax import BIBTEX, KeySpan, entry_end_line
from citels.cite_syntax.lines import split_lines
from citels.corpus.bibtex_file import latex_to_text
from citels.keys import is_valid_key
from citels.lsp import convert
from citels.lsp.documents import OpenDocument
from citels.lsp.project import bibliographies, read_bib, uri_of
from citels.lsp.server import CitelsServer
from citels.render import display_title
from citels.workspace import project_files

WORKSPACE_SYMBOL_LIMIT = 50


def register(server: CitelsServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: CitelsServer, params: types.DefinitionParams) -> list[types.Location]:
        found = _key_under_cursor(ls, params)
        if found is None:
            return []
        doc, span = found
        return [location for location in [_definition_of(ls, doc, span.key)] if location]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: CitelsServer, params: types.ReferenceParams) -> list[types.Location]:
        found = _key_under_cursor(ls, params)
        if found is None:
            return []
        doc, span = found
        locations = [types.Location(uri=other.uri, range=_edit(other.lines, cited, "").range)
                     for other, cited in _citations(project_documents(ls, doc), span.key)]
        if params.context.include_declaration:
            definition = _definition_of(ls, doc, span.key)
            if definition is not None:
                locations.insert(0, definition)
        return locations

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(ls: CitelsServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        found = _key_under_cursor(ls, params)
        if found is None:
            return None
        doc, span = found
        return _rename(ls, doc, span.key, params.new_name)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(ls: CitelsServer, params: types.DocumentSymbolParams
                         ) -> list[types.DocumentSymbol]:
        doc = ls.document(params.text_document.uri)
        if doc is None or doc.language != BIBTEX:
            return []
        return _bib_symbols(doc)

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def folding_ranges(ls: CitelsServer, params: types.FoldingRangeParams
                       ) -> list[types.FoldingRange]:
        doc = ls.document(params.text_document.uri)
        if doc is None or doc.language != BIBTEX:
            return []
        return [types.FoldingRange(start_line=span.line, end_line=end)
                for span in doc.cited if (end := entry_end_line(doc.lines, span.line)) > span.line]

    @server.feature(types.WORKSPACE_SYMBOL)
    def workspace_symbols(ls: CitelsServer, params: types.WorkspaceSymbolParams
                          ) -> list[types.SymbolInformation]:
        symbols = []
        for hit in ls.library.search(params.query, limit=WORKSPACE_SYMBOL_LIMIT):
            where = ls.library.source_location(hit.paper.key or "")
            if hit.paper.key is None or where is None:
                continue
            path, line = where
            symbols.append(types.SymbolInformation(
                name=display_title(hit.paper), kind=types.SymbolKind.String,
                container_name=hit.paper.key, location=_location(uri_of(Path(path)), line - 1)))
        return symbols


def _key_under_cursor(ls: CitelsServer, params: types.TextDocumentPositionParams
                      ) -> tuple[OpenDocument, KeySpan] | None:
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language is None or not doc.lines:
        return None
    line, column = convert.server_position(doc.lines, params.position)
    span = doc.key_at(line, column)
    return (doc, span) if span else None


def _location(uri: str, line: int, start: int = 0, end: int = 0) -> types.Location:
    return types.Location(uri=uri, range=types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end)))


def _definition_of(ls: CitelsServer, doc: OpenDocument, key: str) -> types.Location | None:
    """The key's entry in the document's bibliography, else its place in the corpus."""
    bibs = [read_bib(ls, doc.path)] if doc.language == BIBTEX else bibliographies(ls, doc)
    for bib in bibs:
        entry = bib.entry(key)
        if entry is not None:
            text = split_lines(bib.text)[entry.line]
            start = convert.position(text, entry.line, entry.start)
            end = convert.position(text, entry.line, entry.end)
            return types.Location(uri=bib.uri, range=types.Range(start=start, end=end))
    where = ls.library.source_location(key)
    if where is not None:
        return _location(uri_of(Path(where[0])), where[1] - 1)
    return None


def project_documents(ls: CitelsServer, doc: OpenDocument) -> list[OpenDocument]:
    """The project's LaTeX and Markdown files, as the editor has them."""
    roots = ls.workspace_roots(doc.path.parent)
    documents = []
    for path in project_files(roots):
        opened = ls.document(uri_of(path))
        if opened is not None and opened.language is not None:
            documents.append(opened)
    if all(d.path != doc.path for d in documents):
        documents.append(doc)
    return documents


def _citations(documents: list[OpenDocument], key: str) -> list[tuple[OpenDocument, KeySpan]]:
    """Every citation of the key in these documents."""
    return [(other, span) for other in documents for span in other.cited if span.key == key]


def _rename(ls: CitelsServer, doc: OpenDocument, old: str, new: str) -> types.WorkspaceEdit:
    if not is_valid_key(new):
        raise JsonRpcInvalidParams(f"{new!r} is not a valid citation key")
    if new.lower() != old.lower() and (
            any(b.entry(new) for b in bibliographies(ls, doc)) or ls.library.get(new)):
        raise JsonRpcInvalidParams(f"the key {new} is taken already")
    changes: dict[str, list[types.TextEdit]] = {}
    documents = project_documents(ls, doc)
    bib_files = {bib.path: bib for d in documents for bib in bibliographies(ls, d)}
    for other, span in _citations(documents, old):
        changes.setdefault(other.uri, []).append(_edit(other.lines, span, new))
    for bib in bib_files.values():
        entry = bib.entry(old)
        if entry is not None:
            changes.setdefault(bib.uri, []).append(_edit(split_lines(bib.text), entry, new))
    return types.WorkspaceEdit(changes=changes)


def _edit(lines: list[str], span: KeySpan, new: str) -> types.TextEdit:
    text = lines[span.line]
    return types.TextEdit(range=types.Range(
        start=convert.position(text, span.line, span.start),
        end=convert.position(text, span.line, span.end)), new_text=new)


def _bib_symbols(doc: OpenDocument) -> list[types.DocumentSymbol]:
    """One symbol per entry, named by its title, spanning the entry (folding follows)."""
    symbols = []
    for span in doc.cited:
        last = entry_end_line(doc.lines, span.line)
        entry = find_entry("\n".join(doc.lines[span.line:last + 1]), span.key, doc.path.name)
        title = latex_to_text(entry.fields.get("title", "")) if entry else ""
        end_text = doc.lines[last]
        symbols.append(types.DocumentSymbol(
            name=span.key, detail=title or None, kind=types.SymbolKind.Struct,
            range=types.Range(start=types.Position(line=span.line, character=0),
                              end=convert.position(end_text, last, len(end_text))),
            selection_range=types.Range(
                start=convert.position(doc.lines[span.line], span.line, span.start),
                end=convert.position(doc.lines[span.line], span.line, span.end))))
    return symbols

