"""The keys a .bib file defines: each entry's key, and the line where an entry ends.

A .bib file cites nothing and has no cursor syntax to complete; its "cited keys" are the keys
its entries define, so references, rename and hover treat it like any other document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from citels.cite_syntax.spans import CiteSpan, KeySpan

LANGUAGE = "bibtex"
LANGUAGE_IDS = ("bibtex", "bib", "biblatex")
FILE_SUFFIXES = ("bib", "biblatex")

_ENTRY_KEY = re.compile(r"@(?P<type>[A-Za-z_][\w.:+-]*)\s*[{(]\s*(?P<key>[^\s,{}()]+)\s*,")
_NOT_ENTRIES = ("comment", "string", "preamble")


def cited_keys(lines: Sequence[str], extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    """The key of every entry in a .bib file (found even in entries a parser would reject)."""
    found = []
    for number, raw in enumerate(lines):
        for match in _ENTRY_KEY.finditer(raw):
            if match["type"].lower() in _NOT_ENTRIES:
                continue
            found.append(KeySpan(match["key"], number, match.start("key"), match.end("key")))
    return found


def non_text_lines(lines: Sequence[str]) -> frozenset[int]:
    """None: every line of a .bib file may hold an entry."""
    return frozenset()


def citation_at(lines: Sequence[str], line: int, column: int,
                extra_commands: Iterable[str] = (),
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """Always None: nothing in a .bib file is completed as a citation."""
    return None


def entry_end_line(lines: Sequence[str], start_line: int) -> int:
    """The line of the brace (or parenthesis) that closes the entry starting on `start_line`;
    the last line of the file when it never closes."""
    depth = 0
    opened = False
    for number in range(start_line, len(lines)):
        text = lines[number] if number > start_line else lines[number][lines[number].find("@"):]
        for char in text:
            if char in "{(":
                depth += 1
                opened = True
            elif char in "})":
                depth -= 1
                if opened and depth == 0:
                    return number
    return len(lines) - 1
