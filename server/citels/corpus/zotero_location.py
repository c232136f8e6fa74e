"""Where a user's Zotero library is: its data directory and database file, found without
reading the library (a server's start asks; `zotero.py` reads it when an index run does)."""

from __future__ import annotations

from pathlib import Path

DATABASE_NAME = "zotero.sqlite"


class ZoteroError(Exception):
    """A Zotero library that cannot be read at all; the message names the file and why."""


def find_database(path: Path) -> Path:
    """`zotero.sqlite` from a data directory or the file itself, or ZoteroError saying why."""
    path = Path(path).expanduser()
    database = path / DATABASE_NAME if path.is_dir() else path
    if database.name.endswith(".bak"):  # zotero.sqlite.bak, zotero.sqlite.1.bak, ...
        # Zotero's backups are days old and would bring back deleted items.
        raise ZoteroError(f"{database}: a Zotero backup; give the data directory instead")
    if not database.is_file():
        raise ZoteroError(f"{database}: no Zotero database here (looked for {DATABASE_NAME})")
    if not is_sqlite_file(database):
        raise ZoteroError(f"{database}: not a SQLite database")
    return database


def default_data_directory() -> Path | None:
    """Zotero's default data directory (`~/Zotero` on every platform), if it has a library."""
    candidate = Path.home() / "Zotero"
    return candidate if (candidate / DATABASE_NAME).is_file() else None


def is_sqlite_file(path: Path) -> bool:
    """Whether the file starts with SQLite's magic header."""
    try:
        with open(path, "rb") as file:
            return file.read(16) == b"SQLite format 3\0"
    except OSError:
        return False
