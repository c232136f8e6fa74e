"""The bottom of the store: one SQLite connection, its pragmas, transactions and metadata.

Opening migrates the schema (`migrations.py`); everything above borrows `Database.conn`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from citels.store.migrations import migrate

DEFAULT_CACHE_SIZE = -2000  # SQLite's own default: 2 MB of pages
BUSY_TIMEOUT_MS = 5000  # how long to wait for another citels writing the same index


class Database:
    """An index database's connection, migrated to the current schema when opened."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.in_memory = str(path) == ":memory:"
        if not self.in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are begun explicitly in `transaction()`.
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _write_ahead_log(conn)  # readers go on while an index is written
        migrate(conn)
        self.conn = conn
        self._attached: list[str] = []  # detached when the transaction ends

    def attach_for_transaction(self, path: Path, name: str) -> None:
        """Attach the database at `path` as `name`, to read in the current transaction; it
        is detached once the transaction ends (SQLite detaches no database read in one)."""
        self.conn.execute(f"ATTACH DATABASE ? AS {name}", (str(path),))
        self._attached.append(name)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self, *, cache_mb: int | None = None) -> Iterator[None]:
        """All or nothing: an interrupted index leaves the previous one intact.

        `cache_mb` lets the page cache grow that large for the transaction (an index run:
        its indexes are written all over, and pages written twice cost twice); it is put
        back to the default afterwards, so a server holds no more than it needs."""
        if cache_mb:
            self.conn.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            while self._attached:
                self.conn.execute(f"DETACH DATABASE {self._attached.pop()}")
            if cache_mb:
                self.conn.execute(f"PRAGMA cache_size = {DEFAULT_CACHE_SIZE}")

    @contextmanager
    def rollback_journal(self) -> Iterator[bool]:
        """For a first index: a rollback journal instead of the write-ahead log, when no
        other connection has the index open (yields whether it could switch).

        SQLite finds a page in the WAL through an index that grows with it, which slows one
        huge transaction down (docs/performance.md); a first index has no old pages to keep,
        so its rollback journal stays small, and it is as atomic. WAL (readers go on while
        an index is written) comes back afterwards."""
        switched = self._journal_mode("delete", wait=False)
        try:
            yield switched
        finally:
            if switched and self._journal_mode("wal", wait=True):
                # A read opens the WAL now, as opening the store does: a connection holds
                # its files from then on, even if they are deleted (test_index has a case).
                self.conn.execute("SELECT count(*) FROM meta").fetchone()

    def _journal_mode(self, mode: str, *, wait: bool) -> bool:
        # Only a connection alone with the database may leave WAL; without `wait` another
        # one's presence is a plain no instead of five seconds of retrying.
        if not wait:
            self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            return self.conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0] == mode
        except sqlite3.OperationalError:  # locked: stays as it is (reopening sets WAL)
            return False
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def get_meta(self, name: str) -> str | None:
        """A value the index keeps about itself, or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str | None) -> None:
        """Remember a value about the index (None forgets it)."""
        self.conn.execute("DELETE FROM meta WHERE name = ?", (name,))
        if value is not None:
            self.conn.execute("INSERT INTO meta (name, value) VALUES (?, ?)", (name, value))

    def data_version(self) -> tuple[int, int]:
        """Changes as this connection sees them: another connection's commits, then its own."""
        return (self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes)


def _write_ahead_log(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode, waiting for other connections as busy_timeout does:
    SQLite answers "database is locked" at once, not after a wait, when another process is
    opening or making the same new database (two servers on one new workspace)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(0.005)


def remove_database(path: Path) -> None:
    """Delete a database file and whatever journal or WAL it left."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
