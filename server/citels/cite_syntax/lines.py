"""A text's lines as LSP counts them: the one line splitter every part of citels uses.

LSP knows three line endings (CRLF, CR, LF); Python's `str.splitlines` knows eight (form
feed, \\x1c-\\x1e, \\x85, U+2028 and U+2029 too). Splitting a document the Python way would put
a position sent by the editor on the wrong line, so every split goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A line with its ending, or the last line when it has none.
_LINE_WITH_ENDING = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """A text's lines without their endings, as LSP counts them (the last may be empty)."""
    return LINE_BREAK.split(text)


def lines_with_endings(text: str) -> tuple[str, ...]:
    """A text's lines each with its own ending, as LSP counts them (no empty last line)."""
    return tuple(_LINE_WITH_ENDING.findall(text))


def cursor_text(lines: Sequence[str], line: int, column: int, non_text: frozenset[int] | None,
                non_text_lines: Callable[[Sequence[str]], frozenset[int]]
                ) -> tuple[str, int] | None:
    """The cursor's line without its ending and the column clamped to it; None when the line
    is outside the document or one of its non-text lines (computed up to the cursor's line
    with `non_text_lines` unless the caller kept them)."""
    if not 0 <= line < len(lines):
        return None
    if non_text is None:
        non_text = non_text_lines(lines[:line + 1])
    if line in non_text:
        return None
    text = lines[line].rstrip("\r\n")
    return text, max(0, min(column, len(text)))
