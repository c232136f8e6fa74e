"""Pandoc citations (`@key`, `[see @key, p. 3; -@other]`) in Markdown, Quarto and R Markdown.

One scanner (`text_lines`) reads a document line by line, skipping YAML front matter and
fenced code blocks; the lines it skips are the document's non-text lines, and the `@key`s on
the others (outside inline code) are its cited keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import islice

from citels.cite_syntax.lines import cursor_text
from citels.cite_syntax.spans import CiteSpan, KeySpan

LANGUAGE = "markdown"
LANGUAGE_IDS = ("markdown", "quarto", "rmd", "rmarkdown", "pandoc")
FILE_SUFFIXES = ("md", "markdown", "qmd", "rmd")

# Pandoc citation keys: start with a letter, digit or _, and may hold internal punctuation.
_KEY_CHARS = r"[\w:.#$%&+?<>~/-]"
# What may stand just before a Pandoc '@': not a letter or digit (that is an e-mail address).
_AT_ALLOWED_AFTER = re.compile(r"(?:^|[\s\[;(])-?$")
_FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"`[^`]*`")
_CITED_KEY = re.compile(rf"@\{{?(?P<key>\w{_KEY_CHARS}*)")
# Cross-references are not citations: pandoc-crossref's @fig:x, Quarto's @fig-x.
CROSSREF_PREFIXES = tuple(
    kind + mark
    for kind in ("fig", "sec", "tbl", "eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def",
                 "exm", "exr", "apx")
    for mark in (":", "-"))


def text_lines(lines: Sequence[str]) -> list[str | None]:
    """Each line as given; None for YAML front matter and fenced code (fences included)."""
    front_matter_end = min(_front_matter_end(lines), len(lines) - 1)
    texts: list[str | None] = [None] * (front_matter_end + 1)
    fence = None
    for raw in islice(lines, front_matter_end + 1, None):
        if match := _FENCE.match(raw):
            marker = match["fence"]
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            texts.append(None)
        else:
            texts.append(None if fence is not None else raw)
    return texts


def non_text_lines(lines: Sequence[str]) -> frozenset[int]:
    """Fenced code blocks (with their fences) and the YAML front matter."""
    return frozenset(number for number, text in enumerate(text_lines(lines)) if text is None)


def cited_keys(lines: Sequence[str], extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    """Every `@key` citation in a Markdown document, outside code and front matter.

    `extra_commands` is accepted for a common signature; Pandoc has no citation commands.
    """
    found: list[KeySpan] = []
    for number, text in enumerate(text_lines(lines)):
        if text is None or "@" not in text:
            continue
        code_free = _INLINE_CODE.sub(lambda m: " " * len(m.group()), text.rstrip("\r\n"))
        for match in _CITED_KEY.finditer(code_free):
            key = match["key"].rstrip(".:?")  # sentence punctuation after an in-text key
            if not _AT_ALLOWED_AFTER.search(code_free[:match.start()]):
                continue
            if key.startswith(CROSSREF_PREFIXES):
                continue
            found.append(KeySpan(key, number, match.start("key"), match.start("key") + len(key)))
    return found


def citation_at(lines: Sequence[str], line: int, column: int,
                extra_commands: Iterable[str] = (),
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """The Pandoc citation whose key the cursor is typing, or None (see `CitationSyntax`)."""
    cursor = cursor_text(lines, line, column, non_text, non_text_lines)
    if cursor is None:
        return None
    text, column = cursor
    if text[:column].count("`") % 2 == 1:
        return None  # an odd number of backticks before the cursor: in a code span
    bracket = _open_bracket_before(text[:column])
    if bracket is not None:
        span = _in_bracket_citation(text, line, column, bracket)
        if span is not None:
            return span
    return _in_text_citation(text, line, column)


def _front_matter_end(lines: Sequence[str]) -> int:
    if not lines or lines[0].rstrip() != "---":
        return -1
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return number
    return len(lines)


def _open_bracket_before(before: str) -> int | None:
    depth = 0
    for index in range(len(before) - 1, -1, -1):
        if before[index] == "]":
            depth += 1
        elif before[index] == "[":
            if depth == 0:
                return index
            depth -= 1
    return None


def _in_bracket_citation(text: str, line: int, column: int, bracket: int) -> CiteSpan | None:
    """`[see @a, pp. 33-35; @b]`: the cursor types a key (spaces allowed) after an '@'."""
    inside = text[bracket + 1:column]
    segment_offset = bracket + 1 + inside.rfind(";") + 1
    segment = text[segment_offset:column]
    after = text[column:]
    close = after.find("]")
    after = after[:close] if close >= 0 else after
    # Keys of the other citations in the brackets: before this segment, and after the next ';'.
    others = text[bracket + 1:segment_offset] + after[after.find(";"):] if ";" in after else (
        text[bracket + 1:segment_offset])
    keys = tuple(re.findall(rf"@\{{?({_KEY_CHARS}+)", others))
    at = segment.rfind("@")
    if at < 0:
        # After a ';' with nothing typed yet: offer keys, inserting "@key".
        if segment_offset > bracket + 1 and not segment.strip() and "@" in inside:
            return CiteSpan(LANGUAGE, "@", "", line, column, column, keys, needs_at=True)
        return None
    if not _AT_ALLOWED_AFTER.search(segment[:at]):
        return None
    start = segment_offset + at + 1
    if text[start:start + 1] == "{":
        start += 1
    typed = text[start:column]
    if "," in typed or "}" in typed or typed.startswith(CROSSREF_PREFIXES):
        return None  # past the key: a locator such as ", pp. 33-35"
    return CiteSpan(LANGUAGE, "@", typed, line, start, column, keys)


def _in_text_citation(text: str, line: int, column: int) -> CiteSpan | None:
    """`@key` in running text (or `@{key with spaces}`): the key ends at a space."""
    before = text[:column]
    braced = re.search(r"@\{([^{}]*)$", before)
    if braced:
        at = braced.start()
        typed, start = braced[1], braced.start(1)
    else:
        plain = re.search(rf"@({_KEY_CHARS}*)$", before)
        if not plain:
            return None
        at = plain.start()
        typed, start = plain[1], plain.start(1)
    if not _AT_ALLOWED_AFTER.search(before[:at]) or typed.startswith(CROSSREF_PREFIXES):
        return None
    return CiteSpan(LANGUAGE, "@", typed, line, start, column)
