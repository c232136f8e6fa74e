"""How well the typed words fit a candidate paper: mostly its title and people, then its
abstract; a year typed counts for papers of that year, and a little for the years beside it.

Worked out in Python for the few candidates the index gave, each paper's words once
(`Profile`), the abstract's only when a typed word is not in the title.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cached_property, lru_cache

from rapidfuzz import fuzz

from citels.keys import SKIP_WORDS
from citels.names import people_terms
from citels.papers import Paper
from citels.ranking.presence import Presence
from citels.ranking.query import Query, Spellings, alternative_spellings
from citels.search_index import Candidate
from citels.store.index_text import title_text, venue_terms
from citels.text import (
    abstract_aliases,
    acronyms,
    spaced_words,
    title_aliases,
    words,
    written_acronyms,
)

ABSTRACT_WEIGHT = 0.8  # a word found in the abstract counts this much of one in the title
VENUE_WEIGHT = 0.9  # a word of the venue counts a little less than one of the title or people
YEAR_WEIGHT = 1.5  # the year typed; the year beside it counts half
RECENCY_WEIGHT = 0.3  # only a person (no title word) typed: their newest papers first
RECENCY_YEARS = range(1950, 2050)
# The most `score` gives: every term of its sum at its most.
BEST_SCORE = 3.0 + 5.0 + 1.0 + 0.5 + 0.7 + 0.3 + YEAR_WEIGHT + RECENCY_WEIGHT


def _spaced(terms: Iterable[str]) -> str:
    """Words as one string with a space on each side of each: ' a b c '. A word (' a ') or a
    prefix (' a') is then found by a substring search, and strings cost the garbage
    collector nothing to keep, which sets of thousands of cached papers do."""
    return " " + " ".join(terms) + " "


class Profile:
    """A paper's words as the scorer compares them, worked out once per paper text.

    The abstract's words are worked out only when a typed word is not in the title: most
    candidates come from the titles index and never need them.
    """

    def __init__(self, title: str, abstract: str) -> None:
        self.abstract = abstract
        title_words = words(title)  # the real title's words, in order
        self.folded_title = " ".join(title_words)
        significant = [w for w in title_words if w not in SKIP_WORDS] or title_words
        self.significant_words = len(significant)
        title_literal = set(title_words)
        generated = set(acronyms(title)) - title_literal
        self.generated_acronyms = _spaced(generated)
        # The generated acronyms a title also writes are among its literal words already.
        title_terms = title_literal | (set(title_aliases(title, with_acronyms=False))
                                       - generated)
        shown_title = title
        if not title:
            # Known only by its abstract: the methods it names and its opening sentence are
            # what a writer remembers of it, as a title would be.
            shown_title = title_text(Paper(abstract=abstract))
            title_terms = set(abstract_aliases(abstract)) | set(words(shown_title))
        self.title_terms = _spaced(title_terms)  # title words and their other spellings
        # Acronyms the paper itself writes in capitals.
        self.title_capitals = _spaced(written_acronyms(shown_title))

    @cached_property
    def abstract_terms(self) -> str:
        """The abstract's words and their other spellings, spaced."""
        return spaced_words(self.abstract) + " ".join(abstract_aliases(self.abstract)) + " "

    @cached_property
    def abstract_capitals(self) -> str:
        """Acronyms the abstract writes in capitals, spaced."""
        return _spaced(written_acronyms(self.abstract))


@lru_cache(maxsize=5_000)  # the same candidates come back keystroke after keystroke
def _profile(title: str, abstract: str) -> Profile:
    return Profile(title, abstract)


@lru_cache(maxsize=5_000)
def _people(authors: str, editors: str) -> str:
    """The folded words of a candidate's authors' and editors' names, spaced."""
    names = (json.loads(authors) if authors else []) + (json.loads(editors) if editors else [])
    return _spaced(people_terms([name for name in names if isinstance(name, str)]))


# Every byte but a-z and 0-9 deleted: what is left of a name holds each of its words.
_NOT_NAME_BYTES = bytes(range(256)).translate(None, b"abcdefghijklmnopqrstuvwxyz0123456789")


def _may_name(typed: frozenset[str], candidate: Candidate) -> bool:
    """Whether a typed word (or its correction) can be one of the candidate's people's
    words, told without working their names out: a plain ASCII name's words are runs of
    its letters and digits, so a word found nowhere in them squashed together is none of
    them. (Accents, LaTeX and escapes are worked out in full.)"""
    raw = candidate.people + candidate.editors
    if not raw:
        return False
    if not raw.isascii() or "\\" in raw:
        return True
    squashed = raw.lower().encode("ascii").translate(None, _NOT_NAME_BYTES).decode("ascii")
    return any(word in squashed for word in typed)


@lru_cache(maxsize=1_000)
def _venue(venue: str) -> str:
    """The words a candidate's venue is found by, spaced."""
    return _spaced(venue_terms(venue))


def _year_fit(years: tuple[int, ...], year: int | None) -> float:
    """1 for a paper of a year typed, 0.5 for one a year off, else 0."""
    if not years or year is None:
        return 0.0
    off = min(abs(year - typed) for typed in years)
    return 1.0 if off == 0 else 0.5 if off == 1 else 0.0


def score(query: Query, spellings: Spellings, candidate: Candidate, *,
          presence: Presence | None = None) -> float:
    """How well the typed words fit the paper: mostly the title, then the abstract.
    `presence`: where the index says typed words can be; an abstract that cannot have a
    word is not read for it."""
    return bound(query, spellings, candidate, optimistic=False, presence=presence)[0]


def bound(query: Query, spellings: Spellings, candidate: Candidate, *,
          optimistic: bool = True, presence: Presence | None = None) -> tuple[float, bool]:
    """`score`, or with `optimistic` the most it could be without reading the abstract
    (every typed word the title lacks taken to be in the abstract); and whether it is exact:
    an optimistic score that assumed nothing of the abstract (every typed word found in the
    title or people) is the score itself, and the ranker need not work it out again."""
    assumed = False  # whether optimism stood in for reading the abstract
    tokens = query.tokens
    profile = _profile(candidate.title or "", candidate.abstract or "")
    title_terms = profile.title_terms
    generated_acronyms = profile.generated_acronyms
    people = _people(candidate.people, candidate.editors) \
        if _may_name(spellings.typed_words(tokens), candidate) else ""
    venue = _venue(candidate.venue) if candidate.venue else ""
    in_title = []
    anywhere = []
    title_words_typed = []  # the typed words that fit the title better than people or venue
    title_hits = 0
    for index, token in enumerate(tokens):
        unfinished = query.last_unfinished and index == len(tokens) - 1
        title_fit = _fit(token, spellings.corrected[index], title_terms, unfinished)
        if not title_fit and f" {token} " in generated_acronyms:
            title_fit = 0.75  # "dpo" for a title that spells out Direct Preference Optimization
        facet_fit = max(_fit(token, spellings.corrected[index], people, unfinished),
                        VENUE_WEIGHT * _fit(token, spellings.corrected[index], venue,
                                            unfinished)) if people or venue else 0.0
        if title_fit >= facet_fit:
            title_words_typed.append(token)
            title_hits += title_fit > 0
        abstract_fit = 0.0
        if max(title_fit, facet_fit) >= ABSTRACT_WEIGHT:
            pass  # the abstract cannot fit better
        elif presence is not None and not presence.may_have(index, candidate.id):
            pass  # the index says no word of the abstract fits
        elif optimistic:
            abstract_fit, assumed = 1.0, True
        else:
            abstract_fit = _fit(token, spellings.corrected[index], profile.abstract_terms,
                                unfinished)
        in_title.append(max(title_fit, facet_fit))
        anywhere.append(max(title_fit, facet_fit, ABSTRACT_WEIGHT * abstract_fit))
    # Typed runs the paper writes as one word: its own acronym in capitals ("stochastic
    # gradient descent" -> SGD) or the words joined ("mad mix" -> MaD-Mix).
    for start, end, spelling, written in alternative_spellings(tokens):
        spaced = f" {spelling} "
        if spaced in (profile.title_capitals if written else title_terms):
            fit = 1.0
        elif presence is not None and not presence.is_spelt(spelling):
            continue  # no paper writes it so: no abstract is read for it
        elif optimistic:
            fit, assumed = 0.8, True
        elif spaced in (profile.abstract_capitals if written else profile.abstract_terms):
            fit = 0.8
        else:
            continue
        for index in range(start, end):
            if fit == 1.0:
                in_title[index] = max(in_title[index], 0.9)
            anywhere[index] = max(anywhere[index], 0.9 * fit)
    weights = spellings.weights
    total_weight = sum(weights)
    title_coverage = sum(w * f for w, f in zip(weights, in_title, strict=True)) / total_weight
    coverage = sum(w * f for w, f in zip(weights, anywhere, strict=True)) / total_weight
    significant = profile.significant_words
    # Of the title's words, how many were typed: "mirror descent" fits "Mirror Descent" better
    # than a long title that merely contains both words.
    precision = min(1.0, title_hits / significant) if significant else 0.0
    folded_title = profile.folded_title
    # Names, venue and year are not in the title: the phrase is made of the other words.
    phrase = " ".join(title_words_typed)
    in_order = bool(folded_title and phrase) and f" {phrase}" in f" {folded_title}"
    at_start = in_order and folded_title.startswith(phrase)
    closeness = fuzz.partial_ratio(phrase, folded_title) / 100 \
        if folded_title and phrase else 0.0
    recency = 0.0
    if not title_words_typed and candidate.year in RECENCY_YEARS:
        recency = (candidate.year - RECENCY_YEARS.start) / len(RECENCY_YEARS)
    # (BEST_SCORE is this sum at its most: change both together.)
    return (3.0 * title_coverage + 5.0 * coverage + 1.0 * in_order + 0.5 * at_start
            + 0.7 * precision + 0.3 * closeness + YEAR_WEIGHT * _year_fit(query.years,
                                                                          candidate.year)
            + RECENCY_WEIGHT * recency), not assumed


def _fit(token: str, corrections: set[str], terms: str, unfinished: bool) -> float:
    """1 for a word typed in full, a little less for a prefix or a corrected typo, else 0.
    `terms` is spaced (see _spaced)."""
    if f" {token} " in terms:
        return 1.0
    if any(f" {correction} " in terms for correction in corrections):
        return 0.85
    if (len(token) >= 2 or unfinished) and f" {token}" in terms:
        # The word being typed is a prefix by nature; a finished word rarely is one.
        return 0.95 if unfinished else 0.5
    return 0.0
