"""The two answers every citation syntax gives: the citation at the cursor, and a key's place.

Each syntax module (`latex`, `pandoc`, `bibtex`, and any added later) returns these and has
the shape `CitationSyntax` describes, so the protocol layer handles every syntax alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class CiteSpan:
    """A citation the cursor is in, and the text typed at the cursor."""

    language: str
    command: str  # "\\citep", or "@" for Pandoc
    typed: str  # what the writer typed for this key so far (a search, not a key prefix)
    line: int
    start: int  # column where the typed text starts: the completion replaces start..end
    end: int
    keys: tuple[str, ...] = field(default=())  # other keys already in the same citation
    needs_at: bool = False  # Pandoc after ';' with no '@' yet: insert "@key"


@dataclass(frozen=True)
class KeySpan:
    """A citation key written in a document, and where."""

    key: str
    line: int
    start: int
    end: int


class CitationSyntax(Protocol):
    """What a syntax module offers (`citels.cite_syntax.latex` is one): its language, the names
    editors give it, and three functions built on one scanner of its own."""

    LANGUAGE: str  # the name citels uses, e.g. "latex"
    LANGUAGE_IDS: tuple[str, ...]  # LSP language ids that mean this syntax
    FILE_SUFFIXES: tuple[str, ...]  # file endings, lower case without the dot

    def citation_at(self, lines: Sequence[str], line: int, column: int,
                    extra_commands: Iterable[str] = (),
                    non_text: frozenset[int] | None = None) -> CiteSpan | None:
        """The citation whose key the cursor is typing, or None where no citation can be.

        `non_text` is `non_text_lines(lines)`, passed in by callers that keep it per document
        version so a keystroke does not rescan a long document.
        """

    def cited_keys(self, lines: Sequence[str],
                   extra_commands: Iterable[str] = ()) -> list[KeySpan]:
        """Every key the document cites (for a bibliography: defines), in order."""

    def non_text_lines(self, lines: Sequence[str]) -> frozenset[int]:
        """The lines where no citation can be (code, verbatim, front matter)."""
