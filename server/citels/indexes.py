"""Which indexes to answer from, decided once for the command line and the server alike.

The corpus and its database come from the command line first, then the settings, then the
defaults; a workspace's own .bib files get an index of their own. Opening them skips (and
reports) one that cannot be opened rather than failing the others.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from citels.catalogue import Catalogue
from citels.indexer import IndexReport, index_corpus
from citels.locations import default_corpus, default_database, workspace_database
from citels.migrations import SchemaTooNew
from citels.store import Store, open_store
from citels.workspace import workspace_files

MAX_WORKSPACE_BIB_FILES = 200


@dataclass(frozen=True)
class WantedIndex:
    """An index to open: the files it holds, its database, and what to call it in messages."""

    paths: tuple[Path, ...]
    database: Path
    what: str


def corpus_paths(cli: Sequence[Path] | None = None, settings: Sequence[str] = ()) -> list[Path]:
    """The corpus: the command line's, else the settings' (`~` expanded), else the default."""
    if cli:
        return list(cli)
    if settings:
        return [Path(p).expanduser() for p in settings]
    return default_corpus()


def database_path(corpus: Sequence[Path], cli: Path | None = None,
                  settings: str | None = None) -> Path:
    """The corpus's database: the command line's, else the settings', else one per corpus."""
    if cli:
        return cli
    if settings:
        return Path(settings).expanduser()
    return default_database(corpus)


def workspace_bib_files(roots: Iterable[Path]) -> list[Path]:
    """The .bib files below the workspace roots."""
    return workspace_files(list(roots), (".bib",), MAX_WORKSPACE_BIB_FILES)


def wanted_indexes(corpus: Sequence[Path], database: Path,
                   workspace_roots: Sequence[Path]) -> list[WantedIndex]:
    """The workspace's bibliographies first (their keys win), then the corpus."""
    wanted = [WantedIndex(tuple(corpus), database, "corpus")]
    if workspace_roots:
        wanted.insert(0, WantedIndex(tuple(workspace_bib_files(workspace_roots)),
                                     workspace_database(workspace_roots),
                                     "workspace bibliographies"))
    return wanted


def open_index(database: Path, what: str = "") -> tuple[Store | None, list[str]]:
    """An index opened (a corrupt one set aside), or None; and the messages for the user."""
    try:
        store, message = open_store(database)
    except (sqlite3.Error, SchemaTooNew, OSError) as error:
        name = f"{what} index" if what else "index"
        return None, [f"cannot open the {name} {database}: {error}"]
    return store, [message] if message else []


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


def paper_stats(stores: Iterable[Store]) -> dict[str, int]:
    """How many papers the stores hold: in all, titled, and known by their abstract only."""
    papers = titled = 0
    for store in stores:
        count, with_title = store.paper_counts()
        papers, titled = papers + count, titled + with_title
    return {"papers": papers, "titled": titled, "abstract_only": papers - titled}


def index_in_own_connection(index: WantedIndex) -> IndexReport:
    """Bring an index up to date with a connection of its own (for a worker thread):
    readers keep the old index until this one commits."""
    store = Store(index.database)
    try:
        return index_corpus(store, list(index.paths))
    finally:
        store.close()
