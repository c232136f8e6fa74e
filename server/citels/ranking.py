"""Turn what the writer typed into ranked papers: candidates from the index, re-scored here.

One ranker serves completion, `citels search` and workspace symbols, so they always agree.
The index finds candidates (titles with every word, then abstracts, then all but one word;
typos corrected against its vocabulary; acronyms both ways); a bounded number of them are
re-scored here on how the typed words fit the title, so the cost per keystroke does not
grow with the corpus.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from citels.index_text import title_text
from citels.keys import SKIP_WORDS
from citels.papers import Hit, Paper
from citels.store import Candidate, Store, match_expression
from citels.text import (
    abstract_aliases,
    acronyms,
    title_aliases,
    words,
    written_acronyms,
)

CANDIDATES = 60  # how many index matches are re-scored, at most
ENOUGH_CANDIDATES = 50  # titles found this many: abstracts are not searched
FEW_MATCHES = 5_000  # papers a word may have for bm25 to be worth its cost
TEXT_PREFIX_LENGTH = 4  # an unfinished word this long is looked for in abstracts...
MAX_COMPLETIONS = 8  # ...as its commonest completions (when it can become common words)
PREFIX_INDEXED = 3  # the titles index has prefix indexes for words' first 1 to 3 letters
EXACT_KEY_SCORE = 100.0
KEY_PREFIX_SCORE = 20.0
CONTEXT_BONUS = 0.3  # a paper the document already cites wins a near-tie, not a clear loss
MAX_CORRECTIONS = 3  # spellings tried for a word the index does not know
ABSTRACT_WEIGHT = 0.8  # a word found in the abstract counts this much of one in the title
SCORE_ROUNDING = 1e-3  # scores are compared rounded: a bound this close is not yet beaten


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
    frequencies: list[int] = field(default_factory=list)  # papers with the word, at most
    completions: list[str] = field(default_factory=list)  # of the word still being typed
    completed_papers: int = 0  # how many papers those completions can match, at most


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
    scored: dict[int, tuple[float, str]] = {}  # paper id -> (score, key)

    def offer(paper_id: int, key: str, score: float) -> None:
        best = scored.get(paper_id)
        if best is None or score > best[0]:
            scored[paper_id] = (score, key)

    spellings = _spellings(store, query)
    cited_lower = {key.lower() for key in cited}

    def bonus(key: str) -> float:
        return CONTEXT_BONUS if key.lower() in cited_lower else 0.0

    # The best each candidate could score (as if its abstract fitted wherever its title does
    # not) comes cheap; the exact score reads the abstract, so it is worked out, best bound
    # first, only while the candidate could still be among the `limit` best.
    bounded = sorted(
        ((_score(query, spellings, c, optimistic=True) + bonus(c.key), c)
         for c in store.candidates(_candidates(store, query, spellings))),
        key=lambda item: -item[0])
    best: list[float] = []  # a heap of the `limit` best exact scores so far
    for bound, candidate in bounded:
        if len(best) == limit and bound + SCORE_ROUNDING < best[0]:
            break
        score = _score(query, spellings, candidate)
        offer(candidate.id, candidate.key, score)
        (heapq.heappush if len(best) < limit else heapq.heappushpop)(
            best, score + bonus(candidate.key))
    if " " not in query.text:
        for paper_id, key in store.keys_with_prefix(query.text, limit):
            if key.lower() == query.text.lower():
                offer(paper_id, key, EXACT_KEY_SCORE)
            elif _looks_like_a_key(query.text):
                offer(paper_id, key, KEY_PREFIX_SCORE)
    ranked = sorted(
        ((round(score + bonus(key), 4), key, pid) for pid, (score, key) in scored.items()),
        # Best first; equal scores by key, so the order never depends on the index's.
        key=lambda item: (-item[0], item[1].lower()))[:limit]
    papers = store.papers_by_id(pid for _, _, pid in ranked)  # decoded for the shown few only
    return [Hit(papers[pid], score) for score, _, pid in ranked if pid in papers]


def _looks_like_a_key(text: str) -> bool:
    """Typed as a key is typed (camelCase, digits, or long), not as a word of a title."""
    return (any(c.isupper() for c in text[1:]) or any(c.isdigit() for c in text)
            or len(text) >= 10)


# --- candidates from the index ------------------------------------------------------------


def _candidates(store: Store, query: Query, spellings: _Spellings) -> list[int]:
    """Ids of papers worth scoring, at most CANDIDATES, found in the cheapest way that works.

    Titles first: most writers type words of the title, and the titles index hands over
    its first matches (short titles first) without scoring every match. Only when titles
    give few: papers whose abstract has every word, then papers missing one typed word
    (a typo too far from any indexed word, a word the paper does not use).
    """
    found: dict[int, None] = {}  # ordered set
    groups = [_group(query, i, spellings) for i in range(len(query.tokens))]
    found.update(dict.fromkeys(store.search_titles(" AND ".join(groups), CANDIDATES)))
    # Other spellings of typed runs: "stochastic gradient descent noise" also finds a title
    # that writes "SGD Noise"; "mad mix" finds "MaD-Mix" (indexed as madmix).
    alternatives = [(start, end, spelling, written)
                    for start, end, spelling, written in _alternative_spellings(query.tokens)
                    if store.document_frequency(spelling)]  # no paper spells it so: skip
    for start, end, spelling, _ in alternatives:
        # Whether the paper writes the acronym itself, or it is only our made-up one, is
        # for the scorer to tell: the titles index keeps no columns.
        spelt = match_expression([spelling], prefix_last=False)
        rest = groups[:start] + groups[end:]
        found.update(dict.fromkeys(
            store.search_titles(" AND ".join([spelt, *rest]), CANDIDATES // 4)))
    if len(found) >= ENOUGH_CANDIDATES:
        return list(found)[:CANDIDATES]
    text_groups = [_group(query, i, spellings, in_texts=True) for i in range(len(groups))]
    frequencies = spellings.frequencies
    _add_text_matches(store, found, text_groups, frequencies)
    for start, end, spelling, _ in alternatives:
        spelt = match_expression([spelling], prefix_last=False)
        _add_text_matches(store, found, [spelt, *text_groups[:start], *text_groups[end:]],
                          [store.document_frequency(spelling), *frequencies[:start],
                           *frequencies[end:]], CANDIDATES // 4)
    if len(found) < ENOUGH_CANDIDATES and len([g for g in text_groups if g]) > 1:
        for left_out in range(len(text_groups)):
            if text_groups[left_out]:
                _add_text_matches(store, found, _without(text_groups, left_out),
                                  _without(frequencies, left_out), CANDIDATES // 4)
    return list(found)[:CANDIDATES]


def _without(items: list, index: int) -> list:
    return items[:index] + items[index + 1:]


def _add_text_matches(store: Store, found: dict[int, None], groups: list[str],
                      frequencies: list[int], limit: int = CANDIDATES) -> None:
    """Papers whose title and abstract words match every group.

    The index's first matches are all of them when the rarest word is in no more papers
    than the limit. Otherwise bm25 picks the best, but only when every word is rare
    enough: it counts the papers of each word, which costs as much as the commonest has.
    """
    used = [(group, frequency) for group, frequency in zip(groups, frequencies, strict=True)
            if group]
    if not used:
        return
    counts = [frequency for _, frequency in used]
    best_first = min(counts) > limit and max(counts) <= FEW_MATCHES
    found.update(dict.fromkeys(store.search_texts(
        " AND ".join(group for group, _ in used), limit, best_first=best_first)))


def _group(query: Query, index: int, spellings: _Spellings, *, in_texts: bool = False) -> str:
    """One query word as an FTS5 OR-group of its spellings, quoted so it is never syntax.

    A word still being typed is a prefix query where a prefix index serves it (up to
    PREFIX_INDEXED letters, titles only) or where the words it can become are rare;
    otherwise its commonest completions: a prefix query with neither reads every
    document of every word it could become.
    """
    token = query.tokens[index]
    unfinished = index == len(query.tokens) - 1 and query.last_unfinished
    as_prefix = unfinished and (
        (not in_texts and len(token) <= PREFIX_INDEXED)
        or (len(token) >= TEXT_PREFIX_LENGTH and spellings.completed_papers <= FEW_MATCHES))
    if unfinished and not as_prefix:
        spelt = spellings.completions  # nothing, for a short word in the abstracts
    else:
        spelt = [token, *sorted(spellings.corrected[index])]
    alternatives = [match_expression([word], prefix_last=as_prefix and i == 0)
                    for i, word in enumerate(spelt)]
    return "(" + " OR ".join(alternatives) + ")" if len(alternatives) > 1 else "".join(
        alternatives)


@lru_cache(maxsize=64)  # asked for every candidate of a query
def _alternative_spellings(tokens: tuple[str, ...]) -> list[tuple[int, int, str, bool]]:
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
        # How many papers the word can match: unknown for a word still being typed.
        spellings.frequencies.append(total if unfinished else frequency)
        if unfinished and len(token) >= TEXT_PREFIX_LENGTH:
            spellings.completions, spellings.completed_papers = store.completions(
                token, MAX_COMPLETIONS)
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


def _spaced(terms: Iterable[str]) -> str:
    """Words as one string with a space on each side of each: ' a b c '. A word (' a ') or a
    prefix (' a') is then found by a substring search, and strings cost the garbage
    collector nothing to keep, which sets of thousands of cached papers do."""
    return " " + " ".join(terms) + " "


class _Profile:
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
        return _spaced(dict.fromkeys(words(self.abstract) + abstract_aliases(self.abstract)))

    @cached_property
    def abstract_capitals(self) -> str:
        return _spaced(written_acronyms(self.abstract))


@lru_cache(maxsize=5_000)  # the same candidates come back keystroke after keystroke
def _profile(title: str, abstract: str) -> _Profile:
    return _Profile(title, abstract)


def _score(query: Query, spellings: _Spellings, candidate: Candidate, *,
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
    for start, end, spelling, written in _alternative_spellings(tokens):
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
