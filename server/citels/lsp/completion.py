"""textDocument/completion and completionItem/resolve: papers by what the writer remembers."""

from __future__ import annotations

from lsprotocol import types

from citels.cite_syntax import citation_at, key_insertion
from citels.completion_policy import papers_to_offer
from citels.lsp import convert
from citels.lsp.server import CitelsServer

TRIGGER_CHARACTERS = ["{", ",", "@", ";"]
_EMPTY = types.CompletionList(is_incomplete=False, items=[])


def completion(ls: CitelsServer, params: types.CompletionParams) -> types.CompletionList:
    """The papers for what is typed inside a citation; nothing elsewhere."""
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language is None:
        return _EMPTY
    line, column = convert.server_position(doc.lines, params.position)
    span = citation_at(doc.lines, line, column, doc.language, ls.config.citation_commands,
                       doc.non_text_near(line))
    if span is None:
        return _EMPTY
    papers = papers_to_offer(ls.catalogue, span.typed, span.keys,
                             [k.key for k in doc.cited_near(line)], ls.config.completion_limit)
    items = []
    for rank, paper in enumerate(papers):
        start, text = key_insertion(span, paper.key or "")
        edit_range = convert.text_range(doc.lines, line, start, line, span.end)
        items.append(convert.completion_item(paper, rank, span.typed, edit_range, text, doc.uri))
    # Incomplete: the client asks again as the writer types, and we search again.
    return types.CompletionList(is_incomplete=True, items=items)


def resolve(ls: CitelsServer, item: types.CompletionItem) -> types.CompletionItem:
    """The chosen item's documentation: the paper in full (deferred until it is shown)."""
    key = item.data.get("key") if isinstance(item.data, dict) else None
    paper = ls.catalogue.get(key) if isinstance(key, str) else None
    if paper is not None:
        item.documentation = convert.documentation(
            paper, markdown=ls.flags.markdown_completion_docs,
            show_abstract=ls.config.hover_show_abstract)
    return item


FEATURES = [
    (types.TEXT_DOCUMENT_COMPLETION,
     types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=True),
     completion),
    (types.COMPLETION_ITEM_RESOLVE, None, resolve),
]
