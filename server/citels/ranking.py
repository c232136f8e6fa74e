"""Turn what the writer typed into ranked papers: candidates from the index, re-scored here.

One ranker serves completion, `citels search` and workspace symbols, so they always agree.
The index finds candidates (every word, else any word; typos corrected against its
vocabulary; acronyms both ways); a bounded number of them are re-scored here on how the
typed words fit the title, so the cost per keystroke does not grow with the corpus.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from citels.keys import SKIP_WORDS
from citels.papers import Hit, Paper
from citels.store import Store, match_expression
from citels.text import (
    abstract_aliases,
    acronyms,
    sentences,
    title_aliases,
    words,
    written_acronyms,
)

CANDIDATES = 200  # how many index matches are re-scored
EXACT_KEY_SCORE = 100.0
KEY_PREFIX_SCORE = 20.0
CONTEXT_BONUS = 0.3  # a paper the document already cites wins a near-tie, not a clear loss
MAX_CORRECTIONS = 3  # spellings tried for a word the index does not know


@dataclass(frozen=True)
class Query:
    """The typed text, folded into the words the index knows."""

    text: str
    tokens: tuple[str, ...]
    last_unfinished: bool  # the writer is still typing the last word

    @classmethod
    def parse(cls, text: str, *, prefix: bool = True) -> Query:
        tokens = [t for t in words(text) if t not in SKIP_WORDS]
        return cls(text.strip(), tuple(tokens), prefix)


@dataclass
class _Spellings:
    """For each query word: index words that count as it after a typo, and its weight (idf)."""

    corrected: list[set[str]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


def rank(
    store: Store,
    text: str,
    *,
    limit: int = 20,
    prefix: bool = True,
    cited: Collection[str] = (),
) -> list[Hit]:
    """The best papers for `text`, best first; `prefix` treats the last word as unfinished."""
    query = Query.parse(text, prefix=prefix)
    if not query.tokens:
        return []  # only stop-words or punctuation: nothing rather than noise
    scored: dict[str, tuple[float, Paper]] = {}

    def offer(paper: Paper, score: float) -> None:
        assert paper.key
        best = scored.get(paper.key)
        if best is None or score > best[0]:
            scored[paper.key] = (score, paper)

    spellings = _spellings(store, query)
    for paper, bm25 in _candidates(store, query, spellings):
        offer(paper, _score(query, spellings, paper, bm25))
    if " " not in query.text:
        for paper in store.keys_with_prefix(query.text, limit):
            if (paper.key or "").lower() == query.text.lower():
                offer(paper, EXACT_KEY_SCORE)
            elif _looks_like_a_key(query.text):
                offer(paper, KEY_PREFIX_SCORE)
    cited_lower = {key.lower() for key in cited}
    hits = [Hit(paper, round(score + (CONTEXT_BONUS if (paper.key or "").lower() in cited_lower
                                      else 0.0), 4))
            for score, paper in scored.values()]
    # Best first; equal scores by key, so the order never depends on the index's.
    hits.sort(key=lambda hit: (-hit.score, (hit.paper.key or "").lower()))
    return hits[:limit]


def _looks_like_a_key(text: str) -> bool:
    """Typed as a key is typed (camelCase, digits, or long), not as a word of a title."""
    return (any(c.isupper() for c in text[1:]) or any(c.isdigit() for c in text)
            or len(text) >= 10)


# --- candidates from the index ------------------------------------------------------------


def _candidates(store: Store, query: Query, spellings: _Spellings) -> list[tuple[Paper, float]]:
    """Papers with every word (as typed or corrected), then papers with any of them."""
    groups = [_group(query, i, spellings) for i in range(len(query.tokens))]
    hits = store.search(" AND ".join(groups), CANDIDATES)
    # Other spellings of typed runs: "stochastic gradient descent noise" also finds a title
    # that writes "SGD Noise"; "mad mix" finds "MaD-Mix" (indexed as madmix).
    for start, end, spelling, columns in _alternative_spellings(query.tokens):
        if not store.document_frequency(spelling):
            continue  # no paper spells it so: skip the search
        rest = groups[:start] + groups[end:]
        written = match_expression([spelling], prefix_last=False, columns=columns)
        hits += store.search(" AND ".join([written, *rest]), CANDIDATES // 4)
    if len(hits) < CANDIDATES // 10 and len(groups) > 1:
        hits += store.search(" OR ".join(groups), CANDIDATES)
    return hits


def _group(query: Query, index: int, spellings: _Spellings) -> str:
    """One query word as an FTS5 OR-group of its spellings, quoted so it is never syntax."""
    token = query.tokens[index]
    is_last = index == len(query.tokens) - 1
    alternatives = [match_expression([token], prefix_last=is_last and query.last_unfinished)]
    alternatives += [match_expression([c], prefix_last=False)
                     for c in sorted(spellings.corrected[index])]
    return "(" + " OR ".join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0]


def _alternative_spellings(tokens: tuple[str, ...]
                           ) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """(start, end, spelling, columns) for typed runs written another way: initials as a
    word the paper itself writes (not our generated acronyms), or the words joined."""
    initials = [(s, e, a, ("title", "abstract")) for s, e, a in _query_acronyms(tokens)]
    joined = [(s, e, j, ()) for s, e, j in _query_joins(tokens)]
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


# --- word weights and typo correction -----------------------------------------------------


def _spellings(store: Store, query: Query) -> _Spellings:
    spellings = _Spellings()
    total = max(store.paper_total(), 1)
    for index, token in enumerate(query.tokens):
        unfinished = query.last_unfinished and index == len(query.tokens) - 1
        frequency = store.document_frequency(token)
        corrected: set[str] = set()
        if frequency == 0 and not (unfinished and store.has_term_with_prefix(token)):
            corrected = _corrections(store, token)
            frequency = max((store.document_frequency(c) for c in corrected), default=0)
        spellings.corrected.append(corrected)
        # Rare words say more about which paper is meant than common ones (idf).
        spellings.weights.append(math.log(1 + total / (1 + frequency)))
    return spellings


def _corrections(store: Store, token: str) -> set[str]:
    """Index words one edit away (two for longer words), the most common first.

    Looked for among words with the same first letter, or with the first two letters
    swapped, so the cost stays small however large the vocabulary.
    """
    if len(token) < 4 or token.isdigit():
        return set()
    allowed = 1 if len(token) < 7 else 2
    candidates = store.terms_between(token[0], token[0] + "\U0010ffff")
    if token[1] != token[0]:
        swapped = token[1] + token[0]
        candidates += store.terms_between(swapped, swapped + "\U0010ffff")
    counts = dict(candidates)
    matches = process.extract(token, list(counts), scorer=OSA.distance,
                              score_cutoff=allowed, limit=50)
    best = sorted(matches, key=lambda m: (m[1], -counts[m[0]], m[0]))
    return {word for word, _, _ in best[:MAX_CORRECTIONS]}


# --- re-scoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """A paper's words as the scorer compares them, worked out once per paper text."""

    title: str  # the title, or for an untitled paper its opening sentence
    title_words: tuple[str, ...]  # the real title's words, in order
    title_terms: frozenset[str]  # title words and their other spellings
    generated_acronyms: frozenset[str]  # initials of title word runs the title never writes
    abstract_terms: frozenset[str]
    title_capitals: frozenset[str]  # acronyms the paper itself writes in capitals
    abstract_capitals: frozenset[str]
    title_sorted: tuple[str, ...] = ()  # the terms sorted, to look up prefixes by bisection
    abstract_sorted: tuple[str, ...] = ()


@lru_cache(maxsize=5_000)  # the same candidates come back keystroke after keystroke
def _profile(title: str, abstract: str) -> _Profile:
    title_words = words(title)
    title_literal = set(title_words)
    generated = set(acronyms(title)) - title_literal
    title_terms = title_literal | (set(title_aliases(title)) - generated)
    abstract_names = set(abstract_aliases(abstract))
    abstract_terms = set(words(abstract)) | abstract_names
    shown_title = title
    if not title:
        # Known only by its abstract: the methods it names and its opening sentence are what
        # a writer remembers of it, as a title would be.
        opening = sentences(abstract)[:1]
        title_terms = abstract_names | set(words(opening[0] if opening else ""))
        shown_title = " ".join(opening)
    return _Profile(shown_title, tuple(title_words), frozenset(title_terms), frozenset(generated),
                    frozenset(abstract_terms), frozenset(written_acronyms(shown_title)),
                    frozenset(written_acronyms(abstract)), tuple(sorted(title_terms)),
                    tuple(sorted(abstract_terms)))


def _score(query: Query, spellings: _Spellings, paper: Paper, bm25: float) -> float:
    """How well the typed words fit the paper: mostly the title, then the abstract and bm25."""
    tokens = query.tokens
    profile = _profile(paper.title or "", paper.abstract or "")
    title_words = list(profile.title_words)
    title_terms, abstract_terms = profile.title_terms, profile.abstract_terms
    generated_acronyms = profile.generated_acronyms
    in_title = []
    anywhere = []
    for index, token in enumerate(tokens):
        unfinished = query.last_unfinished and index == len(tokens) - 1
        title_fit = _fit(token, spellings.corrected[index], title_terms, profile.title_sorted,
                         unfinished)
        if not title_fit and token in generated_acronyms:
            title_fit = 0.75  # "dpo" for a title that spells out Direct Preference Optimization
        abstract_fit = _fit(token, spellings.corrected[index], abstract_terms,
                            profile.abstract_sorted, unfinished)
        in_title.append(title_fit)
        anywhere.append(max(title_fit, 0.8 * abstract_fit))
    # Typed runs the paper writes as one word: its own acronym in capitals ("stochastic
    # gradient descent" -> SGD) or the words joined ("mad mix" -> MaD-Mix).
    for start, end, spelling, columns in _alternative_spellings(tokens):
        in_title_words = spelling in (profile.title_capitals if columns else title_terms)
        in_abstract_words = spelling in (profile.abstract_capitals if columns else abstract_terms)
        fit = 1.0 if in_title_words else 0.8 if in_abstract_words else 0.0
        for index in range(start, end):
            if fit == 1.0:
                in_title[index] = max(in_title[index], 0.9)
            anywhere[index] = max(anywhere[index], 0.9 * fit)
    weights = spellings.weights
    total_weight = sum(weights)
    title_coverage = sum(w * f for w, f in zip(weights, in_title, strict=True)) / total_weight
    coverage = sum(w * f for w, f in zip(weights, anywhere, strict=True)) / total_weight
    significant = [w for w in title_words if w not in SKIP_WORDS] or title_words
    # Of the title's words, how many were typed: "mirror descent" fits "Mirror Descent" better
    # than a long title that merely contains both words.
    precision = min(1.0, sum(f > 0 for f in in_title) / len(significant)) if significant else 0.0
    folded_title = " ".join(title_words)
    phrase = " ".join(tokens)
    in_order = bool(folded_title) and f" {phrase}" in f" {folded_title}"
    at_start = in_order and folded_title.startswith(phrase)
    closeness = fuzz.partial_ratio(phrase, folded_title) / 100 if folded_title else 0.0
    return (3.0 * title_coverage + 5.0 * coverage + 1.0 * in_order + 0.5 * at_start
            + 0.7 * precision + 0.3 * closeness + bm25 / (bm25 + 20.0))


def _fit(token: str, corrections: set[str], terms: frozenset[str],
         sorted_terms: tuple[str, ...], unfinished: bool) -> float:
    """1 for a word typed in full, a little less for a prefix or a corrected typo, else 0."""
    if token in terms:
        return 1.0
    if corrections & terms:
        return 0.85
    if (len(token) >= 2 or unfinished) and _has_prefix(sorted_terms, token):
        # The word being typed is a prefix by nature; a finished word rarely is one.
        return 0.95 if unfinished else 0.5
    return 0.0


def _has_prefix(sorted_terms: tuple[str, ...], prefix: str) -> bool:
    at = bisect.bisect_left(sorted_terms, prefix)
    return at < len(sorted_terms) and sorted_terms[at].startswith(prefix)
