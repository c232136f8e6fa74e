"""Typst citation syntax: where the cursor types a key, the keys a file cites, its bibliographies.

Typst cites with a reference `@key` (optionally `@key[supplement]`) in markup, or by calling
`cite` in code: `#cite(<key>)`, `#cite(<key>, form: "prose")`, `#cite(label("key"))`. None of
these count inside raw text (```` ``` ```` blocks and `` ` `` spans), comments (`//`, `/* */`),
math (`$…$`), URLs, or strings other than a `label("…")` given to `cite`.

`typst_scan` walks the text the way Typst's lexer does and reports what it saw; the functions
here read its report. Everything works on plain strings (lines, a 0-based line and a column
in Python characters), like `citels.cite_syntax`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from citels.cite_syntax.pandoc import CROSSREF_PREFIXES
from citels.cite_syntax.spans import CiteSpan, KeySpan
from citels.cite_syntax.typst_scan import (
    CITE_LABEL_TYPED,
    LABEL_CHAR,
    LABEL_NAME,
    REF,
    REF_TYPED,
    Scan,
    at_first_argument,
    scan,
)

TYPST = "typst"
LANGUAGE = TYPST
LANGUAGE_IDS = ("typst",)  # LSP language ids
FILE_SUFFIXES = ("typ",)


def _joined(lines: Sequence[str]) -> str:
    return "\n".join(line.rstrip("\r\n") for line in lines)


def citation_at(lines: Sequence[str], line: int, column: int,
                extra_commands: Iterable[str] = (),
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """The citation whose key the cursor is typing, or None where no citation can be.

    `command` is "@" for a reference, "#cite" inside `#cite(<…`, "#cite(label)" inside
    `#cite(label("…`; `keys` are the references next to this one, which Typst prints as one
    citation.
    """
    if not 0 <= line < len(lines) or (non_text is not None and line in non_text):
        return None
    text = lines[line].rstrip("\r\n")
    column = max(0, min(column, len(text)))
    first = _restart_line(lines, line, non_text or frozenset())
    before = _joined(lines[first:line]) + ("\n" if line > first else "") + text[:column]
    report = scan(before)
    if report.inside == "string":
        return _label_string_at(before, report, line, column)
    if report.inside:
        return None
    top = report.stack[-1]
    if top.is_code:
        if top.callee != "cite":
            return None
        argument = CITE_LABEL_TYPED.match(before, top.open + 1)
        if argument is None or top.last_comma >= 0:
            return None
        typed = argument[1]
        return CiteSpan(TYPST, "#cite", typed, line, column - len(typed), column)
    ref = REF_TYPED.search(text, 0, column)
    if ref is None or ref[1].startswith(CROSSREF_PREFIXES):
        return None
    typed = ref[1]
    return CiteSpan(TYPST, "@", typed, line, column - len(typed), column,
                    _neighbour_refs(text, ref.start(), column))


# Up to this many characters before the cursor are scanned whole; in a longer document the
# scan starts at the paragraph the cursor is in, so a keystroke's cost does not grow with it.
EXACT_PREFIX = 20_000


def _restart_line(lines: Sequence[str], line: int, non_text: frozenset[int]) -> int:
    """Where the scan for a cursor on `line` starts: the document's start, or (in a long
    document) the nearest paragraph starting at the margin after a blank line, which is
    markup unless a code block spans blank lines there."""
    if sum(len(text) for text in lines[:line]) <= EXACT_PREFIX:
        return 0
    for number in range(line, 0, -1):
        text = lines[number]
        if (not lines[number - 1].strip() and text[:1] not in ("", " ", "\t", ")", "]", "}")
                and number not in non_text and number - 1 not in non_text):
            return number
    return 0


def _label_string_at(before: str, report: Scan, line: int, column: int) -> CiteSpan | None:
    """Inside a string: only `label("…` as the first argument of `cite` takes a key."""
    top = report.stack[-1]
    parent = report.stack[-2] if len(report.stack) > 1 else None
    opening = before.rfind('"')
    if not (top.callee == "label" and top.first_arg and parent is not None
            and parent.callee == "cite" and at_first_argument(before, top, opening)):
        return None
    typed = before[opening + 1:]
    if "\n" in typed:
        return None
    return CiteSpan(TYPST, "#cite(label)", typed, line, column - len(typed), column)


def _neighbour_refs(text: str, at: int, column: int) -> tuple[str, ...]:
    """The references written right before and after this one, spaces only between them."""
    before = re.search(rf"(?:@{LABEL_CHAR}+\s+)+\Z", text[:at])
    after = re.match(rf"{LABEL_CHAR}*((?:\s+@{LABEL_CHAR}+)+)", text[column:])
    keys = REF.findall(before.group()) if before else []
    keys += REF.findall(after[1]) if after else []
    return tuple(key.rstrip(".:") for key in keys)


def key_insertion(span: CiteSpan, key: str) -> tuple[int, str]:
    """Where the edit for `key` starts and the text that replaces the span up to `span.end`.

    A key Typst cannot read after '@' or between '<' and '>' (a slash, a space, a trailing
    period) is written as `label("key")`, replacing the '@' or '<' as well.
    """
    plain = bool(LABEL_NAME.match(key)) and not key.endswith((".", ":"))
    quoted = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if span.command == "#cite(label)":
        return span.start, quoted[1:-1]
    if plain:
        return span.start, key
    if span.command == "#cite":
        return span.start - 1, f"label({quoted})"
    return span.start - 1, f"#cite(label({quoted}))"


def cited_keys(lines: Sequence[str], extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    """Every key a Typst file cites, in order; references to its own labels (a figure, a
    heading) are not citations."""
    report = scan(_joined(lines))
    labels = {found.text for found in report.found if found.kind == "label"}
    starts = _line_starts(lines)
    spans = []
    for found in report.found:
        if found.kind == "cite" or (found.kind == "ref" and found.text not in labels
                                    and not found.text.startswith(CROSSREF_PREFIXES)):
            number = _line_of(starts, found.start)
            spans.append(KeySpan(found.text, number, found.start - starts[number],
                                 found.end - starts[number]))
    return spans


def defined_labels(lines: Sequence[str]) -> set[str]:
    """The labels a Typst file puts on its own elements (`= Intro <intro>`)."""
    return {found.text for found in scan(_joined(lines)).found if found.kind == "label"}


def non_text_lines(lines: Sequence[str]) -> frozenset[int]:
    """Lines wholly inside raw text, a comment or math: no citation can be on them."""
    report = scan(_joined(lines))
    starts = _line_starts(lines)
    inside: set[int] = set()
    for start, end in report.opaque:
        first, last = _line_of(starts, start), _line_of(starts, max(start, end - 1))
        for number in range(first, last + 1):
            line_start = starts[number]
            line_end = line_start + len(lines[number].rstrip("\r\n"))
            if start <= line_start + _indent(lines[number]) and end >= line_end:
                inside.add(number)
    return frozenset(inside)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _line_starts(lines: Sequence[str]) -> list[int]:
    starts, offset = [], 0
    for text in lines:
        starts.append(offset)
        offset += len(text.rstrip("\r\n")) + 1
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    return max(0, bisect_right(starts, offset) - 1)


def declared_bibliographies(text: str) -> list[str]:
    """The bibliography files a Typst file names, as written: `#bibliography("refs.bib")`,
    `#bibliography(("a.bib", "b.yml"))`."""
    return [found.text for found in scan(text).found if found.bibliography]
