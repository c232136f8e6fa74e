"""Turn what the writer typed into ranked papers: candidates from the index, re-scored here.

One ranker serves completion, `citels search` and workspace symbols, so they always agree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rapidfuzz import fuzz

from citels.keys import SKIP_WORDS
from citels.papers import Hit, Paper
from citels.store import Store, match_expression
from citels.text import words

CANDIDATES = 200  # how many index matches are re-scored; bounded so cost is flat at scale
EXACT_KEY_BONUS = 100.0
KEY_PREFIX_BONUS = 10.0
CONTEXT_BONUS = 0.05  # a paper the document already cites wins a tie, not a clear loss


@dataclass(frozen=True)
class Query:
    """The typed text, folded into the words the index knows."""

    text: str
    tokens: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Query:
        tokens = words(text)
        significant = [t for t in tokens if t not in SKIP_WORDS]
        return cls(text.strip(), tuple(significant))


def rank(
    store: Store,
    text: str,
    *,
    limit: int = 20,
    prefix: bool = True,
    cited: Collection[str] = (),
) -> list[Hit]:
    """The best papers for `text`, best first; `prefix` treats the last word as unfinished."""
    query = Query.parse(text)
    if not query.tokens:
        return []  # only stop-words or punctuation: nothing rather than noise
    scored: dict[str, tuple[float, Paper]] = {}

    def offer(paper: Paper, score: float) -> None:
        assert paper.key
        best = scored.get(paper.key)
        if best is None or score > best[0]:
            scored[paper.key] = (score, paper)

    for paper, bm25 in _candidates(store, query, prefix):
        offer(paper, _text_score(query, paper, bm25, prefix))
    if " " not in query.text:
        for paper in store.keys_with_prefix(query.text, limit):
            exact = paper.key is not None and paper.key.lower() == query.text.lower()
            offer(paper, EXACT_KEY_BONUS if exact else KEY_PREFIX_BONUS)
    cited_lower = {key.lower() for key in cited}
    ordered = sorted(
        scored.values(),
        key=lambda item: (
            -(item[0] + (CONTEXT_BONUS if (item[1].key or "").lower() in cited_lower else 0)),
            (item[1].key or "").lower(),
        ),
    )
    return [Hit(paper, round(score, 4)) for score, paper in ordered[:limit]]


def _candidates(store: Store, query: Query, prefix: bool) -> list[tuple[Paper, float]]:
    """Papers with every word; if none, papers with any word."""
    tokens = list(query.tokens)
    hits = store.search(match_expression(tokens, prefix_last=prefix), CANDIDATES)
    if not hits and len(tokens) > 1:
        hits = store.search(match_expression(tokens, prefix_last=prefix, any_token=True),
                            CANDIDATES)
    return hits


def _text_score(query: Query, paper: Paper, bm25: float, prefix: bool) -> float:
    """How well the typed words fit the paper: mostly the title, then the abstract and bm25."""
    tokens = list(query.tokens)
    title_words = words(paper.title or "")
    matched = [_word_match(t, title_words, prefix and i == len(tokens) - 1)
               for i, t in enumerate(tokens)]
    coverage = sum(matched) / len(tokens)
    significant = [w for w in title_words if w not in SKIP_WORDS] or title_words
    # Of the title's words, how many did the writer type: "mirror descent" fits
    # "Mirror Descent" better than a long title that merely contains both words.
    precision = min(1.0, sum(1 for m in matched if m) / len(significant)) if significant else 0.0
    folded_title = " ".join(title_words)
    phrase = " ".join(tokens)
    in_order = bool(folded_title) and (f" {phrase}" in f" {folded_title}")
    at_start = in_order and folded_title.startswith(phrase)
    closeness = fuzz.partial_ratio(phrase, folded_title) / 100 if folded_title else 0.0
    return (3.0 * coverage + 1.0 * in_order + 1.0 * at_start + 0.5 * precision
            + 0.5 * closeness + bm25 / (bm25 + 10.0))


def _word_match(token: str, title_words: list[str], unfinished: bool) -> float:
    """1 for a title word typed in full (or being typed), 0.9 for a prefix, else 0."""
    best = 0.0
    for word in title_words:
        if word == token:
            return 1.0
        if word.startswith(token):
            best = max(best, 1.0 if unfinished else 0.9)
    return best
