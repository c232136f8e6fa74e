"""The catalogue a server answers from: which indexes (the workspace's own .bib files
first, then the corpus), opened and searched as one.

The corpus can be a million papers and is indexed once per corpus; the workspace's .bib
files are small and change often, so they get an index of their own (per workspace) rather
than forcing a rebuild of the corpus index. Searches ask both and merge; a paper in both is
shown once, under the key the user's file gives it. A store that fails is logged and
skipped, so one broken index never empties the whole list.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from citels.bibliography.locate import hayagriva_bibliographies
from citels.corpus.identifiers import Identifier
from citels.early_index import bib_files_found
from citels.indexes import WantedIndex, open_index, zotero_index
from citels.locations import workspace_database
from citels.papers import Hit, Paper
from citels.ranking import SEARCH_CEILING, rank, typed_as_only_a_key
from citels.store import Store
from citels.text import normalize_title
from citels.workspace import MAX_WORKSPACE_BIB_FILES, workspace_files

log = logging.getLogger("citels")
T = TypeVar("T")


class Catalogue:
    """Several stores searched as one; the first store's papers win a tie of keys or titles."""

    def __init__(self, stores: Sequence[Store]) -> None:
        self.stores = list(stores)

    def get(self, key: str) -> Paper | None:
        """The paper with this key, from the first store that has it."""
        return self._first(lambda store: store.get(key))

    def holds_identifier(self, identifier: Identifier) -> bool:
        """Whether any store has a paper with this (normalised) identifier."""
        return self._first(lambda store: True if store.papers_with_identifiers([identifier])
                           else None) is not None

    def source_location(self, key: str) -> tuple[str, int] | None:
        """The corpus file and line the paper with this key was read from."""
        return self._first(lambda store: store.source_location(key))

    def search(self, text: str, *, limit: int, cited: Collection[str] = ()) -> list[Hit]:
        """The best papers of every store; one paper in two stores is shown once, as the
        first store has it, at the better of its two scores."""
        best: dict[str, Hit] = {}  # by normalised title (or key, untitled)
        # A key of one store typed as only keys are (`Wang:201`): the others offer theirs
        # that start so, and no search.
        key_typed = False
        for store in self.stores:
            try:
                if not store.paper_total():
                    continue  # an empty workspace index: nothing to rank
                # Once the list is full, a store's hits must beat its last to be shown: keys
                # a library's typed keys fill it with leave the other stores no search.
                floor = SEARCH_CEILING + 1 if key_typed else \
                    sorted(hit.score for hit in best.values())[-limit] \
                    if len(best) >= limit else None
                hits = rank(store, text, limit=limit, cited=cited, floor=floor)
                key_typed = key_typed or typed_as_only_a_key(text) and any(
                    (hit.paper.key or "").lower().startswith(text.lower()) for hit in hits)
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


WORKSPACE_INDEX = "workspace bibliographies"  # what the workspace's index is called


def workspace_bib_files(roots: Iterable[Path]) -> list[Path]:
    """The .bib files below the workspace roots, and the Hayagriva (.yml) files its Typst
    documents declare (other YAML files are not bibliographies)."""
    roots = list(roots)
    bib = bib_files_found(roots)  # looked for as the server started
    if bib is None:
        bib = workspace_files(roots, (".bib",), MAX_WORKSPACE_BIB_FILES)
    return bib + [path for path in hayagriva_bibliographies(roots) if path not in bib]


WORKSPACE_INDEX = "workspace bibliographies"  # what the workspace's own index is called


def wanted_indexes(corpus: Sequence[Path], database: Path,
                   workspace_roots: Sequence[Path], zotero: Path | None = None,
                   looked_up: WantedIndex | None = None) -> list[WantedIndex]:
    """The workspace's bibliographies first (their keys win; left out while the workspace
    has none and no index of them), then the Zotero library `zotero` (the user's own keys
    too), then the corpus, then the papers looked up online (`looked_up`, when lookups are
    on)."""
    wanted = [WantedIndex(tuple(corpus), database, "corpus")]
    if looked_up is not None:
        wanted.append(looked_up)
    if zotero is not None:
        wanted.insert(0, zotero_index(zotero))
    if workspace_roots:
        files = tuple(workspace_bib_files(workspace_roots))
        own_database = workspace_database(workspace_roots)
        # No bibliography and no index yet: nothing to search, and making an empty index
        # took a new workspace's start 20-45 ms; it is made once a bibliography appears.
        if files or own_database.exists():
            wanted.insert(0, WantedIndex(files, own_database, WORKSPACE_INDEX))
    return wanted


def open_catalogue(wanted: Sequence[WantedIndex], report: Callable[[str], None]
                   ) -> tuple[Catalogue, list[WantedIndex]]:
    """The indexes that open, searched as one, and which those are; `report` hears why the
    others did not."""
    stores, opened = [], []
    for index in wanted:
        store, messages = open_index(index.database, index.what)
        for message in messages:
            report(message)
        if store is not None:
            stores.append(store)
            opened.append(index)
    return Catalogue(stores), opened


def _skip(store: Store, error: sqlite3.Error) -> None:
    log.warning("the index %s failed and was skipped: %s", store.path, error)
