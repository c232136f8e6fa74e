"""textDocument/completion and completionItem/resolve: papers by what the writer remembers."""

from __future__ import annotations

from lsprotocol import types

from citels.cite_syntax import citation_at
from citels.lsp import convert
from citels.lsp.server import CitelsServer

TRIGGER_CHARACTERS = ["{", ",", "@", ";"]
_EMPTY = types.CompletionList(is_incomplete=False, items=[])


def register(server: CitelsServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS,
                                            resolve_provider=True))
    def completion(ls: CitelsServer, params: types.CompletionParams) -> types.CompletionList:
        return complete(ls, params)

    @server.feature(types.COMPLETION_ITEM_RESOLVE)
    def resolve(ls: CitelsServer, item: types.CompletionItem) -> types.CompletionItem:
        key = item.data.get("key") if isinstance(item.data, dict) else None
        paper = ls.library.get(key) if isinstance(key, str) else None
        if paper is not None:
            item.documentation = convert.documentation(
                paper, markdown=ls.flags.markdown_completion_docs,
                show_abstract=ls.config.hover_show_abstract)
        return item


def complete(ls: CitelsServer, params: types.CompletionParams) -> types.CompletionList:
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language is None:
        return _EMPTY
    line, column = convert.server_position(doc.lines, params.position)
    span = citation_at(doc.lines, line, column, doc.language, ls.config.citation_commands,
                       doc.non_text_near(line))
    if span is None:
        return _EMPTY
    in_document = [k.key for k in doc.cited_near(line)]
    excluded = {key.lower() for key in span.keys}
    limit = ls.config.completion_limit
    if span.typed.strip():
        hits = ls.library.search(span.typed, limit=limit + len(excluded), cited=in_document)
        papers = [hit.paper for hit in hits]
    else:
        # Nothing typed yet: the papers this document already cites, most recent first.
        papers = [p for key in dict.fromkeys(reversed(in_document))
                  if (p := ls.library.get(key)) is not None]
    papers = [p for p in papers if p.key and p.key.lower() not in excluded][:limit]
    text = doc.lines[line]
    edit_range = types.Range(start=convert.position(text, line, span.start),
                             end=convert.position(text, line, span.end))
    items = [
        convert.completion_item(paper, rank_, span.typed, edit_range,
                                ("@" if span.needs_at else "") + (paper.key or ""), doc.uri)
        for rank_, paper in enumerate(papers)
    ]
    # Incomplete: the client asks again as the writer types, and we search again.
    return types.CompletionList(is_incomplete=True, items=items)
