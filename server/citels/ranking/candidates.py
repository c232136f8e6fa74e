"""Which papers are worth scoring: asked of the index as word groups, cheapest tier first.

The index finds candidates (people, venue and year with title words when a typed word is
mostly a name or a venue, or is a year; titles with every word, then abstracts, then all
but one word; typos corrected against its vocabulary; acronyms both ways); only these are
re-scored.
"""

from __future__ import annotations

from collections.abc import Callable

from citels.ranking.query import (
    TEXT_PREFIX_LENGTH,
    Query,
    Spellings,
    alternative_spellings,
)
from citels.search_index import SearchIndex, Word, WordGroup

CANDIDATES = 60  # how many index matches are re-scored, at most
ENOUGH_CANDIDATES = 50  # titles found this many: abstracts are not searched
FEW_FOUND = 15  # fewer found with every word: other spellings are looked for in abstracts
FEW_MATCHES = 5_000  # papers a word may have for the best-first order to be worth its cost
PREFIX_INDEXED = 3  # the titles index has prefix indexes for words' first 1 to 3 letters
WORKS_PREFIX_INDEXED = 3  # the works index, for their first 2 and 3 letters
SHORTEST_CONSTRAINT = 3  # letters of a word being typed after others that narrow titles
# Of the candidates, at most this many come from people, venue and year, so papers whose
# title has every word still get their place.
WORK_CANDIDATES = CANDIDATES // 2
NEARBY_YEARS = (0, -1, 1)  # a remembered year is often off by one
NAME_SHARE = 10  # a word is a name when at least 1 in this many of its papers name someone


def candidates(store: SearchIndex, query: Query, spellings: Spellings) -> list[int]:
    """Ids of papers worth scoring, at most CANDIDATES, found in the cheapest way that works.

    Titles first: most writers type words of the title, and the titles index hands over
    its first matches (short titles first) without scoring every match. Only when titles
    give few: papers whose abstract has every word; and only when no title has them all:
    other spellings in abstracts, then papers missing one typed word (a typo too far from
    any indexed word, a word the paper does not use).
    """
    found: dict[int, None] = {}  # ordered set
    groups = [_group(query, i, spellings) for i in range(len(query.tokens))]
    in_titles = _while_typing(lambda tried: store.search_titles(tried, CANDIDATES),
                              CANDIDATES, groups, _typing(query, 0))
    # A word that is also someone's name ("deep", "young") in a query whose every word many
    # titles have is a title's word: the candidates are left to the titles. So is a query
    # none of whose words is mostly a name or a venue: at millions of papers nearly every
    # title word is some author's name, and each works search costs 10-20 ms there.
    if query.years or (_names_someone(store, query, spellings)
                        and len(in_titles) < ENOUGH_CANDIDATES):
        _add_work_matches(store, found, query, spellings, all_in_a_title=bool(in_titles))
    found.update(dict.fromkeys(in_titles))
    # Other spellings of typed runs: "stochastic gradient descent noise" also finds a title
    # that writes "SGD Noise"; "mad mix" finds "MaD-Mix" (indexed as madmix).
    alternatives = [(start, end, spelling, written)
                    for start, end, spelling, written in alternative_spellings(query.tokens)
                    if store.document_frequency(spelling)]  # no paper spells it so: skip
    for start, end, spelling, _ in alternatives:
        # Whether the paper writes the acronym itself, or it is only our made-up one, is
        # for the scorer to tell: the titles index keeps no columns.
        found.update(dict.fromkeys(_while_typing(
            lambda tried: store.search_titles(tried, CANDIDATES // 4), CANDIDATES // 4,
            [(Word(spelling),), *groups[:start], *groups[end:]], _typing(query, end))))
    if len(found) >= ENOUGH_CANDIDATES:
        return list(found)[:CANDIDATES]
    text_groups = [_group(query, i, spellings, in_texts=True) for i in range(len(groups))]
    frequencies = spellings.frequencies
    _add_all_word_text_matches(store, found, query, text_groups, frequencies)
    if in_titles:
        # A title has every typed word (every finished one, while the last is typed): that
        # is what the writer is typing. Other spellings in abstracts and papers missing a
        # typed word are not looked for (at millions of papers each costs 5-20 ms).
        return list(found)[:CANDIDATES]
    for start, end, spelling, _ in alternatives if len(found) < FEW_FOUND else ():
        if len(found) >= CANDIDATES:
            break  # what more searches would add is cut off below
        _add_text_matches(store, found,
                          [(Word(spelling),), *text_groups[:start], *text_groups[end:]],
                          [store.document_frequency(spelling), *frequencies[:start],
                           *frequencies[end:]], CANDIDATES // 4, typing=_typing(query, end))
    # Papers missing one typed word: a typo too far from any word, a word misremembered.
    if len(found) < ENOUGH_CANDIDATES and len([g for g in text_groups if g]) > 1:
        for left_out in range(len(text_groups)):
            if len(found) >= CANDIDATES:
                break  # what more searches would add is cut off below
            if text_groups[left_out]:
                # Papers missing this word only: those with it too are found already.
                _add_text_matches(store, found, *_left_out(query, left_out, text_groups,
                                                           frequencies), CANDIDATES // 4,
                                  excluded=text_groups[left_out])
    return list(found)[:CANDIDATES]


def _names_someone(store: SearchIndex, query: Query, spellings: Spellings) -> bool:
    """Whether a typed word is mostly a person's name, a venue or a year: at least one in
    NAME_SHARE of the papers with it have it there ("vaswani", "neurips"), not a title word
    that some names also have ("deep", "data")."""
    for index, (names, facets) in enumerate(spellings.facets):
        if not names + facets:
            continue
        unfinished = query.last_unfinished and index == len(query.tokens) - 1
        if unfinished and len(query.tokens[index]) < 2:
            continue  # one letter typed: every initial is someone's, and no works constraint
        # A word being typed counts as every title and abstract word it can become: "huma"
        # is someone's name, but the writer is more likely typing "human".
        frequency = store.completions(query.tokens[index], 1)[1] if unfinished \
            else spellings.frequencies[index]
        if (names + facets) * NAME_SHARE >= frequency:
            return True
    return False


def _add_work_matches(store: SearchIndex, found: dict[int, None], query: Query,
                      spellings: Spellings, *, all_in_a_title: bool) -> None:
    """Papers by the people named, with the title words, venue and year typed, newest first;
    then, while few, in a nearby year, in any year, and (unless `all_in_a_title`: a title
    has every typed word) missing one typed word."""
    groups = [_work_group(query, i, spellings) for i in range(len(query.tokens))]
    exact = tuple(Word(str(year)) for year in query.years)
    nearby = tuple(Word(str(year + step)) for year in query.years for step in NEARBY_YEARS)
    tries = [(groups, [exact], False), (groups, [nearby], False), (groups, [], False)] \
        if exact else [(groups, [], False)]
    if len([g for g in groups if g]) > 1 and not all_in_a_title:
        tries += [(_without(groups, i), [nearby] if nearby else [], _typing(query, i + 1))
                  for i in range(len(groups)) if groups[i]]
    for tried_groups, facet_groups, typing in tries:
        if len(found) >= WORK_CANDIDATES or not (any(tried_groups) or any(facet_groups)):
            break
        limit = WORK_CANDIDATES - len(found)
        found.update(dict.fromkeys(_while_typing(
            lambda tried, facets=facet_groups, limit=limit: store.search_works(
                tried, facets, limit), limit, tried_groups, typing)))


def _work_group(query: Query, index: int, spellings: Spellings) -> WordGroup:
    """One query word as the works index is asked for it; a one-letter unfinished word is
    no constraint (the works index has prefix indexes of two and three letters). A longer
    unfinished word that can become common words is asked as its commonest completions,
    in titles and in names: as a prefix query the index would read every document of
    every word it can become."""
    token = query.tokens[index]
    corrected = tuple(Word(word) for word in sorted(spellings.corrected[index]))
    if not (query.last_unfinished and index == len(query.tokens) - 1):
        return (Word(token), *corrected)
    if len(token) < 2:
        return ()
    if len(token) <= WORKS_PREFIX_INDEXED or \
            spellings.completed_papers + spellings.completed_names <= FEW_MATCHES:
        return (Word(token, prefix=True), *corrected)
    words = dict.fromkeys([*spellings.completions, *spellings.name_completions])
    return tuple(Word(word) for word in words)


def _typing(query: Query, end: int) -> bool:
    """Whether the typed words after `end` end with the word still being typed."""
    return query.last_unfinished and end < len(query.tokens)


def _while_typing(search: Callable[[list[WordGroup]], list[int]], limit: int,
                  groups: list[WordGroup], typing: bool) -> list[int]:
    """`search(groups)`, whose last group is the word being typed when `typing`.

    The other groups are searched first, and when they match fewer papers than the limit,
    all of those are the answer (the scorer weighs the word being typed). That search is
    the same at the next keystroke, so its answer is kept, where one with the word being
    typed is asked anew each time, at a cost that grows with the papers of the words it
    can become.
    """
    if typing and groups[-1] and any(groups[:-1]):
        with_others = search(groups[:-1])
        if len(with_others) < limit:
            return with_others
    return search(groups)


def _left_out(query: Query, index: int, groups: list[WordGroup], frequencies: list[int]
              ) -> tuple[list[WordGroup], list[int]]:
    """The groups and frequencies of the typed words but the one at `index`, for the last
    tier; while a word is being typed and two other words are left, without that word
    too: such a search is the same at the next keystroke, so its answer is kept."""
    groups, frequencies = _without(groups, index), _without(frequencies, index)
    if _typing(query, index + 1) and len([group for group in groups if group]) > 2:
        return groups[:-1], frequencies[:-1]
    return groups, frequencies


def _without(items: list, index: int) -> list:
    """The list without its item at `index`."""
    return items[:index] + items[index + 1:]


def _add_all_word_text_matches(store: SearchIndex, found: dict[int, None], query: Query,
                               groups: list[WordGroup], frequencies: list[int]) -> None:
    """Papers whose title and abstract words match every group.

    While the last word is typed as its commonest completions (any of several common words, the
    costliest part of such a search at millions of papers), the papers with every finished
    word are asked first: when they are few enough to be scored, all of them are, the
    scorer weighs the word being typed, and the answer is kept from keystroke to keystroke.
    """
    if _typing(query, 0) and groups[-1] and any(groups[:-1]):
        with_finished = _text_matches(store, groups[:-1], frequencies[:-1], CANDIDATES)
        if len(with_finished) < CANDIDATES and \
                len(found.keys() | set(with_finished)) <= CANDIDATES:
            found.update(dict.fromkeys(with_finished))  # every paper with the finished words
            return
    _add_text_matches(store, found, groups, frequencies)


def _add_text_matches(store: SearchIndex, found: dict[int, None], groups: list[WordGroup],
                      frequencies: list[int], limit: int = CANDIDATES, *,
                      typing: bool = False, excluded: WordGroup = ()) -> None:
    """Papers whose title and abstract words match every group and have no word of
    `excluded` (`_while_typing` when the last group is the word being typed)."""
    found.update(dict.fromkeys(_while_typing(
        lambda tried: _text_matches(store, tried, frequencies[:len(tried)], limit,
                                    excluded), limit, groups, typing)))


def _text_matches(store: SearchIndex, groups: list[WordGroup], frequencies: list[int],
                  limit: int, excluded: WordGroup = ()) -> list[int]:
    """Papers whose title and abstract words match every group and have no word of
    `excluded`, at most `limit`.

    The index's first matches are all of them when the rarest word is in no more papers
    than the limit. Otherwise the index picks the best, but only when every word is rare
    enough: it counts the papers of each word, which costs as much as the commonest has.
    """
    used = [(group, frequency) for group, frequency in zip(groups, frequencies, strict=True)
            if group]
    if not used:
        return []
    counts = [frequency for _, frequency in used]
    best_first = min(counts) > limit and max(counts) <= FEW_MATCHES
    return store.search_texts([group for group, _ in used], limit, best_first=best_first,
                              excluded=excluded)


def _group(query: Query, index: int, spellings: Spellings, *,
           in_texts: bool = False) -> WordGroup:
    """One query word as the group of its spellings (empty: no constraint, left out).

    A word still being typed is a prefix query where a prefix index serves it (up to
    PREFIX_INDEXED letters, titles only) or where the words it can become are rare;
    otherwise its commonest completions: a prefix query with neither reads every
    document of every word it could become. One or two letters typed after other words
    are no constraint yet: a third of all titles or more have a word starting so, and
    asking for them with the other words costs ten times as much as the other words alone.
    """
    token = query.tokens[index]
    unfinished = index == len(query.tokens) - 1 and query.last_unfinished
    if unfinished and len(token) < SHORTEST_CONSTRAINT and index > 0:
        return ()
    # The titles and texts indexes also hold keys, which start with a surname: "zhang"
    # starts 60,000 of them at 3M papers, each a word a prefix query reads.
    papers = spellings.completed_papers + spellings.completed_names
    as_prefix = unfinished and (
        (not in_texts and len(token) <= PREFIX_INDEXED)
        or (len(token) >= TEXT_PREFIX_LENGTH and papers <= FEW_MATCHES))
    if unfinished and not as_prefix:
        spelt = spellings.completions  # nothing, for a short word in the abstracts
    else:
        spelt = [token, *sorted(spellings.corrected[index])]
    return tuple(Word(word, as_prefix and i == 0) for i, word in enumerate(spelt))
