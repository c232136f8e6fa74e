"""Read a user's Zotero library straight from its database, safely, while Zotero runs.

`read_items(path)` gives every regular item of every library (personal and groups) as a
paper record; `read_items(path, since=mark)` only those changed since an earlier read, and
the ids of those gone. `library_state(path)` is the cheap question a watcher asks first:
it stats the files and runs no SQL, so an unchanged state means nothing to read.

The database is never opened in place (see `zotero_snapshot`): a private copy is read. Keys
are the ones the user sees: Zotero's own `citationKey` field (Zotero 8+, where Better BibTeX
8+ keeps its keys), else Better BibTeX 7's `better-bibtex.sqlite`, else a `Citation Key:`
line in Extra, else none (citels gives its own stable key).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from citels.corpus.zotero_location import ZoteroError, find_database, is_sqlite_file
from citels.corpus.zotero_snapshot import DatabaseIdentity, open_snapshot
from citels.papers import Paper

if TYPE_CHECKING:
    from citels.corpus.zotero_rows import ItemVersion

BETTER_BIBTEX_NAME = "better-bibtex.sqlite"
_BATCH = 2000


@dataclass(frozen=True)
class LibraryState:
    """The files' identities (path, size, modification time, inode): equal states, no change.

    Zotero's compaction moves a new file over `zotero.sqlite`, so the inode is part of it."""

    database: DatabaseIdentity
    better_bibtex: DatabaseIdentity


@dataclass(frozen=True)
class ChangeMark:
    """What an earlier read saw; pass it back as `since` to read only what changed.

    Each item's own marks are kept rather than a newest time: Zotero's times have whole
    seconds, and a synced item keeps the time it was changed on another computer."""

    items: dict[int, tuple[str, int]]  # itemID -> (clientDateModified, version), live items
    collections: str  # digest of collections and their items
    keys: str  # digest of Better BibTeX's key table


@dataclass
class ZoteroRead:
    """What one read found."""

    papers: list[Paper]  # the changed items (every item when read without `since`)
    removed: set[int]  # item ids read before that are now gone, trashed or no longer papers
    mark: ChangeMark
    state: LibraryState  # the files as they were copied
    complete: bool  # True when `papers` is every item (no mark, or a change forced it)
    warnings: list[str] = field(default_factory=list)


def library_state(path: Path) -> LibraryState:
    """The identity of the library's files, from the file system alone (never blocks)."""
    database = find_database(path)
    return LibraryState(DatabaseIdentity.of(database),
                        DatabaseIdentity.of(database.with_name(BETTER_BIBTEX_NAME)))


def read_items(path: Path, since: ChangeMark | None = None, *, label: str | None = None,
               scratch: Path | None = None) -> ZoteroRead:
    """Every live regular item as a paper (or, given `since`, the ones changed after it).

    Each paper's source is (`label`, itemID); `label` defaults to the database's path.
    `scratch` is where the private copies are made (the temporary directory by default)."""
    database = find_database(path)
    label = label or str(database)
    warnings: list[str] = []
    keys, keys_identity = _better_bibtex_keys(database.with_name(BETTER_BIBTEX_NAME),
                                              warnings, scratch)
    with open_snapshot(database, warnings, scratch) as snapshot:
        try:
            return _read(snapshot.connection, since, label, keys, warnings,
                         LibraryState(snapshot.identity, keys_identity))
        except sqlite3.DatabaseError as error:
            raise ZoteroError(f"{database}: cannot read Zotero's tables ({error})") from None


def _read(connection: sqlite3.Connection, since: ChangeMark | None, label: str,
          keys: dict[tuple[int, str], str], warnings: list[str],
          state: LibraryState) -> ZoteroRead:
    # Imported here: finding the library, which a server does on its way to the first
    # completion, needs neither.
    from citels.corpus import zotero_rows
    from citels.corpus.zotero_paper import extra_citation_key, to_paper

    schema = zotero_rows.Schema(connection)
    live = zotero_rows.live_items(connection, schema)
    mark = _mark(live, zotero_rows.collections_digest(connection), _digest(keys))
    complete = since is None or (since.collections, since.keys) != (mark.collections,
                                                                      mark.keys)
    if since is None or complete:
        wanted = [item.item_id for item in live]
    else:
        wanted = [item.item_id for item in live
                  if since.items.get(item.item_id) != mark.items[item.item_id]]
    papers = []
    # In batches: a batch's rows are let go once its papers are made, which keeps the
    # peak memory of a 20,000-item library near what its papers alone take.
    for start in range(0, len(wanted), _BATCH):
        for item in zotero_rows.read_items(connection, schema, wanted[start:start + _BATCH]):
            key = (item.fields.get("citationKey") or keys.get((item.library_id, item.key))
                   or extra_citation_key(item.fields.get("extra", "")))
            papers.append(to_paper(item, label, key))
    removed = set(since.items.keys() - mark.items.keys()) if since else set()
    return ZoteroRead(papers, removed, mark, state, complete, warnings)


def _mark(live: list[ItemVersion], collections: str, keys: str) -> ChangeMark:
    return ChangeMark({item.item_id: (item.client_modified, item.version) for item in live},
                      collections, keys)


def _better_bibtex_keys(path: Path, warnings: list[str], scratch: Path | None
                        ) -> tuple[dict[tuple[int, str], str], DatabaseIdentity]:
    """Better BibTeX 7's keys; none (and no warning) when it is absent or keeps them in Zotero."""
    identity = DatabaseIdentity.of(path)
    if identity.database is None or not is_sqlite_file(path):
        return {}, identity
    from citels.corpus import zotero_rows

    # Better BibTeX 7 attaches its database to Zotero's connection: it is locked the same way.
    with open_snapshot(path, warnings, scratch) as snapshot:
        try:
            return zotero_rows.better_bibtex_keys(snapshot.connection), snapshot.identity
        except sqlite3.DatabaseError as error:
            warnings.append(f"{path}: cannot read Better BibTeX's keys ({error}); "
                            "keys from Zotero and Extra only")
            return {}, snapshot.identity


def _digest(keys: dict[tuple[int, str], str]) -> str:
    return hashlib.sha256(repr(sorted(keys.items())).encode()).hexdigest()
