"""A consistent, private, read-only view of a SQLite database another program keeps open.

Zotero holds an exclusive lock on `zotero.sqlite` for its whole session, so a read-only open
fails ("database is locked"), and since it runs in WAL mode the newest items live only in
`zotero.sqlite-wal` until it checkpoints. We copy the files into a private temporary
directory and open the copy; nothing is ever written next to the user's files.

Order of the copy: the `-wal` file first, then the database. A checkpoint only writes into
the database pages that are already in the WAL, so if no new commit lands while we copy,
every page the checkpoint may have changed under us is in our WAL copy, which SQLite
replays over the database copy. Copying the database first is unsafe: a checkpoint and a
WAL restart between the two copies lose the checkpointed commits. A commit landing during
the copy is seen by comparing the files' identity before and after, and the copy retried.
A rollback journal (Zotero 8 and older) is copied after the database: SQLite writes the
original pages to the journal before it changes them in the database. The `-shm` index is
never copied: SQLite rebuilds it from the WAL (and Zotero's exclusive mode keeps none).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_ATTEMPTS = 5
_HEADER_BYTES = 32  # a WAL's header: restarting the WAL after a checkpoint changes its salts


@dataclass(frozen=True)
class FileIdentity:
    """What tells one version of a database file from another, read from the file system."""

    path: str
    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity | None:
        """The identity of the file at `path`, or None when there is none."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        return cls(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


@dataclass(frozen=True)
class DatabaseIdentity:
    """The database file and its WAL and rollback journal: equal identities, same contents."""

    database: FileIdentity | None
    wal: FileIdentity | None
    journal: FileIdentity | None
    wal_header: bytes = b""

    @classmethod
    def of(cls, path: Path) -> DatabaseIdentity:
        """Stat the database and its companions (no SQLite involved, so it never waits)."""
        wal = _companion(path, "-wal")
        return cls(FileIdentity.of(path), FileIdentity.of(wal),
                   FileIdentity.of(_companion(path, "-journal")), _read_head(wal))


@dataclass
class Snapshot:
    """An open connection to a consistent copy (or, failing that, the original read as is)."""

    connection: sqlite3.Connection
    identity: DatabaseIdentity
    copied: bool


@contextmanager
def open_snapshot(path: Path, warnings: list[str],
                  scratch: Path | None = None) -> Iterator[Snapshot]:
    """Copy `path` (and its WAL or journal) privately and open the copy read-only.

    If the copy cannot be made (no space, no temporary directory), the original is opened
    with `immutable=1`, which never locks or writes, and a warning says that changes Zotero
    has not yet written into the database file may be missing. `scratch` is where the
    private directory is made (the system's temporary directory by default)."""
    directory = None
    try:
        directory = Path(tempfile.mkdtemp(prefix="citels-snapshot-", dir=scratch))
        copy, identity = _consistent_copy(path, directory)
        snapshot = Snapshot(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True), identity,
                            copied=True)
    except OSError as error:
        snapshot = _immutable_snapshot(path, warnings, error)
    try:
        yield snapshot
    finally:
        snapshot.connection.close()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


def _consistent_copy(path: Path, directory: Path) -> tuple[Path, DatabaseIdentity]:
    """Copy until the files stood still during a whole copy (or the attempts run out)."""
    target = directory / path.name
    for attempt in range(_ATTEMPTS):
        before = DatabaseIdentity.of(path)
        if before.database is None:
            raise FileNotFoundError(f"{path}: no such file")
        for companion in ("-wal", "-journal"):
            _companion(target, companion).unlink(missing_ok=True)
        _copy_if_present(_companion(path, "-wal"), _companion(target, "-wal"))
        shutil.copyfile(path, target)
        _copy_if_present(_companion(path, "-journal"), _companion(target, "-journal"))
        after = DatabaseIdentity.of(path)
        if after == before:
            return target, after
        time.sleep(0.05 * (attempt + 1))  # Zotero is writing: let its transaction finish
    # Still moving after every attempt: the copy holds every commit up to the WAL copy
    # (the order above), which is as good as what a reader inside Zotero would see then.
    return target, after


def _immutable_snapshot(path: Path, warnings: list[str], error: OSError) -> Snapshot:
    warnings.append(
        f"{path}: could not make a private copy ({error}); read in place, so changes Zotero "
        "has not yet written into the database file may be missing")
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    return Snapshot(sqlite3.connect(uri, uri=True), DatabaseIdentity.of(path), copied=False)


def _companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _copy_if_present(source: Path, target: Path) -> None:
    try:
        shutil.copyfile(source, target)
    except FileNotFoundError:
        pass  # SQLite deletes its WAL and journal when it closes: none is the usual case


def _read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read(_HEADER_BYTES)
    except FileNotFoundError:
        return b""
