"""textDocument/hover: on a cited key (or a .bib entry key), the paper in full."""

from __future__ import annotations

from lsprotocol import types

from citels.lsp import convert
from citels.lsp.bibliography import find_user_entry
from citels.lsp.server import CitelsServer
from citels.render import describe_entry


def hover(ls: CitelsServer, params: types.HoverParams) -> types.Hover | None:
    """The corpus's paper for the key under the cursor, else the user's own entry for it."""
    doc = ls.document(params.text_document.uri)
    if doc is None or doc.language is None or not doc.lines:
        return None
    line, column = convert.server_position(doc.lines, params.position)
    span = doc.key_at(line, column)
    if span is None:
        return None
    markdown = ls.flags.markdown_hover
    paper = ls.catalogue.get(span.key)
    if paper is not None:
        contents = convert.documentation(paper, markdown=markdown,
                                         show_abstract=ls.config.hover_show_abstract)
    else:
        contents = types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=describe_entry(span.key, *find_user_entry(ls, doc, span.key),
                                 markdown=markdown))
    return types.Hover(contents=contents, range=convert.span_range(doc.lines, span))


FEATURES = [(types.TEXT_DOCUMENT_HOVER, None, hover)]
