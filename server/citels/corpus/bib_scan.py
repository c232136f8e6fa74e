"""A .bib text as pieces (entries, @string definitions, failures), in file order.

bibtexparser 2 reads every piece correctly, but its splitter walks the text mark by mark in
Python: a quarter of a cold read of a 30,000-entry file (issue 17 asks for 5 s). So a
well-formed entry (`@type{key, name = value, ...}` with braced, quoted, bare and `#`-joined
values) is read here by regular expressions, and everything else (comments, @preamble,
parentheses, broken entries, what this scan is not sure of) is left to bibtexparser, which
reads those runs of the text exactly as it would read them in the whole file: it starts a
new block at every `@type{` at a line's start, which is where the runs are cut. Where both
could read a piece, they give the same (tests/test_bib_scan.py checks it on real-world
fixtures and on broken variants of them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any, NamedTuple


class Entry(NamedTuple):
    """An entry as written: its fields' first values (names lower-cased, values raw), and
    (field, line) of each field written again."""

    line: int
    key: str
    entry_type: str  # lower-cased
    fields: dict[str, str]
    repeats: list[tuple[str, int]]


class String(NamedTuple):
    """An @string definition, its value raw."""

    line: int
    key: str
    value: str


class Failure(NamedTuple):
    """A piece no reader could use: what it is, for a warning."""

    line: int
    message: str


Piece = Entry | String | Failure
# The most text given to bibtexparser at once: its blocks of a whole 10 MB file took ten
# times the file's size in memory.
CHUNK_CHARACTERS = 1 << 20


# --- the scan of well-formed entries -----------------------------------------------------

def _braced(depth: int) -> str:
    # bibtexparser counts a brace unless a backslash is just before it (`\{` is text).
    inner = r"(?:[^{}\\]++|\\[{}]?)*+"
    for _ in range(depth):
        inner = r"(?:[^{}\\]++|\\[{}]?|\{" + inner + r"\})*+"
    return r"\{" + inner + r"\}"


# A value's parts: braced (nested up to 6 deep), quoted without braces or backslashes (inside
# quotes bibtexparser's rules differ: those are left to it), or a bare word, joined by `#`.
_PART = "(?:" + _braced(5) + r'|"[^"{}\\]*+"|[^\s,{}()"#=%\\@]++)'
_VALUE = _PART + r"(?:\s*+#\s*+" + _PART + r")*+"
_NAME = r"[^\s,{}()\"#=%\\@]++"
_HEAD = re.compile(r"@(\w+)[ \t]*\{\s*+([^\s,{}()\"=#%\\]*+)\s*+,")
_FIELD = re.compile(r"\s*+(" + _NAME + r")\s*+=\s*+(" + _VALUE + r")\s*+([,}])")
_CLOSE = re.compile(r"\s*+\}")
_STRING = re.compile(r"@(\w+)[ \t]*\{\s*+(" + _NAME + r")\s*+=\s*+(" + _VALUE + r")\s*+\}")
# An `@type{` at a line's start (after blanks) inside an entry: bibtexparser ends it there.
_INNER_BLOCK_START = re.compile(r"\n[ \t]*@\w*[ \t]*[{(]")
# Types bibtexparser reads as other blocks (it compares the start of the type).
_NOT_ENTRIES = ("comment", "preamble", "string")


def pieces(text: str, first_line: int = 1, chunk: int = CHUNK_CHARACTERS) -> Iterator[Piece]:
    """The pieces of a .bib text (lines counted from `first_line`), in order; bibtexparser
    is given at most about `chunk` characters at a time."""
    hard_start = None  # where the run of text left to bibtexparser starts
    hard_line = line = first_line
    position = 0
    starts = [0] if text.startswith("@") else []
    starts += [match.start() + 1 for match in re.finditer("\n@", text)]
    # Text before the first entry is a comment unless it holds an `@`.
    if not starts or starts[0] > 0:
        end = starts[0] if starts else len(text)
        if text.find("@", 0, end) >= 0:
            hard_start = 0
    for index, start in enumerate(starts):
        line += text.count("\n", position, start)
        position = start
        stop = starts[index + 1] if index + 1 < len(starts) else len(text)
        piece = _scanned(text, start, stop, line)
        if piece is None:
            if hard_start is None:
                hard_start, hard_line = start, line
            continue
        if hard_start is not None:
            yield from pieces_by_bibtexparser(text[hard_start:start], hard_line, chunk)
            hard_start = None
        yield piece
    if hard_start is not None:
        yield from pieces_by_bibtexparser(text[hard_start:], hard_line, chunk)


def _scanned(text: str, start: int, stop: int, line: int) -> Entry | String | None:
    """The entry or @string from `start` if it is well-formed and nothing but comment text
    without an `@` follows it before `stop`; else None (bibtexparser reads it)."""
    head = _HEAD.match(text, start, stop)
    if head is None:
        return _scanned_string(text, start, stop, line)
    entry_type = head.group(1).lower()
    if entry_type.startswith(_NOT_ENTRIES):
        return None
    fields: dict[str, str] = {}
    repeats: list[tuple[str, int]] = []
    position = head.end()
    field_match = _FIELD.match
    while True:
        field = field_match(text, position, stop)
        if field is None:
            close = _CLOSE.match(text, position, stop)
            if close is None:
                return None
            end = close.end()
            break
        name = field.group(1).lower()
        if name in fields:
            repeats.append((name, -1))  # its line once the entry's text is known
        else:
            fields[name] = field.group(2)
        position = field.end()
        if field.group(3) == "}":
            end = position
            break
    if text.find("@", end, stop) >= 0 or (
            text.find("@", start + 1, end) >= 0
            and _INNER_BLOCK_START.search(text, start, end)):
        return None
    if repeats:
        raw = text[start:end]
        at = {name: line + line_of_repeat(raw, name) for name in {name for name, _ in repeats}}
        repeats = [(name, at[name]) for name, _ in repeats]
    return Entry(line, head.group(2), entry_type, fields, repeats)


def _scanned_string(text: str, start: int, stop: int, line: int) -> String | None:
    string = _STRING.match(text, start, stop)
    if string is None or string.group(1).lower() != "string":
        return None
    end = string.end()
    if text.find("@", end, stop) >= 0 or (
            text.find("@", start + 1, end) >= 0
            and _INNER_BLOCK_START.search(text, start, end)):
        return None
    return String(line, string.group(2), string.group(3))


def line_of_repeat(raw: str, name: str) -> int:
    """Lines from the entry's start to the second `name =` in it."""
    matches = islice(re.finditer(rf"(?:^|[\s,{{(]){re.escape(name)}\s*=", raw, re.IGNORECASE),
                     2)
    second = list(matches)[1:]
    return raw.count("\n", 0, second[0].start() + 1) if second else 0


# --- bibtexparser, for the rest --------------------------------------------------------------

_AT_LINE_START = re.compile(r"\n(?=@)")


def pieces_by_bibtexparser(text: str, first_line: int = 1, chunk: int = CHUNK_CHARACTERS
                           ) -> Iterator[Piece]:
    """The pieces of a .bib text as bibtexparser reads them (lines from `first_line`),
    given to it about `chunk` characters at a time."""
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # we report failures ourselves
    import bibtexparser  # here: it takes a tenth of a second, which server start-up need not pay

    for chunk_line, piece in chunks(text, chunk):
        lines = _Lines(piece, first_line + chunk_line)
        for block in bibtexparser.parse_string(piece, parse_stack=[]).blocks:
            kind = type(block).__name__
            if kind == "DuplicateBlockKeyBlock":  # told again by parse_bibtex, as for ours
                block = block.ignore_error_block
                kind = type(block).__name__
            line = lines.of(block)
            if kind == "Entry":
                yield _entry_of(block, line)
            elif kind == "DuplicateFieldKeyBlock":
                yield _entry_of(block.ignore_error_block, line, block.raw)
            elif kind == "String":
                yield String(line, block.key, str(block.value))
            elif kind == "ParsingFailedBlock":
                yield Failure(line, _failure(block))


class _Lines:
    """The line of each of bibtexparser's blocks, found by its text: bibtexparser does not
    count a line break just after a backslash, so its own line numbers drift."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text, self.line, self.position = text, first_line, 0
        self.searched = 0  # where the next block's text is looked for: after the last one's

    def of(self, block: Any) -> int:
        """The line the block starts on (blocks are asked for in order)."""
        raw = getattr(block, "raw", None) or ""
        at = self.text.find(raw, self.searched) if raw else -1
        if at < 0:  # not expected: bibtexparser's own count, from the chunk's start
            return self.line - self.text.count("\n", 0, self.position) + block.start_line
        self.line += self.text.count("\n", self.position, at)
        # Not past its end: a failed block's text may run into the next block's.
        self.position, self.searched = at, at + 1
        return self.line


def chunks(text: str, size: int = CHUNK_CHARACTERS) -> Iterator[tuple[int, str]]:
    """The text in pieces of whole entries (cut before an `@` that starts a line where the
    braces so far balance, as bibtex counts them), each with the number of its first line
    (from 0)."""
    start = line = 0
    depth = 0
    position = 0
    for match in _AT_LINE_START.finditer(text):
        cut = match.end()
        depth += text.count("{", position, cut) - text.count("}", position, cut)
        position = cut
        if cut - start >= size and depth == 0:
            yield line, text[start:cut]
            line += text.count("\n", start, cut)
            start = cut
    yield line, text[start:]


def _entry_of(block: Any, line: int, raw: str | None = None) -> Entry:
    """A bibtexparser entry's fields, the first value of each kept, as bibtex does."""
    values: dict[str, str] = {}
    repeats: list[tuple[str, int]] = []
    at: dict[str, int] = {}  # each name's repeat is looked for once: a field written
    for field in block.fields:  # thousands of times costs no more
        name = field.key.lower()
        if name in values:
            if name not in at:
                at[name] = line + line_of_repeat(raw or block.raw, name)
            repeats.append((name, at[name]))
            continue
        values[name] = str(field.value)
    return Entry(line, block.key, block.entry_type.lower(), values, repeats)


def _failure(block: object) -> str:
    if getattr(block, "raw", "").lstrip()[:8].lower() == "@comment":
        return "an unclosed @comment (read on from the next entry)"
    return "an entry with a syntax error (unbalanced braces or quotes, or a missing comma)"
