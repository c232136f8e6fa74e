"""What a library file's reader forgave or skipped (an entry without a key, a repeated field,
an unknown crossref parent…), as records with a line, for the editor's diagnostics.

The readers (`citels.corpus`) say it in text, "refs.bib:12: message", which the CLI prints and
the index keeps per file; here that text becomes (line, message) again, and the server keeps
what the last index run found per file, so a file nobody opened still shows its problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# "name:12: message", or "name: message" for a problem of the whole file.
_LINE_AND_MESSAGE = re.compile(r"(\d+):\s*(.*)", re.DOTALL)
# Library files a reader reads as a whole (those the diagnostics speak for).
LIBRARY_SUFFIXES = (".bib", ".biblatex", ".json", ".yml", ".yaml")


@dataclass(frozen=True)
class ReaderWarning:
    """One problem a reader reported in a file: its 1-based line (1 when the reader named
    none: the problem is the whole file's) and what the writer reads."""

    line: int
    message: str


def reader_warnings(path: Path, messages: Iterable[str]) -> list[ReaderWarning]:
    """The warnings about the file at `path` among a reader's messages (which name the file
    by its name or its path), each once, in order of line."""
    found: dict[ReaderWarning, None] = {}
    for text in messages:
        rest = _about(path, text)
        if rest is None:
            continue
        match = _LINE_AND_MESSAGE.fullmatch(rest.strip())
        warning = (ReaderWarning(max(1, int(match.group(1))), match.group(2).strip()) if match
                   else ReaderWarning(1, rest.strip()))
        found[warning] = None
    return sorted(found, key=lambda w: w.line)


def _about(path: Path, text: str) -> str | None:
    """The text after the file's name (or path) and its colon; None if about another file."""
    for label in (str(path), path.name):
        if text.startswith(label + ":"):
            return text[len(label) + 1:]
    return None


@dataclass(frozen=True)
class IndexedFile:
    """A library file as the last index run read it: its content hash and its warnings."""

    sha256: str
    warnings: tuple[ReaderWarning, ...]


@dataclass
class LibraryWarnings:
    """What the server knows of its library files' reader warnings (one per server)."""

    indexed: dict[Path, IndexedFile] = field(default_factory=dict)  # by the index's file path
    shown: set[Path] = field(default_factory=set)  # files given diagnostics while not open
    # An open document's own reading (its text differs from what was indexed), by URI:
    # (version, text, warnings), read again only when the version or the text changes.
    read: dict[str, tuple[int | None, str, tuple[ReaderWarning, ...]]] = field(
        default_factory=dict)
