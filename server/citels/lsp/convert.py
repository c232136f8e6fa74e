"""From citels' values to lsprotocol types: completion items, hover contents, edits."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from citels.bibliography.edits import TextChange
from citels.cite_syntax import KeySpan
from citels.papers import Paper
from citels.render import display_title, paper_markdown, paper_plain, who_and_when

INSERT_BIBTEX = "citels.insertBibtex"
SHOW_PAPER = "citels.showPaper"
STATS = "citels.stats"
REINDEX = "citels.reindex"


def utf16_length(text: str) -> int:
    """The length of `text` in UTF-16 code units, as LSP counts columns."""
    return len(text.encode("utf-16-le")) // 2


def position(line_text: str, line: int, column: int) -> types.Position:
    """An LSP position (UTF-16 code units) from a column in Python characters."""
    return types.Position(line=line, character=utf16_length(line_text[:column]))


def text_range(lines: Sequence[str], line: int, start: int,
               end_line: int | None = None, end: int | None = None) -> types.Range:
    """The LSP range from (`line`, `start`) to (`end_line`, `end`), columns in Python
    characters; on one line when `end_line` is left out, empty when `end` is too.
    A line past the text counts as empty."""
    end_line = line if end_line is None else end_line
    end = start if end is None else end
    first = lines[line] if 0 <= line < len(lines) else ""
    last = first if end_line == line else lines[end_line] if 0 <= end_line < len(lines) else ""
    return types.Range(start=position(first, line, start), end=position(last, end_line, end))


def span_range(lines: Sequence[str], span: KeySpan) -> types.Range:
    """The range of a key in the document."""
    return text_range(lines, span.line, span.start, span.line, span.end)


def text_edit(lines: Sequence[str], change: TextChange) -> types.TextEdit:
    """A text change as an LSP edit of the document whose lines these are."""
    return types.TextEdit(
        range=text_range(lines, change.line, change.start, change.end_line, change.end),
        new_text=change.new_text)


def completion_item(paper: Paper, rank: int, filter_prefix: str, typed: str,
                    edit: types.TextEdit | types.InsertReplaceEdit,
                    extra_edits: list[types.TextEdit] | None,
                    document_uri: str, proxy_prefix: str | None = None) -> types.CompletionItem:
    """One paper in the completion list: its title to read, its key to insert (the edit's
    text, also as insertText for the clients that prefer it; for eglot, which shows and
    matches insertText but applies the edit, the word it completes and the title)."""
    assert paper.key
    title = display_title(paper)
    # Our order, not the client's: every item starts its filter text with the word the client
    # filters by, so clients keep all of them and fall back to sortText.
    parts = [filter_prefix] + ([typed] if typed != filter_prefix else []) + [title, paper.key]
    # "Vaswani et al. 2017" beside the title: who and when is how writers tell papers apart.
    when = who_and_when(paper)
    return types.CompletionItem(
        label=title,
        kind=types.CompletionItemKind.Reference,
        detail=f"{when} · {paper.key}",
        label_details=types.CompletionItemLabelDetails(
            description=f"{when} · {paper.key}" if paper.authors or paper.editors
            else f"{when} {paper.key}"),
        sort_text=f"{rank:04d}",
        filter_text=" ".join(part for part in parts if part),
        insert_text=f"{proxy_prefix} {title}" if proxy_prefix else edit.new_text,
        text_edit=edit,
        additional_text_edits=extra_edits,
        command=types.Command(title="Add the BibTeX entry", command=INSERT_BIBTEX,
                              arguments=[paper.key, document_uri]),
        data={"key": paper.key},
    )


def documentation(paper: Paper, *, markdown: bool, show_abstract: bool) -> types.MarkupContent:
    """The paper in full, for hover and a resolved completion item."""
    if markdown:
        return types.MarkupContent(kind=types.MarkupKind.Markdown,
                                   value=paper_markdown(paper, show_abstract=show_abstract))
    return types.MarkupContent(kind=types.MarkupKind.PlainText,
                               value=paper_plain(paper, show_abstract=show_abstract))


def server_position(lines: list[str], position: types.Position) -> tuple[int, int]:
    """Line and Python column from an LSP position (UTF-16), clamped to the document."""
    if not lines:
        return 0, 0
    line = min(max(position.line, 0), len(lines) - 1)
    text = lines[line]
    units = 0
    for column, char in enumerate(text):
        if units >= position.character:
            return line, column
        units += 2 if ord(char) > 0xFFFF else 1
    return line, len(text)
