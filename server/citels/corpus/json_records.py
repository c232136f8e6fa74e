"""JSON records one at a time from JSON Lines or a JSON array, with the line each starts on.

Every JSON dump reader (arXiv, OpenAlex, Semantic Scholar, a mapped list) reads through
here, so each says the same thing about a broken line and none holds the file: JSON Lines
are parsed a line at a time, a JSON array an element at a time as its lines arrive.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from citels.corpus.streams import TextSource, text_lines
from citels.papers import Paper, Source

# A dump with a systematic fault would otherwise list millions of warnings: after this
# many, they are counted, not listed.
MAX_LISTED_WARNINGS = 100


class Warnings:
    """Warnings about one file, listed up to a limit and then only counted."""

    def __init__(self, label: str, warnings: list[str],
                 listed: int | None = MAX_LISTED_WARNINGS) -> None:
        """Warnings about `label` go to `warnings`, the first `listed` of them (None: all)."""
        self.label = label
        self.warnings = warnings
        self.listed = listed
        self.count = 0

    def add(self, line: int, message: str) -> None:
        """Say what is wrong at a line of the file (and that it was skipped)."""
        self.add_said(f"{self.label}:{line}: {message}")

    def add_said(self, warning: str) -> None:
        """Add a warning `add` worked out (for part of the file, elsewhere)."""
        self.count += 1
        if self.listed is None or self.count <= self.listed:
            self.warnings.append(warning)

    def close(self) -> None:
        """Add the count of warnings that were not listed, if any were not."""
        if self.listed is not None and self.count > self.listed:
            self.warnings.append(f"{self.label}: {self.count - self.listed} more "
                                 f"records skipped for the same kinds of faults "
                                 f"({self.count} in all)")


# A JSON object as a paper (None: not one), given where it was read.
Convert = Callable[[dict[str, Any], Source], Paper | None]


def papers_of_objects(source: TextSource, label: str, warnings: list[str], convert: Convert,
                      skipped: str, *, first_line: int = 1,
                      listed: int | None = MAX_LISTED_WARNINGS) -> Iterator[Paper]:
    """Yield the paper `convert` makes of each JSON object of a JSON Lines file or a JSON
    array, lazily; an object it makes none of is skipped with the warning `skipped`.

    `source` may be a run of a file's lines that starts at `first_line`, with all its
    warnings listed (`listed` None): a large dump is read so, a run of lines in a helper
    process at a time (chunked_reading.py), and the file's warnings are capped as a whole."""
    sink = Warnings(label, warnings, listed)
    try:
        for line, record in json_objects(source, sink, first_line):
            paper = convert(record, Source(label, line))
            if paper is None:
                sink.add(line, skipped)
            else:
                yield paper
    finally:
        sink.close()


def json_objects(source: TextSource, sink: Warnings, first_line: int = 1
                 ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line, object) for each JSON object of a JSON Lines file or a JSON array.

    `source` from a `first_line` after the first is a run of a JSON Lines file's lines (its
    first line told it is no array). A line that is not JSON, or a value that is not an
    object, is skipped with a warning naming file and line; the rest is read.
    """
    lines = enumerate(text_lines(source), start=first_line)
    for number, line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("[") and first_line == 1:
            yield from _array_objects(number, line, lines, sink)
        else:
            yield from _line_objects(number, stripped, lines, sink)
        return


def _line_objects(first_number: int, first_line: str, lines: Iterator[tuple[int, str]],
                  sink: Warnings) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in _chain_first((first_number, first_line), lines):
        if not line or line.isspace():
            continue
        try:
            value = json.loads(line.rstrip())  # a trailing newline would move the error column
        except json.JSONDecodeError as error:
            sink.add(number, f"not valid JSON ({error.msg} at column {error.colno}); skipped")
            continue
        if isinstance(value, dict):
            yield number, value
        else:
            sink.add(number, f"a JSON {type(value).__name__}, not an object; skipped")


def _chain_first(first: tuple[int, str], rest: Iterator[tuple[int, str]]
                 ) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def _array_objects(first_number: int, first_line: str, lines: Iterator[tuple[int, str]],
                   sink: Warnings) -> Iterator[tuple[int, dict[str, Any]]]:
    """The elements of a JSON array, decoded as soon as each one's text has arrived."""
    decoder = json.JSONDecoder()
    buffer = first_line[first_line.index("[") + 1:]
    line_of_buffer = first_number  # the line buffer[0] is on
    position = 0
    while True:
        position = _skip_separators(buffer, position)
        error: json.JSONDecodeError | None = None
        if position < len(buffer):
            if buffer[position] == "]":
                return
            try:
                value, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as caught:
                error = caught
            else:
                line = line_of_buffer + buffer.count("\n", 0, position)
                if isinstance(value, dict):
                    yield line, value
                else:
                    sink.add(line, f"a JSON {type(value).__name__}, not an object; skipped")
                position = end
                continue
        # Either the buffer is used up or its last element may only lack the lines to come.
        more = None if error and _complete_lines_after(buffer, error.pos) else next(lines, None)
        if more is None:
            if error:
                # Inside an array there is no next line to start again from.
                sink.add(line_of_buffer + buffer.count("\n", 0, error.pos),
                         f"not valid JSON ({error.msg}); the rest of the array skipped")
            else:
                sink.add(line_of_buffer + buffer.rstrip().count("\n"),
                         "the JSON array is not closed with ]; what came before it was read")
            return
        line_of_buffer += buffer.count("\n", 0, position)
        buffer = buffer[position:] + more[1]
        position = 0


def _skip_separators(buffer: str, position: int) -> int:
    while position < len(buffer) and (buffer[position].isspace() or buffer[position] == ","):
        position += 1
    return position


def _complete_lines_after(buffer: str, position: int) -> bool:
    """Whether whole lines follow an error: then it is a real one, not text still to come."""
    return "\n" in buffer[position:].rstrip("\n")
