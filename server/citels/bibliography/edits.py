"""Edits to bibliography files and the documents citing them, as plain records: a key
renamed, an entry removed, text appended at the end. The protocol layer turns them into
workspace edits the editor applies."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from citels.cite_syntax import KeySpan, entry_end_line
from citels.keys import is_valid_key


@dataclass(frozen=True)
class TextChange:
    """Replace the text from (`line`, `start`) to (`end_line`, `end`) by `new_text`.

    Columns count Python characters; the protocol layer converts them.
    """

    line: int
    start: int
    end_line: int
    end: int
    new_text: str


def replace_key(span: KeySpan, new_key: str) -> TextChange:
    """The key at `span` (cited, or an entry's own) replaced by `new_key`."""
    return TextChange(span.line, span.start, span.line, span.end, new_key)


def remove_entry(lines: Sequence[str], entry: KeySpan,
                 end_line: Callable[[Sequence[str], int], int] = entry_end_line) -> TextChange:
    """The entry starting at `entry`'s line removed, with the blank line after it;
    `end_line` finds the entry's last line in the file's format (BibTeX unless given)."""
    end = end_line(lines, entry.line) + 1
    if end < len(lines) and not lines[end].strip():
        end += 1  # and the blank line that separated it from the next
    last_real = len(lines) - 2 if len(lines) > 1 and lines[-1] == "" else len(lines) - 1
    if end > last_real:
        # The last entry: never address the line after the final newline (Vim's clients
        # reject it); take the break and blank lines before the entry instead.
        before = entry.line - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        if before < 0:
            return TextChange(0, 0, last_real, len(lines[last_real]), "")
        return TextChange(before, len(lines[before]), last_real, len(lines[last_real]), "")
    return TextChange(entry.line, 0, end, 0, "")


def append_at_end(existing: str, text: str) -> TextChange:
    """`text` added after the last character of `existing`."""
    lines = re.split(r"\r\n|\r|\n", existing)
    last = len(lines) - 1
    return TextChange(last, len(lines[last]), last, len(lines[last]), text)


def rename_refusal(old_key: str, new_key: str, is_taken: Callable[[str], bool]) -> str | None:
    """Why `old_key` cannot become `new_key`, or None when it can."""
    if not is_valid_key(new_key):
        return f"{new_key!r} is not a valid citation key"
    if new_key.lower() != old_key.lower() and is_taken(new_key):
        return f"the key {new_key} is taken already"
    return None
