"""Keys typed by their first letters: which papers' keys start with what was typed, and
where they go among the search results.

A writer who keys a library `oepen2019erg`, `Sun:2022` or `vaswaniAttentionAllYou2017`
types the key's first letters and expects it offered from the first one; a writer who types
a word of a title expects the paper it names first. Text typed as a key is typed (digits,
inner capitals, a colon, the capitals of keys that start so, a name's first letters that
no title or abstract has as a word, or one or two letters) puts the keys first; any other
word that starts keys keeps the best search result first and the keys just after it.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass

from citels.search_index import SearchIndex

EXACT_KEY_SCORE = 100.0
KEY_PREFIX_SCORE = 20.0  # above any search result's score
KEY_PLACES = 4  # keys a word is the start of get the places after the best search result...
KEY_PLACE_STEP = 1e-4  # ...each this much below the one before (scores are kept to 4 places)
LONG_AS_A_KEY = 10  # a word this long with no space is more often a key than a title's word
FEW_LETTERS = 2  # typed text this short that keys start with is taken as a key's start
# Typed as no word of a title is: a colon or underscore inside, a year begun after letters,
# a capital after a lower-case surname (`Wang:201`, `sun_moe`, `chen20`, `caiNeural`;
# `mRNA` and `iPhone` are words).
_ONLY_A_KEY = re.compile(r"\w[:_]|[:_]\w|[A-Za-z]\d\d|^[a-z]{2,}[A-Z]")


@dataclass(frozen=True)
class TypedKeys:
    """The papers whose key starts with the typed text, in the index's order (the key
    itself, then keys with the typed capitals, then the newest papers'), and whether the
    text was typed as a key."""

    text: str
    found: list[tuple[int, str]]
    key_like: bool

    def fill(self, limit: int) -> bool:
        """Whether these keys alone make the list: they fill it (no search result could
        come first), a single letter starts them (a search for it finds only noise), or the
        text is typed as only a key is (`Wang:201`): the keys come first whatever a search
        finds, so the search would only add papers after them, for most of a keystroke."""
        return bool(self.found) and (
            len(self.text) == 1 or (self.key_like and len(self.found) >= limit)
            or typed_as_only_a_key(self.text))

    def offer(self, scored: dict[int, tuple[float, str]],
              offer: Callable[[int, str, float], None]) -> None:
        """Offer the keys among the scored search results (see the module's docstring),
        each a step below the one before so their order is kept."""
        words_first = []
        for place, (paper_id, key) in enumerate(self.found):
            if key.lower() == self.text.lower():
                offer(paper_id, key, EXACT_KEY_SCORE)
            elif self.key_like:
                offer(paper_id, key, KEY_PREFIX_SCORE - KEY_PLACE_STEP * place)
            else:
                words_first.append((paper_id, key))
        # Keys of papers already shown near the top keep the places their words gave them.
        shown = heapq.nlargest(KEY_PLACES + 1, scored, key=lambda paper_id: scored[paper_id][0])
        words_first = [item for item in words_first if item[0] not in shown]
        if not words_first:
            return
        best = max((score for score, _ in scored.values()),
                   default=KEY_PLACE_STEP * KEY_PLACES)
        for place, (paper_id, key) in enumerate(words_first[:KEY_PLACES], start=1):
            offer(paper_id, key, best - KEY_PLACE_STEP * place)


def typed_keys(store: SearchIndex, text: str, limit: int) -> TypedKeys:
    """The keys starting with `text` (at most `limit`), and whether it was typed as a key."""
    found = store.keys_with_prefix(text, limit)
    # One or two letters say little of a title (many have a word starting so): keys written
    # so are what is typed a letter at a time.
    key_like = _looks_like_a_key(text) or (
        any(key.startswith(text) for _, key in found)
        and (len(text) <= FEW_LETTERS or text != text.lower() or (
            store.has_name_with_prefix(text.lower())
            and not store.document_frequency(text.lower()))))
    return TypedKeys(text, found, key_like)


def typed_as_only_a_key(text: str) -> bool:
    """Whether `text` is typed as a key is and no word of a title (see _ONLY_A_KEY)."""
    return _ONLY_A_KEY.search(text) is not None


def _looks_like_a_key(text: str) -> bool:
    """Typed as a key is typed (camelCase, digits, a colon or underscore, or long), not as
    a word of a title."""
    return (any(c.isupper() for c in text[1:]) or any(c.isdigit() for c in text)
            or ":" in text or "_" in text or len(text) >= LONG_AS_A_KEY)
