"""The papers a server answers from: the corpus index, and the workspace's own .bib files.

The corpus can be a million papers and is indexed once per corpus; the workspace's .bib
files are small and change often, so they get an index of their own (per workspace) rather
than forcing a rebuild of the corpus index. Searches ask both and merge; a paper in both is
shown once, under the key the user's file gives it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from citels.indexer import IndexReport, index_corpus
from citels.papers import Hit, Paper
from citels.ranking import rank
from citels.store import Store
from citels.text import normalize_title
from citels.workspace import workspace_files

MAX_WORKSPACE_BIB_FILES = 200


def workspace_bib_files(roots: Iterable[Path]) -> list[Path]:
    """The .bib files below the workspace roots."""
    return workspace_files(list(roots), (".bib",), MAX_WORKSPACE_BIB_FILES)


class Library:
    """Several stores searched as one; the first store's papers win a tie of keys or titles."""

    def __init__(self, stores: Sequence[Store]) -> None:
        self.stores = list(stores)

    def get(self, key: str) -> Paper | None:
        for store in self.stores:
            paper = store.get(key)
            if paper is not None:
                return paper
        return None

    def source_location(self, key: str) -> tuple[str, int] | None:
        for store in self.stores:
            location = store.source_location(key)
            if location is not None:
                return location
        return None

    def search(self, text: str, *, limit: int, cited: Collection[str] = ()) -> list[Hit]:
        """The best papers of every store; one paper in two stores is shown once, as the
        first store has it, at the better of its two scores."""
        best: dict[str, Hit] = {}  # by normalised title (or key, untitled)
        for store in self.stores:
            if not store.paper_total():
                continue  # an empty workspace index: nothing to rank
            for hit in rank(store, text, limit=limit, cited=cited):
                paper = hit.paper
                identity = normalize_title(paper.title) if paper.title else f"key:{paper.key}"
                kept = best.get(identity)
                if kept is None:
                    best[identity] = hit
                elif hit.score > kept.score:
                    best[identity] = Hit(kept.paper, hit.score)
        ordered = sorted(best.values(), key=lambda h: (-h.score, (h.paper.key or "").lower()))
        return ordered[:limit]

    def close(self) -> None:
        for store in self.stores:
            store.close()


def index_in_own_connection(paths: list[Path], database: Path) -> IndexReport:
    """Index with a connection of its own (for a worker thread): readers keep the old index
    until this one commits."""
    store = Store(database)
    try:
        return index_corpus(store, paths)
    finally:
        store.close()
