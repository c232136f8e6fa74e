"""What the writer typed, as the ranker sees it: folded words, their typo corrections and
weights, typed runs a paper may write as one word (an acronym, the words joined), the years
it names (`2017`, `'17`) and the identifiers pasted (a DOI, an arXiv id or URL).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from citels.corpus.identifiers import Identifier, identifiers_in
from citels.keys import SKIP_WORDS
from citels.search_index import SearchIndex
from citels.text import words

TEXT_PREFIX_LENGTH = 4  # an unfinished word this long is looked for in abstracts...
MAX_COMPLETIONS = 8  # ...as its commonest completions (when it can become common words)
MAX_CORRECTIONS = 3  # spellings tried for a word the index does not know
LAST_CHARACTER = "\U0010ffff"  # `prefix + LAST_CHARACTER` bounds the words starting so
YEARS = range(1900, 2100)  # a four-digit word in this range is a year
_SHORT_YEAR = re.compile(r"(?<!\w)['’‘](\d{2})\b")  # '17
_MAYBE_IDENTIFIER = re.compile(r"\d{4}|/")  # no identifier without four digits or a slash


@dataclass(frozen=True)
class Query:
    """The typed text, folded into the words the index knows."""

    text: str
    tokens: tuple[str, ...]
    last_unfinished: bool  # the writer is still typing the last word
    years: tuple[int, ...] = ()  # years named: they narrow the ranking, never empty it
    identifiers: tuple[Identifier, ...] = ()  # pasted identifiers: their paper comes first

    @classmethod
    def parse(cls, text: str, *, prefix: bool = True) -> Query:
        """The typed text's words, stop-words left out; `prefix`: the last is unfinished.
        Years are taken out of the words; identifiers are found in the text as typed."""
        tokens = [t for t in words(text) if t not in SKIP_WORDS]
        short_years = {match.group(1) for match in _SHORT_YEAR.finditer(text)}
        years = [int(t) for t in tokens if len(t) == 4 and t.isdigit() and int(t) in YEARS]
        years += [_century(int(t)) for t in short_years]
        year_words = {str(year) for year in years} | short_years
        identifiers = identifiers_in(text) if _MAYBE_IDENTIFIER.search(text) else []
        return cls(text.strip(), tuple(t for t in tokens if t not in year_words), prefix,
                   tuple(dict.fromkeys(years)), tuple(identifiers))


def _century(short: int) -> int:
    """'17 is 2017, '98 is 1998."""
    return 2000 + short if short < 50 else 1900 + short


@dataclass
class Spellings:
    """For each query word: index words that count as it after a typo, and its weight (idf)."""

    corrected: list[set[str]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    frequencies: list[int] = field(default_factory=list)  # papers with the word, at most
    completions: list[str] = field(default_factory=list)  # of the word still being typed
    completed_papers: int = 0  # how many papers those completions can match, at most
    # ...and the commonest names starting so, and how many papers name people so (keys
    # start with names)
    name_completions: list[str] = field(default_factory=list)
    completed_names: int = 0
    facets: list[tuple[int, int]] = field(default_factory=list)  # papers with it in (names,
    # venue or year)
    _typed: tuple[tuple[str, ...], frozenset[str]] | None = field(default=None, repr=False)

    def typed_words(self, tokens: tuple[str, ...]) -> frozenset[str]:
        """The typed words and their corrections, as one set (worked out once)."""
        if self._typed is None or self._typed[0] != tokens:
            self._typed = (tokens, frozenset(tokens).union(*self.corrected))
        return self._typed[1]

    @property
    def has_facet_words(self) -> bool:
        """Whether any typed word is a person's name, a venue or a year of some paper."""
        return any(names or facets for names, facets in self.facets)


@lru_cache(maxsize=64)  # asked for every candidate of a query
def alternative_spellings(tokens: tuple[str, ...]) -> list[tuple[int, int, str, bool]]:
    """(start, end, spelling, written) for typed runs written another way: initials as a
    word the paper itself writes (`written`: not our generated acronyms), or the words
    joined."""
    initials = [(s, e, a, True) for s, e, a in _query_acronyms(tokens)]
    joined = [(s, e, j, False) for s, e, j in _query_joins(tokens)]
    return initials + joined


def _query_acronyms(tokens: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Runs of 3-5 typed words and their initials: (start, end, acronym)."""
    found = []
    for size in range(3, 6):
        for start in range(len(tokens) - size + 1):
            run = tokens[start:start + size]
            if all(t[0].isalpha() for t in run):
                found.append((start, start + size, "".join(t[0] for t in run)))
    return found


def _query_joins(tokens: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Runs of 2-3 typed words written as one: (start, end, joined)."""
    return [(start, start + size, "".join(tokens[start:start + size]))
            for size in (2, 3) for start in range(len(tokens) - size + 1)]


def spellings_of(store: SearchIndex, query: Query) -> Spellings:
    """Each typed word's corrections (when the index does not know it), weight and
    frequency, and the completions of the word still being typed."""
    spellings = Spellings()
    total = max(store.paper_total(), 1)
    for index, token in enumerate(query.tokens):
        unfinished = query.last_unfinished and index == len(query.tokens) - 1
        frequency = store.document_frequency(token)
        facets = store.facet_frequency(token)
        spellings.facets.append(facets)
        corrected: set[str] = set()
        # A name or venue is no typo of a title word, nor is the start of a word or name
        # being typed: not corrected. (Names are asked last: a prefix of title words
        # costs the works index a read of those words' papers.)
        if max(facets):
            frequency = max(frequency, *facets)
        elif frequency == 0 and not (unfinished and (store.has_term_with_prefix(token)
                                                     or store.has_name_with_prefix(token))):
            # No word of any paper, no name: a typo of a title or abstract word, or of a
            # person's name ("vaswnai"); a corrected name then makes the word a name.
            in_texts = _corrections(token, store.terms_between)
            corrected = {word for word, _ in in_texts}
            frequency = max((papers for _, papers in in_texts), default=0)
            in_names = _corrections(token, store.names_between)
            if in_names:
                corrected |= {word for word, _ in in_names}
                facets = (max(papers for _, papers in in_names), 0)
                spellings.facets[-1] = facets
                frequency = max(frequency, *facets)
        spellings.corrected.append(corrected)
        # Rare words say more about which paper is meant than common ones (idf).
        spellings.weights.append(math.log(1 + total / (1 + frequency)))
        # How many papers the word can match: unknown for a word still being typed.
        spellings.frequencies.append(total if unfinished else frequency)
        if unfinished and len(token) >= TEXT_PREFIX_LENGTH:
            spellings.completions, spellings.completed_papers = store.completions(
                token, MAX_COMPLETIONS)
            names = sorted(store.names_between(token, token + LAST_CHARACTER),
                           key=lambda name: (-name[1], name[0]))
            spellings.name_completions = [name for name, _ in names[:MAX_COMPLETIONS]]
            spellings.completed_names = sum(papers for _, papers in names)
    return spellings


def _corrections(token: str, between: Callable[[str, str], list[tuple[str, int]]]
                 ) -> list[tuple[str, int]]:
    """(word, papers) of a vocabulary one edit away from `token` (two for longer words),
    the most common first; `between` lists a range of the vocabulary (title and abstract
    words, or the words of people's names).

    Looked for among words with the same first letter, or with the first two letters
    swapped, so the cost stays small however large the vocabulary.
    """
    if len(token) < 4 or token.isdigit():
        return []
    allowed = 1 if len(token) < 7 else 2
    candidates = between(token[0], token[0] + LAST_CHARACTER)
    if token[1] != token[0]:
        swapped = token[1] + token[0]
        candidates += between(swapped, swapped + LAST_CHARACTER)
    counts = dict(candidates)
    matches = process.extract(token, list(counts), scorer=OSA.distance,
                              score_cutoff=allowed, limit=50)
    best = sorted(matches, key=lambda m: (m[1], -counts[m[0]], m[0]))
    return [(word, counts[word]) for word, _, _ in best[:MAX_CORRECTIONS]]
