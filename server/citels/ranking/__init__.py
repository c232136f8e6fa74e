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
from citels.ranking.scoring import score as fit_score
from citels.search_index import SearchIndex

IDENTIFIER_SCORE = 200.0  # a pasted DOI or arXiv id names its paper: nothing comes before
EXACT_KEY_SCORE = 100.0
KEY_PREFIX_SCORE = 20.0
KEY_PLACES = 4  # keys a word is the start of get the places after the best search result...
KEY_PLACE_STEP = 1e-4  # ...each this much below the one before (scores are kept to 4 places)
CONTEXT_BONUS = 0.3  # a paper the document already cites wins a near-tie, not a clear loss
SCORE_ROUNDING = 1e-3  # scores are compared rounded: a bound this close is not yet beaten

__all__ = ["Query", "rank"]


def rank(
    store: SearchIndex,
    text: str,
    *,
    limit: int = 20,
    prefix: bool = True,
    cited: Collection[str] = (),
) -> list[Hit]:
    """The best papers for `text`, best first; `prefix` treats the last word as unfinished."""
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
    spellings = spellings_of(store, query)
    cited_lower = {key.lower() for key in cited}

    def bonus(key: str) -> float:
        return CONTEXT_BONUS if key.lower() in cited_lower else 0.0

    # The best each candidate could score (as if its abstract fitted wherever its title does
    # not) comes cheap; the exact score reads the abstract, so it is worked out, best bound
    # first, only while the candidate could still be among the `limit` best.
    found = store.candidates(candidates(store, query, spellings))
    presence = presence_of(store, query, spellings) if found else None
    bounded = sorted(
        ((fit_score(query, spellings, c, optimistic=True, presence=presence) + bonus(c.key), c)
         for c in found),
        key=lambda item: -item[0])
    best: list[float] = []  # a heap of the `limit` best exact scores so far
    for bound, candidate in bounded:
        if len(best) == limit and bound + SCORE_ROUNDING < best[0]:
            break
        score = fit_score(query, spellings, candidate, presence=presence)
        offer(candidate.id, candidate.key, score)
        (heapq.heappush if len(best) < limit else heapq.heappushpop)(
            best, score + bonus(candidate.key))
    if " " not in query.text:
        _offer_keys(store, query.text, limit, scored, offer)
    return _hits(store, scored, limit, bonus)


def _offer_keys(store: SearchIndex, text: str, limit: int,
                scored: dict[int, tuple[float, str]],
                offer: Callable[[int, str, float], None]) -> None:
    """Papers whose key starts with the typed word: an exact key first of all; a key
    prefix typed as keys are typed (camelCase, digits, a colon, long, or with the capitals
    of keys that start so) before every search result;
    any other prefix of keys (`oep` for oepen2019erg) just after the best search result,
    in KEY_PLACES places, so a writer typing a key sees it from the first letters on
    while the paper the words fit best stays first."""
    prefixed = []
    # In the index's order (keys_with_prefix: the closest and newest first), kept by scores
    # a step apart.
    found = store.keys_with_prefix(text, limit)
    # Typed with a capital that keys are written with (`Sun` for Sun:2022), or the start of
    # a person's name that keys start with and no title or abstract has as a word (`zho`
    # for zhou2021curriculum; `deep` stays a search): a key too.
    key_like = _looks_like_a_key(text) or (
        any(key.startswith(text) for _, key in found)
        and (text != text.lower() or (store.has_name_with_prefix(text)
                                      and not store.document_frequency(text))))
    for place, (paper_id, key) in enumerate(found):
        if key.lower() == text.lower():
            offer(paper_id, key, EXACT_KEY_SCORE)
        elif key_like:
            offer(paper_id, key, KEY_PREFIX_SCORE - KEY_PLACE_STEP * place)
        else:
            prefixed.append((paper_id, key))
    # Keys of papers already shown near the top keep the places their words gave them.
    shown = heapq.nlargest(KEY_PLACES + 1, scored, key=lambda paper_id: scored[paper_id][0])
    prefixed = [item for item in prefixed if item[0] not in shown]
    if not prefixed:
        return
    best = max((score for score, _ in scored.values()), default=KEY_PLACE_STEP * KEY_PLACES)
    for place, (paper_id, key) in enumerate(prefixed[:KEY_PLACES], start=1):
        offer(paper_id, key, best - KEY_PLACE_STEP * place)


def _hits(store: SearchIndex, scored: dict[int, tuple[float, str]], limit: int,
          bonus: Callable[[str], float]) -> list[Hit]:
    """The `limit` best scored papers as hits, best first."""
    ranked = sorted(
        ((round(score + bonus(key), 4), key, pid) for pid, (score, key) in scored.items()),
        # Best first; equal scores by key, so the order never depends on the index's.
        key=lambda item: (-item[0], item[1].lower()))[:limit]
    papers = store.papers_by_id(pid for _, _, pid in ranked)  # decoded for the shown few only
    return [Hit(papers[pid], score) for score, _, pid in ranked if pid in papers]


def _looks_like_a_key(text: str) -> bool:
    """Typed as a key is typed (camelCase, digits, a colon or underscore, or long), not as
    a word of a title."""
    return (any(c.isupper() for c in text[1:]) or any(c.isdigit() for c in text)
            or ":" in text or "_" in text or len(text) >= 10)
