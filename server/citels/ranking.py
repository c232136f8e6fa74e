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
from citels.text import fold_for_search, words

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
        offer(paper, _text_score(query, paper, bm25))
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


def _text_score(query: Query, paper: Paper, bm25: float) -> float:
    """Blend the index's bm25 with how closely the typed words match the title."""
    typed = " ".join(query.tokens)
    title = fold_for_search(paper.title or "")
    # partial_ratio: the typed words as a stretch of the title ("mirror desc" in "mirror descent ...")
    closeness = fuzz.partial_ratio(typed, title) / 100 if title else 0.0
    return bm25 / (bm25 + 10.0) + closeness
