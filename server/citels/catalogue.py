"""The catalogue a server answers from: several paper stores searched as one.

The corpus can be a million papers and is indexed once per corpus; the workspace's .bib
files are small and change often, so they get an index of their own (per workspace) rather
than forcing a rebuild of the corpus index. Searches ask both and merge; a paper in both is
shown once, under the key the user's file gives it. A store that fails is logged and
skipped, so one broken index never empties the whole list.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

from citels.papers import Hit, Paper
from citels.ranking import rank
from citels.store import Store
from citels.text import normalize_title

log = logging.getLogger("citels")
T = TypeVar("T")


class Catalogue:
    """Several stores searched as one; the first store's papers win a tie of keys or titles."""

    def __init__(self, stores: Sequence[Store]) -> None:
        self.stores = list(stores)

    def get(self, key: str) -> Paper | None:
        """The paper with this key, from the first store that has it."""
        return self._first(lambda store: store.get(key))

    def source_location(self, key: str) -> tuple[str, int] | None:
        """The corpus file and line the paper with this key was read from."""
        return self._first(lambda store: store.source_location(key))

    def search(self, text: str, *, limit: int, cited: Collection[str] = ()) -> list[Hit]:
        """The best papers of every store; one paper in two stores is shown once, as the
        first store has it, at the better of its two scores."""
        best: dict[str, Hit] = {}  # by normalised title (or key, untitled)
        for store in self.stores:
            try:
                if not store.paper_total():
                    continue  # an empty workspace index: nothing to rank
                hits = rank(store, text, limit=limit, cited=cited)
            except sqlite3.Error as error:
                _skip(store, error)
                continue
            for hit in hits:
                paper = hit.paper
                identity = normalize_title(paper.title) if paper.title else f"key:{paper.key}"
                kept = best.get(identity)
                if kept is None:
                    best[identity] = hit
                elif hit.score > kept.score:
                    best[identity] = Hit(kept.paper, hit.score)
        ordered = sorted(best.values(), key=lambda h: (-h.score, (h.paper.key or "").lower()))
        return ordered[:limit]

    def _first(self, ask: Callable[[Store], T | None]) -> T | None:
        """The first store's answer that is not None."""
        for store in self.stores:
            try:
                answer = ask(store)
            except sqlite3.Error as error:
                _skip(store, error)
                continue
            if answer is not None:
                return answer
        return None

    def close(self) -> None:
        """Close every store."""
        for store in self.stores:
            store.close()


def _skip(store: Store, error: sqlite3.Error) -> None:
    log.warning("the index %s failed and was skipped: %s", store.path, error)
