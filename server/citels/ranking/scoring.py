"""How well the typed words fit a candidate paper: mostly its title, then its abstract.

Worked out in Python for the few candidates the index gave, each paper's words once
(`Profile`), the abstract's only when a typed word is not in the title.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property, lru_cache

from rapidfuzz import fuzz

from citels.keys import SKIP_WORDS
from citels.papers import Paper
from citels.ranking.query import Query, Spellings, alternative_spellings
from citels.search_index import Candidate
from citels.store.index_text import title_text
from citels.text import abstract_aliases, acronyms, title_aliases, words, written_acronyms

ABSTRACT_WEIGHT = 0.8  # a word found in the abstract counts this much of one in the title


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
        title_terms = title_literal | (set(title_aliases(title)) - generated)
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
        return _spaced(dict.fromkeys(words(self.abstract) + abstract_aliases(self.abstract)))

    @cached_property
    def abstract_capitals(self) -> str:
        """Acronyms the abstract writes in capitals, spaced."""
        return _spaced(written_acronyms(self.abstract))


@lru_cache(maxsize=5_000)  # the same candidates come back keystroke after keystroke
def _profile(title: str, abstract: str) -> Profile:
    return Profile(title, abstract)


def score(query: Query, spellings: Spellings, candidate: Candidate, *,
           optimistic: bool = False) -> float:
    """How well the typed words fit the paper: mostly the title, then the abstract.

    `optimistic`: without reading the abstract, the most it could score (every typed word
    the title lacks taken to be in the abstract)."""
    tokens = query.tokens
    profile = _profile(candidate.title or "", candidate.abstract or "")
    title_terms = profile.title_terms
    generated_acronyms = profile.generated_acronyms
    in_title = []
    anywhere = []
    for index, token in enumerate(tokens):
        unfinished = query.last_unfinished and index == len(tokens) - 1
        title_fit = _fit(token, spellings.corrected[index], title_terms, unfinished)
        if not title_fit and f" {token} " in generated_acronyms:
            title_fit = 0.75  # "dpo" for a title that spells out Direct Preference Optimization
        abstract_fit = 0.0
        if title_fit < ABSTRACT_WEIGHT:  # else the abstract cannot fit better
            abstract_fit = 1.0 if optimistic else _fit(
                token, spellings.corrected[index], profile.abstract_terms, unfinished)
        in_title.append(title_fit)
        anywhere.append(max(title_fit, ABSTRACT_WEIGHT * abstract_fit))
    # Typed runs the paper writes as one word: its own acronym in capitals ("stochastic
    # gradient descent" -> SGD) or the words joined ("mad mix" -> MaD-Mix).
    for start, end, spelling, written in alternative_spellings(tokens):
        spaced = f" {spelling} "
        if spaced in (profile.title_capitals if written else title_terms):
            fit = 1.0
        elif optimistic or spaced in (
                profile.abstract_capitals if written else profile.abstract_terms):
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
    precision = min(1.0, sum(f > 0 for f in in_title) / significant) if significant else 0.0
    folded_title = profile.folded_title
    phrase = " ".join(tokens)
    in_order = bool(folded_title) and f" {phrase}" in f" {folded_title}"
    at_start = in_order and folded_title.startswith(phrase)
    closeness = fuzz.partial_ratio(phrase, folded_title) / 100 if folded_title else 0.0
    return (3.0 * title_coverage + 5.0 * coverage + 1.0 * in_order + 0.5 * at_start
            + 0.7 * precision + 0.3 * closeness)


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
