"""textDocument/completion and completionItem/resolve: papers by what the writer remembers."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from lsprotocol import types

from citels.cite_syntax import CiteSpan, citation_at, key_insertion
from citels.completion_policy import papers_to_offer
from citels.insertion import Insertion, client_kind, insertion
from citels.lsp import convert, online
from citels.lsp.documents import OpenDocument
from citels.lsp.server import CitelsServer

TRIGGER_CHARACTERS = ["{", ",", "@", ";"]
_EMPTY = types.CompletionList(is_incomplete=False, items=[])


def completion(ls: CitelsServer, params: types.CompletionParams
               ) -> Generator[Any, Any, types.CompletionList]:
    """The papers for what is typed inside a citation; nothing elsewhere. An identifier no
    index holds is looked up online when that is on (see lsp/online.py), for a moment."""
    # A generator handler: pygls runs it at once, as a plain function, on the document as
    # the request found it; only a lookup is yielded, to run as a task of its own, and the
    # list is then made from the same snapshot.
    ls.first_completion.set()  # the start-up index check may go ahead once this is answered
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language is None:
        return _EMPTY
    line, column = convert.server_position(doc.lines, params.position)
    span = citation_at(doc.lines, line, column, doc.language, ls.config.citation_commands,
                       doc.non_text_near(line))
    if span is None:
        return _EMPTY
    if ls.online is not None and online.unknown_identifiers(ls, span.typed):
        yield online.found_online, (ls, span.typed), {}
    return _completion_list(ls, doc, line, span)


def _completion_list(ls: CitelsServer, doc: OpenDocument, line: int, span: CiteSpan
                     ) -> types.CompletionList:
    """The items for the citation `span` on `line`."""
    papers = papers_to_offer(ls.catalogue, span.typed, span.keys,
                             [k.key for k in doc.cited_near(line)], ls.config.completion_limit)
    kind = client_kind(ls.flags.client_name)
    items = []
    for rank, paper in enumerate(papers):
        # The key, after an '@' where needed; Typst writes a key '@' cannot carry as
        # #cite(label("key")), from a column earlier.
        start, new_text = key_insertion(span, paper.key or "")
        place = insertion(doc.lines[line], start, span.end, kind)
        extra = None
        if place.delete_before:
            first, last = place.delete_before
            extra = [types.TextEdit(range=convert.text_range(doc.lines, line, first, line, last),
                                    new_text="")]
        items.append(convert.completion_item(
            paper, rank, place.filter_prefix, span.typed,
            _edit(ls, doc.lines, line, place, new_text), extra, doc.uri,
            place.proxy_prefix))
    # Incomplete: the client asks again as the writer types, and we search again.
    return types.CompletionList(is_incomplete=True, items=items)


def _edit(ls: CitelsServer, lines: list[str], line: int, place: Insertion,
          new_text: str) -> types.TextEdit | types.InsertReplaceEdit:
    """One line, from the key slot's start to the cursor (or to the key's end, for clients
    that offer replacing)."""
    insert = convert.text_range(lines, line, place.start, line, place.end)
    if ls.flags.insert_replace and place.replace_end > place.end:
        return types.InsertReplaceEdit(
            new_text=new_text, insert=insert,
            replace=convert.text_range(lines, line, place.start, line, place.replace_end))
    return types.TextEdit(range=insert, new_text=new_text)


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
