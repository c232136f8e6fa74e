"""Which index to answer from, decided once for the command line and the server alike.

The corpus and its database come from the command line first, then the settings, then the
defaults. An index that cannot be opened is a message for the user, not a crash; the
server's catalogue (`citels.catalogue`) opens several this way and skips the failing ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from citels.index_progress import ProgressListener
from citels.locations import default_corpus, default_database
from citels.store import Store, open_store
from citels.store.migrations import SchemaTooNew

if TYPE_CHECKING:
    from citels.indexer import IndexReport


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


ZOTERO_INDEX = "Zotero library"


def zotero_database(setting: str | bool | None = None) -> tuple[Path | None, str]:
    """The Zotero database to index, and how it was found or why there is none.

    `setting` is citels.zotero.dataDirectory: a data directory or `zotero.sqlite`, None to
    look in Zotero's default place, false or "" for no Zotero."""
    from citels.corpus.zotero_location import ZoteroError, default_data_directory, find_database

    if setting is False or setting == "":
        return None, "Zotero: off (citels.zotero.dataDirectory is false)"
    where = Path(setting).expanduser() if isinstance(setting, str) else default_data_directory()
    if where is None:
        return None, "Zotero: no library found at ~/Zotero (set citels.zotero.dataDirectory)"
    try:
        return find_database(where).resolve(), f"Zotero: {where}"
    except ZoteroError as error:
        return None, f"Zotero: {error}"


def zotero_index(database: Path) -> WantedIndex:
    """The index of a Zotero library: its own, so its changes re-read nothing else."""
    return WantedIndex((database,), default_database([database]), ZOTERO_INDEX)


def open_index(database: Path, what: str = "") -> tuple[Store | None, list[str]]:
    """An index opened (a corrupt one set aside), or None; and the messages for the user."""
    try:
        store, message = open_store(database)
    except (sqlite3.Error, SchemaTooNew, OSError) as error:
        name = f"{what} index" if what else "index"
        return None, [f"cannot open the {name} {database}: {error}"]
    return store, [message] if message else []


def paper_stats(stores: Iterable[Store]) -> dict[str, int]:
    """How many papers the stores hold: in all, titled, and known by their abstract only."""
    papers = titled = 0
    for store in stores:
        count, with_title = store.paper_counts()
        papers, titled = papers + count, titled + with_title
    return {"papers": papers, "titled": titled, "abstract_only": papers - titled}


def index_in_own_connection(index: WantedIndex, listener: ProgressListener | None = None
                            ) -> IndexReport:
    """Bring an index up to date with a connection of its own (for a worker thread):
    readers keep the old index until this one commits. `listener` is told the progress."""
    # Imported here: the indexer and its readers take a server's start-up ~50 ms, and the
    # first completion does not need them.
    from citels.indexer import index_corpus

    store = Store(index.database)
    try:
        return index_corpus(store, list(index.paths), listener=listener)
    finally:
        store.close()
