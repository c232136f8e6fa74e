"""Where typed words can be, as the texts index tells it: so the scorer reads a candidate's
abstract only when a typed word can be in it.

Reading an abstract (its words, its method names, its acronyms) is most of what scoring a
candidate costs. The texts index holds every word of every title and abstract, and the
method names an abstract spells: a paper it does not list for a word has no abstract word
that the scorer could fit to it. A surname is in almost no abstract, so the papers found by
title words alone need not be read to learn that they do not name the person typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from citels.keys import SKIP_WORDS
from citels.ranking.query import TEXT_PREFIX_LENGTH, Query, Spellings, alternative_spellings
from citels.search_index import SearchIndex, Word

# A word in more papers than this is not listed: reading the candidates' abstracts is then
# cheaper than listing its papers (and most candidates have it anyway).
MOST_PAPERS_LISTED = 1_000
SHORTEST_LISTED = 3  # a shorter word is the start of too many others to list its papers


@dataclass(frozen=True)
class Presence:
    """For each typed word, the papers whose title or abstract may fit it (None: not
    listed, any may); and the other spellings of typed runs (`alternative_spellings`) that
    some paper has."""

    papers: tuple[frozenset[int] | None, ...]
    spelt: frozenset[str]

    def may_have(self, index: int, paper_id: int) -> bool:
        """Whether the paper's abstract may fit the typed word at `index`."""
        listed = self.papers[index]
        return listed is None or paper_id in listed

    def is_spelt(self, spelling: str) -> bool:
        """Whether any paper has this spelling of a typed run."""
        return spelling in self.spelt


def presence(store: SearchIndex, query: Query, spellings: Spellings) -> Presence:
    """What the texts index tells of the typed words, asked once per query."""
    papers = tuple(_papers_with(store, query, spellings, index)
                   for index in range(len(query.tokens)))
    spelt = frozenset(spelling for _, _, spelling, _ in alternative_spellings(query.tokens)
                      if not _plain(spelling) or store.document_frequency(spelling))
    return Presence(papers, spelt)


def _papers_with(store: SearchIndex, query: Query, spellings: Spellings,
                 index: int) -> frozenset[int] | None:
    """The papers whose indexed words fit the typed word at `index` as the scorer fits it
    (the word, a word starting with it, a correction), when they are few."""
    token = query.tokens[index]
    corrections = sorted(spellings.corrected[index])
    if len(token) < SHORTEST_LISTED or not all(map(_plain, [token, *corrections])) or any(
            word.startswith(token) for word in SKIP_WORDS):  # the index leaves those out
        return None
    # The scorer counts a word starting with the typed one (finished or not): the index is
    # asked for them all, when the vocabulary says they are few. The texts index also holds
    # each paper's key, which starts with a surname: a word that starts many people's names
    # starts many keys, each a word of its own the listing would read (20 ms for "huan" at
    # a million papers), and the vocabulary does not count them.
    # (Names starting so are counted for a word being typed from TEXT_PREFIX_LENGTH letters:
    # a shorter one is not listed.)
    unfinished = query.last_unfinished and index == len(query.tokens) - 1
    if unfinished and len(token) < TEXT_PREFIX_LENGTH:
        return None
    names = spellings.completed_names if unfinished else spellings.facets[index][0]
    _, starting = store.completions(token, 1)
    if max(starting, names) > MOST_PAPERS_LISTED or any(
            store.document_frequency(word) > MOST_PAPERS_LISTED for word in corrections):
        return None
    group = (Word(token, prefix=True), *(Word(word) for word in corrections))
    found = store.search_texts([group], MOST_PAPERS_LISTED + 1, best_first=False)
    return frozenset(found) if len(found) <= MOST_PAPERS_LISTED else None


def _plain(word: str) -> bool:
    """Whether the index holds the word as it is (letters and digits only, as its tokenizer
    keeps them): only then does its absence from the index say anything."""
    return word.isascii() and word.isalnum()
