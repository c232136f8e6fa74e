"""Which papers are worth scoring: asked of the index as word groups, cheapest tier first.

The index finds candidates (people, venue and year with title words when a typed word is
mostly a name or a venue, or is a year; titles with every word, then abstracts, then all
but one word; typos corrected against its vocabulary; acronyms both ways); only these are
re-scored.
"""

from __future__ import annotations

from citels.ranking.query import TEXT_PREFIX_LENGTH, Query, Spellings, alternative_spellings
from citels.search_index import SearchIndex, Word, WordGroup

CANDIDATES = 60  # how many index matches are re-scored, at most
ENOUGH_CANDIDATES = 50  # titles found this many: abstracts are not searched
FEW_MATCHES = 5_000  # papers a word may have for the best-first order to be worth its cost
PREFIX_INDEXED = 3  # the titles index has prefix indexes for words' first 1 to 3 letters
# Of the candidates, at most this many come from people, venue and year, so papers whose
# title has every word still get their place.
WORK_CANDIDATES = CANDIDATES // 2
NEARBY_YEARS = (0, -1, 1)  # a remembered year is often off by one
NAME_SHARE = 10  # a word is a name when at least 1 in this many of its papers name someone


def candidates(store: SearchIndex, query: Query, spellings: Spellings) -> list[int]:
    """Ids of papers worth scoring, at most CANDIDATES, found in the cheapest way that works.

    Titles first: most writers type words of the title, and the titles index hands over
    its first matches (short titles first) without scoring every match. Only when titles
    give few: papers whose abstract has every word, then papers missing one typed word
    (a typo too far from any indexed word, a word the paper does not use).
    """
    found: dict[int, None] = {}  # ordered set
    groups = [_group(query, i, spellings) for i in range(len(query.tokens))]
    in_titles = store.search_titles(groups, CANDIDATES)
    # A word that is also someone's name ("deep", "young") in a query whose every word many
    # titles have is a title's word: the candidates are left to the titles. So is a query
    # none of whose words is mostly a name or a venue: at millions of papers nearly every
    # title word is some author's name, and each works search costs 10-20 ms there.
    if query.years or (_names_someone(store, query, spellings)
                        and len(in_titles) < ENOUGH_CANDIDATES):
        _add_work_matches(store, found, query, spellings)
    found.update(dict.fromkeys(in_titles))
    # Other spellings of typed runs: "stochastic gradient descent noise" also finds a title
    # that writes "SGD Noise"; "mad mix" finds "MaD-Mix" (indexed as madmix).
    alternatives = [(start, end, spelling, written)
                    for start, end, spelling, written in alternative_spellings(query.tokens)
                    if store.document_frequency(spelling)]  # no paper spells it so: skip
    for start, end, spelling, _ in alternatives:
        # Whether the paper writes the acronym itself, or it is only our made-up one, is
        # for the scorer to tell: the titles index keeps no columns.
        rest = groups[:start] + groups[end:]
        found.update(dict.fromkeys(
            store.search_titles([(Word(spelling),), *rest], CANDIDATES // 4)))
    if len(found) >= ENOUGH_CANDIDATES:
        return list(found)[:CANDIDATES]
    text_groups = [_group(query, i, spellings, in_texts=True) for i in range(len(groups))]
    frequencies = spellings.frequencies
    _add_text_matches(store, found, text_groups, frequencies)
    for start, end, spelling, _ in alternatives:
        if len(found) >= CANDIDATES:
            break  # what more searches would add is cut off below
        _add_text_matches(store, found,
                          [(Word(spelling),), *text_groups[:start], *text_groups[end:]],
                          [store.document_frequency(spelling), *frequencies[:start],
                           *frequencies[end:]], CANDIDATES // 4)
    if len(found) < ENOUGH_CANDIDATES and len([g for g in text_groups if g]) > 1:
        for left_out in range(len(text_groups)):
            if len(found) >= CANDIDATES:
                break  # what more searches would add is cut off below
            if text_groups[left_out]:
                _add_text_matches(store, found, _without(text_groups, left_out),
                                  _without(frequencies, left_out), CANDIDATES // 4)
    return list(found)[:CANDIDATES]


def _names_someone(store: SearchIndex, query: Query, spellings: Spellings) -> bool:
    """Whether a typed word is mostly a person's name, a venue or a year: at least one in
    NAME_SHARE of the papers with it have it there ("vaswani", "neurips"), not a title word
    that some names also have ("deep", "data")."""
    for index, (names, facets) in enumerate(spellings.facets):
        if not names + facets:
            continue
        unfinished = query.last_unfinished and index == len(query.tokens) - 1
        # A word being typed counts as written so far (its frequency is unknown).
        frequency = store.document_frequency(query.tokens[index]) if unfinished \
            else spellings.frequencies[index]
        if (names + facets) * NAME_SHARE >= frequency:
            return True
    return False


def _add_work_matches(store: SearchIndex, found: dict[int, None], query: Query,
                      spellings: Spellings) -> None:
    """Papers by the people named, with the title words, venue and year typed, newest first;
    then, while few, in a nearby year, in any year, and missing one typed word."""
    groups = [_work_group(query, i, spellings) for i in range(len(query.tokens))]
    exact = tuple(Word(str(year)) for year in query.years)
    nearby = tuple(Word(str(year + step)) for year in query.years for step in NEARBY_YEARS)
    tries = [(groups, [exact]), (groups, [nearby]), (groups, [])] if exact else [(groups, [])]
    if len([g for g in groups if g]) > 1:
        tries += [(_without(groups, i), [nearby] if nearby else [])
                  for i in range(len(groups)) if groups[i]]
    for tried_groups, facet_groups in tries:
        if len(found) >= WORK_CANDIDATES or not (any(tried_groups) or any(facet_groups)):
            break
        found.update(dict.fromkeys(store.search_works(
            tried_groups, facet_groups, WORK_CANDIDATES - len(found))))


def _work_group(query: Query, index: int, spellings: Spellings) -> WordGroup:
    """One query word as the works index is asked for it; a one-letter unfinished word is
    no constraint (the works index has prefix indexes from two letters)."""
    token = query.tokens[index]
    corrected = tuple(Word(word) for word in sorted(spellings.corrected[index]))
    if query.last_unfinished and index == len(query.tokens) - 1:
        return (Word(token, prefix=True), *corrected) if len(token) >= 2 else ()
    return (Word(token), *corrected)


def _without(items: list, index: int) -> list:
    """The list without its item at `index`."""
    return items[:index] + items[index + 1:]


def _add_text_matches(store: SearchIndex, found: dict[int, None], groups: list[WordGroup],
                      frequencies: list[int], limit: int = CANDIDATES) -> None:
    """Papers whose title and abstract words match every group.

    The index's first matches are all of them when the rarest word is in no more papers
    than the limit. Otherwise the index picks the best, but only when every word is rare
    enough: it counts the papers of each word, which costs as much as the commonest has.
    """
    used = [(group, frequency) for group, frequency in zip(groups, frequencies, strict=True)
            if group]
    if not used:
        return
    counts = [frequency for _, frequency in used]
    best_first = min(counts) > limit and max(counts) <= FEW_MATCHES
    found.update(dict.fromkeys(store.search_texts(
        [group for group, _ in used], limit, best_first=best_first)))


def _group(query: Query, index: int, spellings: Spellings, *,
           in_texts: bool = False) -> WordGroup:
    """One query word as the group of its spellings (empty: no constraint, left out).

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
    return tuple(Word(word, as_prefix and i == 0) for i, word in enumerate(spelt))
