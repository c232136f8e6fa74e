"""What of a paper goes into the full-text indexes, derived the same way to add and to delete.

The indexes are contentless (they keep no copy of the text), so deleting a paper means
giving the index the very words it was added with: both go through `index_text`. A change
to what this module derives needs a schema step that rebuilds the indexes. The works index
(people, title words, venue, year: `work_text`) is contentless too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest

from citels.corpus.identifiers import paper_identifiers
from citels.keys import SKIP_WORDS
from citels.names import people_terms
from citels.papers import Paper
from citels.text import (
    abstract_aliases,
    fold_for_search,
    sentences,
    title_aliases,
    words,
)

# Titles longer than this sort with the longest: the order only needs to tell short from long.
LONGEST_TITLE = 255


@dataclass(frozen=True)
class IndexText:
    """A paper's words as the full-text indexes take them."""

    title: str  # folded words of the title (an untitled paper: its opening sentence)
    aliases: str  # other spellings of title words, acronyms, method names from the abstract
    key: str
    words: str  # every significant word of title and abstract, and the key, each once (any order)
    title_length: int  # words in the title, so short titles can come first


def title_text(paper: Paper) -> str:
    """The title a writer remembers: the real one, else the abstract's opening sentence."""
    if paper.title:
        return paper.title
    opening = sentences(paper.abstract or "")[:1]
    return opening[0] if opening else ""


def index_text(paper: Paper, title_words: list[str] | None = None) -> IndexText:
    """What of a keyed paper goes into the full-text indexes (`title_words`: the words of
    its `title_text`, when the caller has them already)."""
    assert paper.key, "a paper is indexed with its key"
    title = title_text(paper)
    if title_words is None:
        title_words = words(title)
    abstract = paper.abstract or ""
    method_names = abstract_aliases(abstract)
    aliases = (title_aliases(paper.title, title_words=title_words) if paper.title
               else []) + method_names
    # The key too: a mistyped key is corrected toward it (the vocabulary is these words).
    # A set, in no fixed order: the texts index keeps which words a paper has, not where
    # (detail = none), so its content is the same whatever the hash seed (12.7 -> 8.3 µs a
    # paper against a dict's ordered dedup).
    every_word = set(title_words)
    every_word.update(words(abstract), method_names)
    every_word.add(paper.key.lower())
    every_word -= SKIP_WORDS
    return IndexText(
        title=fold_for_search(title),
        aliases=" ".join(aliases),
        key=paper.key.lower(),
        words=" ".join(every_word),
        title_length=min(len(title_words), LONGEST_TITLE),
    )


# Venues a writer names by a short name the record may spell out, or by an older name.
VENUE_ALIASES = {
    "neural information processing systems": ("neurips", "nips"),
    "nips": ("neurips",), "neurips": ("nips",),
    "association for computational linguistics": ("acl",),
    "empirical methods in natural language processing": ("emnlp",),
    "computer vision and pattern recognition": ("cvpr",),
    "international conference on computer vision": ("iccv",),
    "european conference on computer vision": ("eccv",),
    "international conference on machine learning": ("icml",),
    "international conference on learning representations": ("iclr",),
    "robotics and automation": ("icra",),
    "intelligent robots and systems": ("iros",),
    "computational linguistics": ("coling",),
    "artificial intelligence and statistics": ("aistats",),
}
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
NO_YEAR = 0  # sorts a paper of unknown year after every dated one
YEAR_CEILING = 4000  # works rowids count down from this year: newest papers come first


@dataclass(frozen=True)
class WorkText:
    """A paper's people, title words and facets (venue, year) as the works index takes them."""

    names: str  # folded words of every author's and editor's name
    title: str  # the title's significant words
    facets: str  # the venue's words and short names, and the year


def venue_terms(venue: str | None) -> list[str]:
    """The words a venue is found by: its own, its acronyms, and its known short names."""
    if not venue:
        return []
    folded = " ".join(words(venue))
    terms = dict.fromkeys(w for w in words(venue) if w not in SKIP_WORDS)
    for spelt_out, short in VENUE_ALIASES.items():
        if f" {spelt_out} " in f" {folded} ":
            terms.update(dict.fromkeys(short))
    return list(terms)


def editors_of(paper: Paper) -> list[str]:
    """The paper's editors; for a .bib entry, its raw `editor` field split at "and"."""
    if paper.editors:
        return paper.editors
    raw = next((value for name, value in paper.fields.items() if name.lower() == "editor"), "")
    return [name for name in _AND.split(raw.strip('{}" ')) if name]


def work_text(paper: Paper, title_words: list[str] | None = None) -> WorkText:
    """What of a paper goes into the works index (people, title words, venue and year);
    `title_words` as for `index_text`."""
    if title_words is None:
        title_words = words(title_text(paper))
    title_words = [w for w in dict.fromkeys(title_words) if w not in SKIP_WORDS]
    facets = venue_terms(paper.venue) + ([str(paper.year)] if paper.year else [])
    return WorkText(names=" ".join(people_terms(paper.authors + editors_of(paper))),
                    title=" ".join(title_words), facets=" ".join(facets))


def work_rowid(paper_id: int, year: int | None) -> int:
    """The works index's rowid: newest year first, then the paper id (see title_rowid)."""
    return ((YEAR_CEILING - (year or NO_YEAR)) << 32) | paper_id


WorkRow = tuple[int, str, str, str]  # (rowid, names, title, facets)


def work_rows(papers: Iterable[tuple[int, Paper]], title_words: Iterable[list[str]] = ()
              ) -> tuple[list[WorkRow], list[tuple[str, str, int]]]:
    """The works index rows and identifier rows of papers (to add, or the same to delete);
    `title_words`, when given, has each paper's as `index_text` takes them."""
    works, identifiers = [], []
    for (paper_id, paper), words_of_title in zip_longest(papers, title_words):
        text = work_text(paper, words_of_title)
        works.append((work_rowid(paper_id, paper.year), text.names, text.title, text.facets))
        identifiers += [(scheme, value, paper_id) for scheme, value in paper_identifiers(paper)]
    works.sort()  # FTS5 writes quickest in rowid order
    return works, identifiers
