"""Go to definition, find references, rename a key, and the symbols of .bib files and corpus."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from citels.bibliography.edits import rename_refusal, replace_key
from citels.bibliography.read import find_entry
from citels.cite_syntax import BIBTEX, KeySpan, entry_end_line
from citels.cite_syntax.lines import split_lines
from citels.corpus.latex_text import latex_to_text
from citels.lsp import convert
from citels.lsp.documents import OpenDocument
from citels.lsp.project import bibliographies, project_documents, read_bib, uri_of
from citels.lsp.server import CitelsServer
from citels.render import display_title

WORKSPACE_SYMBOL_LIMIT = 50


def definition(ls: CitelsServer, params: types.DefinitionParams) -> list[types.Location]:
    """The entry of the key under the cursor, in the document's bibliography or the corpus."""
    found = _key_under_cursor(ls, params)
    if found is None:
        return []
    doc, span = found
    return [location for location in [_definition_of(ls, doc, span.key)] if location]


def references(ls: CitelsServer, params: types.ReferenceParams) -> list[types.Location]:
    """Every citation of the key under the cursor in the project (and its entry, if asked)."""
    found = _key_under_cursor(ls, params)
    if found is None:
        return []
    doc, span = found
    locations = [types.Location(uri=other.uri, range=convert.span_range(other.lines, cited))
                 for other, cited in _citations(project_documents(ls, doc), span.key)]
    if params.context.include_declaration:
        definition = _definition_of(ls, doc, span.key)
        if definition is not None:
            locations.insert(0, definition)
    return locations


def rename(ls: CitelsServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    """The key under the cursor renamed in every citation and bibliography of the project."""
    found = _key_under_cursor(ls, params)
    if found is None:
        return None
    doc, span = found
    old, new = span.key, params.new_name
    refusal = rename_refusal(old, new, lambda key: any(
        b.entry(key) for b in bibliographies(ls, doc)) or ls.catalogue.get(key) is not None)
    if refusal is not None:
        raise JsonRpcInvalidParams(refusal)
    documents = project_documents(ls, doc)
    bibs = {bib.path: bib for d in documents for bib in bibliographies(ls, d)}
    changes: dict[str, list[types.TextEdit]] = {}
    for other, cited in _citations(documents, old):
        changes.setdefault(other.uri, []).append(
            convert.text_edit(other.lines, replace_key(cited, new)))
    for bib in bibs.values():
        entry = bib.entry(old)
        if entry is not None:
            changes.setdefault(bib.uri, []).append(
                convert.text_edit(split_lines(bib.text), replace_key(entry, new)))
    return types.WorkspaceEdit(changes=changes)


def document_symbols(ls: CitelsServer, params: types.DocumentSymbolParams
                     ) -> list[types.DocumentSymbol]:
    """A .bib file's entries, one symbol each, named by key and described by title."""
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language != BIBTEX:
        return []
    return _bib_symbols(doc)


def folding_ranges(ls: CitelsServer, params: types.FoldingRangeParams
                   ) -> list[types.FoldingRange]:
    """A .bib file's entries, each foldable."""
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language != BIBTEX:
        return []
    return [types.FoldingRange(start_line=span.line, end_line=end)
            for span in doc.cited if (end := entry_end_line(doc.lines, span.line)) > span.line]


def workspace_symbols(ls: CitelsServer, params: types.WorkspaceSymbolParams
                      ) -> list[types.SymbolInformation]:
    """The papers for a query, each at the place in the corpus it was read from."""
    symbols = []
    for hit in ls.catalogue.search(params.query, limit=WORKSPACE_SYMBOL_LIMIT):
        where = ls.catalogue.source_location(hit.paper.key or "")
        if hit.paper.key is None or where is None:
            continue
        path, line = where
        symbols.append(types.SymbolInformation(
            name=display_title(hit.paper), kind=types.SymbolKind.String,
            container_name=hit.paper.key, location=_corpus_location(path, line)))
    return symbols


def _key_under_cursor(ls: CitelsServer,
                      params: types.DefinitionParams | types.ReferenceParams | types.RenameParams
                      ) -> tuple[OpenDocument, KeySpan] | None:
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language is None or not doc.lines:
        return None
    line, column = convert.server_position(doc.lines, params.position)
    span = doc.key_at(line, column)
    return (doc, span) if span else None


def _corpus_location(path: str, line: int) -> types.Location:
    """The start of a (1-based) line of a corpus file."""
    return types.Location(uri=uri_of(Path(path)), range=convert.text_range([], line - 1, 0))


def _definition_of(ls: CitelsServer, doc: OpenDocument, key: str) -> types.Location | None:
    """The key's entry in the document's bibliography, else its place in the corpus."""
    bibs = [read_bib(ls, doc.path)] if doc.language == BIBTEX else bibliographies(ls, doc)
    for bib in bibs:
        entry = bib.entry(key)
        if entry is not None:
            return types.Location(uri=bib.uri,
                                  range=convert.span_range(split_lines(bib.text), entry))
    where = ls.catalogue.source_location(key)
    if where is not None:
        return _corpus_location(*where)
    return None


def _citations(documents: list[OpenDocument], key: str) -> list[tuple[OpenDocument, KeySpan]]:
    """Every citation of the key in these documents."""
    return [(other, span) for other in documents for span in other.cited if span.key == key]


def _bib_symbols(doc: OpenDocument) -> list[types.DocumentSymbol]:
    """One symbol per entry, named by its title, spanning the entry (folding follows)."""
    symbols = []
    for span in doc.cited:
        last = entry_end_line(doc.lines, span.line)
        entry = find_entry("\n".join(doc.lines[span.line:last + 1]), span.key, doc.path.name)
        title = latex_to_text(entry.fields.get("title", "")) if entry else ""
        symbols.append(types.DocumentSymbol(
            name=span.key, detail=title or None, kind=types.SymbolKind.Struct,
            range=convert.text_range(doc.lines, span.line, 0, last, len(doc.lines[last])),
            selection_range=convert.span_range(doc.lines, span)))
    return symbols


FEATURES = [
    (types.TEXT_DOCUMENT_DEFINITION, None, definition),
    (types.TEXT_DOCUMENT_REFERENCES, None, references),
    (types.TEXT_DOCUMENT_RENAME, None, rename),
    (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, None, document_symbols),
    (types.TEXT_DOCUMENT_FOLDING_RANGE, None, folding_ranges),
    (types.WORKSPACE_SYMBOL, None, workspace_symbols),
]
