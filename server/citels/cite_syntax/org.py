"""Org-mode citation syntax (org-cite): where the cursor types a key, the keys a file cites,
and the bibliographies it declares.

An org-cite citation is `[cite:@key]`, with an optional style (`[cite/t/f:@a]`), a global
prefix and suffix, and several references separated by ';', each with its own prefix and
suffix: `[cite/style:see @a p. 3; @b and others]`. Citations are not Org syntax inside
verbatim blocks (`#+begin_src`, `#+begin_example`, `#+begin_export`, `#+begin_comment`),
fixed-width lines (`: code`), comments (`# note`), keyword lines (`#+bibliography: …`) or
property drawers.

Everything works on plain strings (lines, a 0-based line and a column in Python characters),
like `citels.cite_syntax`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from citels.cite_syntax.lines import cursor_text
from citels.cite_syntax.spans import CiteSpan, KeySpan

ORG = "org"
LANGUAGE = ORG
LANGUAGE_IDS = ("org",)  # LSP language ids
FILE_SUFFIXES = ("org",)

# org-cite's key characters (org-element-citation-key-re): word characters and this
# punctuation; never space, ';', '[' or ']'.
_KEY_CHARS = r"[\w\-.:?!`'/*@+|(){}<>&^$#%~]"
_CITATION_OPEN = re.compile(
    r"""
    \[cite                # the citation's opening
    (?:/[\w/-]+)?         # an optional style and variant: /t, /t/f, /locators/bare
    :                     # then the references
    """,
    re.VERBOSE | re.IGNORECASE,
)
_REFERENCE = re.compile(rf"(?<![\w@])@(?P<key>{_KEY_CHARS}+)")
_KEY_START = re.compile(r"(?<![\w@])@")
# Blocks whose contents Org does not parse as text.
_VERBATIM_BEGIN = re.compile(r"^\s*#\+begin_(?P<kind>src|example|export|comment)\b",
                             re.IGNORECASE)
_FIXED_WIDTH = re.compile(r"^\s*:(?:\s|$)")
_COMMENT = re.compile(r"^\s*#(?:\s|$)")
# Keyword lines (#+title:, #+bibliography:); a caption's value is text, every other is not.
_KEYWORD = re.compile(r"^\s*#\+(?!caption:)(?!title:)", re.IGNORECASE)
_DRAWER_START = re.compile(r"^\s*:PROPERTIES:\s*$", re.IGNORECASE)
_DRAWER_END = re.compile(r"^\s*:END:\s*$", re.IGNORECASE)
_BIBLIOGRAPHY = re.compile(r"\s*#\+bibliography:[ \t]*(?P<value>.*?)\s*$", re.IGNORECASE)
# Inline verbatim =…= and code ~…~, with Org's rules for what may stand around the markers.
_INLINE_VERBATIM = re.compile(
    r"(?<![^\s\-(\"'{])([=~])(?=\S)(.+?)(?<=\S)\1(?=[\s\-.,;:!?')\"}\[\]\\]|$)")


def _block_lines(lines: Sequence[str]) -> set[int]:
    """Lines of verbatim blocks (with their begin and end lines) and property drawers."""
    inside: set[int] = set()
    block_end: re.Pattern[str] | None = None
    in_drawer = False
    for number, raw in enumerate(lines):
        text = raw.rstrip("\r\n")
        if block_end is not None:
            inside.add(number)
            if block_end.match(text):
                block_end = None
        elif in_drawer:
            inside.add(number)
            in_drawer = not _DRAWER_END.match(text)
        elif match := _VERBATIM_BEGIN.match(text):
            block_end = re.compile(rf"^\s*#\+end_{match['kind']}\b", re.IGNORECASE)
            inside.add(number)
        elif _DRAWER_START.match(text):
            in_drawer = True
            inside.add(number)
    return inside


def non_text_lines(lines: Sequence[str]) -> frozenset[int]:
    """Lines where no citation can be: verbatim blocks, property drawers, fixed-width lines,
    comments and keyword lines."""
    inside = _block_lines(lines)
    for number, raw in enumerate(lines):
        if number not in inside and (_FIXED_WIDTH.match(raw) or _COMMENT.match(raw)
                                     or _KEYWORD.match(raw)):
            inside.add(number)
    return frozenset(inside)


def _open_citation_before(text: str, column: int) -> re.Match[str] | None:
    """The `[cite…:` the cursor is in: the last one before it that no ']' has closed."""
    found = None
    for match in _CITATION_OPEN.finditer(text, 0, column):
        if "]" not in text[match.end():column]:
            found = match
    return found


def citation_at(lines: Sequence[str], line: int, column: int,
                extra_commands: Iterable[str] = (),
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """The citation whose key the cursor is typing, or None where no citation can be.

    Right after `[cite:` or a ';', with no '@' yet, the span is empty and `needs_at` says the
    key is inserted as "@key".
    """
    cursor = cursor_text(lines, line, column, non_text, non_text_lines)
    if cursor is None:
        return None
    text, column = cursor
    opening = _open_citation_before(text, column)
    if opening is None or _in_verbatim_markup(text, opening.start()):
        return None
    body_start = opening.end()
    close = text.find("]", column)
    body_end = close if close >= 0 else len(text)
    segment_start = text.rfind(";", body_start, column) + 1 or body_start
    segment = text[segment_start:column]
    others = text[body_start:segment_start] + text[column:body_end]
    keys = tuple(match["key"] for match in _REFERENCE.finditer(others))
    at = _KEY_START.search(segment)
    if at is None:
        if segment.strip():
            return None  # a prefix being written, or an e-mail address: not a key
        return CiteSpan(ORG, opening.group(), "", line, column, column, keys, needs_at=True)
    # The rest of the segment is the search, spaces and all (the key's suffix would follow a
    # space too; a search is what the writer more likely types here).
    start = segment_start + at.end()
    return CiteSpan(ORG, opening.group(), text[start:column], line, start, column, keys)


def _in_verbatim_markup(text: str, column: int) -> bool:
    """Whether a column is inside inline verbatim or code (=…= or ~…~) on its line."""
    for match in _INLINE_VERBATIM.finditer(text):
        if match.start() < column < match.end():
            return True
    return False


def cited_keys(lines: Sequence[str], extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    """Every key cited by an org-cite citation, in order, outside verbatim text."""
    non_text = non_text_lines(lines)
    found = []
    for number, raw in enumerate(lines):
        if number in non_text:
            continue
        text = raw.rstrip("\r\n")
        for opening in _CITATION_OPEN.finditer(text):
            if _in_verbatim_markup(text, opening.start()):
                continue
            close = text.find("]", opening.end())
            body_end = close if close >= 0 else len(text)
            for match in _REFERENCE.finditer(text, opening.end(), body_end):
                found.append(KeySpan(match["key"], number, match.start("key"), match.end("key")))
    return found


def declared_bibliographies(text: str) -> list[str]:
    """The files a document's `#+bibliography:` lines name, in order (one a line, quotes
    removed), outside verbatim blocks. `#+cite_export:` names a processor and a style, not a
    bibliography, so it adds none."""
    lines = text.splitlines()
    blocks = _block_lines(lines)
    names = []
    for number, line in enumerate(lines):
        match = _BIBLIOGRAPHY.match(line)
        if match is None or number in blocks:
            continue
        value = match["value"]
        if len(value) > 1 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if value and value not in names:
            names.append(value)
    return names
