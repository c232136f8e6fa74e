"""What the ranker asks of an index of papers, and nothing of how the index answers.

The ranker (`citels.ranking`) speaks in word groups: every group must match, by any one of
its words, each word whole or as a prefix. The SQLite store (`citels.store`) turns them into
its own query language; a test turns them into set lookups in memory. Neither side needs the
other's details.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from citels.papers import Paper


@dataclass(frozen=True)
class Word:
    """One folded word to look for; with `prefix`, any indexed word that starts so."""

    text: str
    prefix: bool = False


# Alternatives for one typed word (its spellings): a paper matches the group if it has any.
WordGroup = tuple[Word, ...]



@dataclass(frozen=True)
class Candidate:
    """What the ranker reads of a paper it scores."""

    id: int
    key: str
    title: str | None
    abstract: str | None
    year: int | None = None
    people: str = ""  # the authors, as a JSON list of names (decoded only when scored)
    venue: str = ""
    editors: str = ""  # the editors, as a JSON list of names


class SearchIndex(Protocol):
    """The questions the ranker asks, each answered without scoring every paper.

    Paper ids are the index's own; `papers_by_id` turns the shown few into `Paper`s.
    Every `groups` argument is ANDed: a paper matches when it matches every group.
    """

    def paper_total(self) -> int:
        """How many papers the index holds."""
        ...

    def document_frequency(self, term: str) -> int:
        """How many papers have this word (at least 1 when any has it)."""
        ...

    def has_term_with_prefix(self, prefix: str) -> bool:
        """Whether any indexed word starts with `prefix`."""
        ...

    def completions(self, prefix: str, limit: int) -> tuple[list[str], int]:
        """The commonest words starting with `prefix` (at most `limit`), and how many papers
        the words starting so have between them."""
        ...

    def terms_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Common words from `low` up to (not including) `high`, with their paper counts."""
        ...

    def search_titles(self, groups: Sequence[WordGroup], limit: int) -> list[int]:
        """Ids of papers whose title words match every group, shortest titles first."""
        ...

    def search_texts(self, groups: Sequence[WordGroup], limit: int, *,
                     best_first: bool, excluded: WordGroup = ()) -> list[int]:
        """Ids of papers whose title or abstract words match every group and none of the
        words `excluded`; `best_first` asks for the best matches (a cost the ranker takes
        only when matches are few)."""
        ...

    def search_works(self, groups: Sequence[WordGroup], facet_groups: Sequence[WordGroup],
                     limit: int) -> list[int]:
        """Ids of papers whose people's names, title words or facets (venue, year) match
        every group, and whose facets match every facet group: newest first."""
        ...

    def facet_frequency(self, term: str) -> tuple[int, int]:
        """How many papers have this word in a person's name, and in their venue or year."""
        ...

    def has_name_with_prefix(self, prefix: str) -> bool:
        """Whether any person's name has a word starting with `prefix`."""
        ...

    def names_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Common words of people's names from `low` up to (not including) `high`, with
        their paper counts."""
        ...

    def papers_with_identifiers(self, identifiers: Sequence[tuple[str, str]]) -> list[int]:
        """Ids of papers carrying any of these (scheme, normalised value) identifiers."""
        ...

    def keys_with_prefix(self, prefix: str, limit: int) -> list[tuple[int, str]]:
        """(id, key) of papers whose key starts with `prefix`, ignoring case."""
        ...

    def candidates(self, paper_ids: Iterable[int]) -> list[Candidate]:
        """The fields the ranker scores, for these papers, in the order asked."""
        ...

    def papers_by_id(self, paper_ids: Iterable[int]) -> dict[int, Paper]:
        """The papers themselves, by id, for the ones shown."""
        ...
