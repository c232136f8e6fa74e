"""What is wrong with a document's keys, as plain records: cited keys no bibliography
defines, keys a .bib file defines twice, and entries no document cites.

Diagnostics, quick fixes and the tidy commands all read these records; none of them works
the facts out again from what another one produced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from citels.cite_syntax import KeySpan
from citels.papers import Paper

# A .bib of thousands of entries is a library, not one paper's bibliography: hints that
# most of it is unused would only be noise.
MAX_ENTRIES_FOR_UNUSED_HINTS = 1000
CITES_EVERYTHING = "*"  # \nocite{*}


@dataclass(frozen=True)
class MissingKey:
    """A cited key that no bibliography of the document defines."""

    span: KeySpan
    in_corpus: bool  # the corpus has a paper under this key, so its entry can be added
    corpus_title: str | None = None

    def message(self, bibliographies: Sequence[str]) -> str:
        """What the writer reads, naming the bibliographies that were searched."""
        names = ", ".join(bibliographies) or "no bibliography"
        if self.in_corpus:
            return (f"{self.span.key} is not in {names}; the corpus has it: "
                    f"“{self.corpus_title or 'untitled'}”")
        return f"{self.span.key} is in no bibliography of this document ({names})"


@dataclass(frozen=True)
class DuplicateKey:
    """A second (or later) entry of a .bib file under a key it defined already."""

    span: KeySpan
    count: int  # how many entries have the key

    def message(self) -> str:
        """What the writer reads."""
        return f"{self.span.key} is defined {self.count} times in this file"


@dataclass(frozen=True)
class UnusedEntry:
    """A .bib entry that no document of the project cites."""

    span: KeySpan

    def message(self) -> str:
        """What the writer reads."""
        return f"{self.span.key} is cited by no document of the workspace"


def missing_keys(cited: Sequence[KeySpan], defined: Collection[str],
                 find_paper: Callable[[str], Paper | None]) -> list[MissingKey]:
    """The citations whose key is not among the (lower-cased) `defined` keys."""
    missing = []
    papers: dict[str, Paper | None] = {}  # a key cited a thousand times is looked up once
    for span in cited:
        if span.key == CITES_EVERYTHING or span.key.lower() in defined:
            continue
        if span.key not in papers:
            papers[span.key] = find_paper(span.key)
        paper = papers[span.key]
        missing.append(MissingKey(span, paper is not None, paper.title if paper else None))
    return missing


def keys_to_add(missing: Sequence[MissingKey]) -> list[str]:
    """The missing keys the corpus has, each once, in the order they are cited."""
    return list(dict.fromkeys(m.span.key for m in missing if m.in_corpus))


def keys_not_found(missing: Sequence[MissingKey]) -> list[str]:
    """The missing keys the corpus does not have either, each once."""
    return list(dict.fromkeys(m.span.key for m in missing if not m.in_corpus))


def duplicate_keys(entries: Sequence[KeySpan]) -> list[DuplicateKey]:
    """Every entry after the first under the same key (keys compare without case)."""
    counts = Counter(span.key.lower() for span in entries)
    seen: set[str] = set()
    found = []
    for span in entries:
        lower = span.key.lower()
        if counts[lower] > 1 and lower in seen:
            found.append(DuplicateKey(span, counts[lower]))
        seen.add(lower)
    return found


def unused_entries(entries: Sequence[KeySpan], cited: Collection[str]) -> list[UnusedEntry]:
    """The entries whose key is not among the (lower-cased) `cited` keys; none when
    something cites every entry."""
    if CITES_EVERYTHING in cited:
        return []
    return [UnusedEntry(span) for span in entries if span.key.lower() not in cited]
