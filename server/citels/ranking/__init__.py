"""Turn what the writer typed into ranked papers: candidates from the index, re-scored here.

One ranker serves completion, `citels search` and workspace symbols, so they always agree.
It asks a `citels.search_index.SearchIndex` (the SQLite store, or a fake in tests) for
candidates (`candidates.py`), the cheapest way first; a bounded number of them are
re-scored (`scoring.py`) on how the typed words (`query.py`) fit them, so the cost per
keystroke does not grow with the corpus.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection

from citels.papers import Hit
from citels.ranking.candidates import candidates
from citels.ranking.presence import presence as presence_of
from citels.ranking.query import Query, spellings_of
from citels.ranking.scoring import BEST_SCORE
from citels.ranking.scoring import bound as score_bound
from citels.ranking.scoring import score as fit_score
from citels.ranking.typed_keys import typed_as_only_a_key, typed_keys
from citels.search_index import SearchIndex

IDENTIFIER_SCORE = 200.0  # a pasted DOI or arXiv id names its paper: nothing comes before
CONTEXT_BONUS = 0.3  # a paper the document already cites wins a near-tie, not a clear loss
SCORE_ROUNDING = 1e-3  # scores are compared rounded: a bound this close is not yet beaten
# No search result scores above this (typed keys and identifiers do).
SEARCH_CEILING = BEST_SCORE + CONTEXT_BONUS

__all__ = ["Query", "SEARCH_CEILING", "rank", "typed_as_only_a_key"]


def rank(
    store: SearchIndex,
    text: str,
    *,
    limit: int = 20,
    prefix: bool = True,
    cited: Collection[str] = (),
    floor: float | None = None,
) -> list[Hit]:
    """The best papers for `text`, best first; `prefix` treats the last word as unfinished.

    `floor`: the score a hit must beat to be listed (another store's list is full down to
    it); above SEARCH_CEILING no search result could, so only typed keys are looked up."""
    query = Query.parse(text, prefix=prefix)
    scored: dict[int, tuple[float, str]] = {}  # paper id -> (score, key)

    def offer(paper_id: int, key: str, score: float) -> None:
        best = scored.get(paper_id)
        if best is None or score > best[0]:
            scored[paper_id] = (score, key)

    if query.identifiers:
        for candidate in store.candidates(store.papers_with_identifiers(query.identifiers)):
            offer(candidate.id, candidate.key, IDENTIFIER_SCORE)
        if scored:  # the digits of a pasted identifier say nothing more
            return _hits(store, scored, limit, lambda key: 0.0)
    if not query.tokens:
        return []  # only stop-words or punctuation: nothing rather than noise
    cited_lower = {key.lower() for key in cited}

    def bonus(key: str) -> float:
        return CONTEXT_BONUS if key.lower() in cited_lower else 0.0

    keys = typed_keys(store, query.text, limit) if " " not in query.text else None
    searched_in_vain = floor is not None and floor > SEARCH_CEILING
    if keys is not None and (keys.fill(limit) or searched_in_vain):
        keys.offer(scored, offer)  # a key being typed: no search result could come first
        return _hits(store, scored, limit, bonus)
    if searched_in_vain:
        return []
    spellings = spellings_of(store, query)

    # The best each candidate could score (as if its abstract fitted wherever its title does
    # not) comes cheap; the exact score reads the abstract, so it is worked out, best bound
    # first, only while the candidate could still be among the `limit` best.
    found = store.candidates(candidates(store, query, spellings))
    presence = presence_of(store, query, spellings) if found else None
    bounded = sorted(
        ((*score_bound(query, spellings, c, presence=presence), c) for c in found),
        key=lambda item: -(item[0] + bonus(item[2].key)))
    best: list[float] = []  # a heap of the `limit` best exact scores so far
    for bound, exact, candidate in bounded:
        if len(best) == limit and bound + bonus(candidate.key) + SCORE_ROUNDING < best[0]:
            break
        # A bound that assumed nothing of the abstract is the score itself.
        score = bound if exact else fit_score(query, spellings, candidate, presence=presence)
        offer(candidate.id, candidate.key, score)
        (heapq.heappush if len(best) < limit else heapq.heappushpop)(
            best, score + bonus(candidate.key))
    if keys is not None:
        keys.offer(scored, offer)
    return _hits(store, scored, limit, bonus)


def _hits(store: SearchIndex, scored: dict[int, tuple[float, str]], limit: int,
          bonus: Callable[[str], float]) -> list[Hit]:
    """The `limit` best scored papers as hits, best first."""
    ranked = sorted(
        ((round(score + bonus(key), 4), key, pid) for pid, (score, key) in scored.items()),
        # Best first; equal scores by key, so the order never depends on the index's.
        key=lambda item: (-item[0], item[1].lower()))[:limit]
    papers = store.papers_by_id(pid for _, _, pid in ranked)  # decoded for the shown few only
    return [Hit(papers[pid], score) for score, _, pid in ranked if pid in papers]
