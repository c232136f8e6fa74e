"""Corpus files, the paper records read from them, and every key ever given: the tables an
index run compares against to change only what changed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from citels.merge import stored_json
from citels.papers import Paper
from citels.store.packing import pack, unpack
from citels.store.rows import ONLY_RECORD, record_row


@dataclass(frozen=True)
class FileState:
    """What the index remembers of a corpus file, to tell whether it changed."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    records: int
    warnings: tuple[str, ...] = ()


class CorpusRecords:
    """The files, records and keys tables of an index database (part of `Store`)."""

    conn: sqlite3.Connection

    # --- corpus files -------------------------------------------------------------------

    def file_states(self) -> dict[str, FileState]:
        """Every corpus file the index has read, by path."""
        rows = self.conn.execute(
            "SELECT path, size, mtime_ns, sha256, records, warnings FROM files"
        )
        return {
            row[0]: FileState(*row[:5], warnings=tuple(json.loads(row[5]))) for row in rows
        }

    def put_file(self, state: FileState) -> None:
        """Remember a corpus file as read now (its row changed in place: its records
        name it by its number)."""
        self.conn.execute(
            "INSERT INTO files (path, size, mtime_ns, sha256, records, warnings)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,"
            " records = excluded.records, warnings = excluded.warnings",
            (state.path, state.size, state.mtime_ns, state.sha256, state.records,
             json.dumps(list(state.warnings))),
        )

    def file_number(self, path: str) -> int:
        """The number a file's records name it by; a file not remembered yet is given one
        (its row says nothing is known of it until `put_file`, so a run that stops before
        that reads it again)."""
        row = self.conn.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
        if row is not None:
            return row[0]
        cursor = self.conn.execute(
            "INSERT INTO files (path, size, mtime_ns, sha256, records, warnings)"
            " VALUES (?, -1, -1, '', 0, '[]')", (path,))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def remove_file(self, path: str) -> set[str]:
        """Forget a file and its records; return the merge ids its records had."""
        merge_ids = self.merge_ids_of_file(path)
        self.conn.execute("DELETE FROM records WHERE file = (SELECT id FROM files WHERE path = ?)",
                          (path,))
        self.conn.execute("DELETE FROM files WHERE path = ?", (path,))
        # A .bib's blocks (store/bib_entries.py) go with it: read again, it is read whole.
        self.conn.execute("DELETE FROM bib_blocks WHERE file = ?", (path,))
        self.conn.execute("DELETE FROM bib_context WHERE file = ?", (path,))
        return merge_ids

    # --- paper records ------------------------------------------------------------------

    def merge_ids_of_file(self, path: str) -> set[str]:
        """The merge ids of a file's records."""
        rows = self.conn.execute(
            "SELECT DISTINCT merge_id FROM records WHERE file = (SELECT id FROM files"
            " WHERE path = ?)", (path,))
        return {row[0] for row in rows}

    def add_records(self, path: str, records: Iterable[tuple[str, Paper]]) -> None:
        """Store a file's records, each with its merge id (a file changed since indexed)."""
        # Imported here: only indexing writes records, and the server starts faster without it.
        import sqlite_utils

        columns = ("file", "line", "merge_id", "data")

        def rows() -> Iterator[dict[str, object]]:
            number = None
            for merge_id, paper in records:
                # Asked with the first record: a file whose reading fails before it has
                # none is not remembered (its row would say nothing is known of it).
                if number is None:
                    number = self.file_number(path)
                yield dict(zip(columns, record_row(number, paper.sources[0].line if
                                                   paper.sources else 0, merge_id, paper),
                               strict=True))

        sqlite_utils.Database(self.conn)["records"].insert_all(rows(), batch_size=2000)

    def _insert_records(self, rows: list[tuple[str, int, str, bytes | str]]) -> None:
        # A first index's records, written with their papers: plain executemany, as
        # sqlite-utils' savepoint per chunk is costly in one big transaction (performance.md).
        # A batch's records come from a file or two: each file's number is asked once, in
        # the records' order (a file given its number here gets the same one every run).
        numbers = {path: self.file_number(path) for path in dict.fromkeys(row[0] for row in rows)}
        self.conn.executemany(
            "INSERT INTO records (file, line, merge_id, data) VALUES (?, ?, ?, ?)",
            [(numbers[path], line, merge_id, data) for path, line, merge_id, data in rows])

    def records_for(self, merge_id: str) -> list[Paper]:
        """The paper's records in source order, to merge again.

        A record stored as '' (ONLY_RECORD) was its paper's only one when a first index
        wrote it, and the paper's data is that record merged, which merges again into the
        same paper. It is written out in full now, before the paper changes."""
        rows = self.conn.execute(
            "SELECT r.id, r.data FROM records r JOIN files f ON f.id = r.file"
            " WHERE r.merge_id = ? ORDER BY f.path, r.line", (merge_id,)).fetchall()
        records = []
        for record_id, data in rows:
            if data == ONLY_RECORD:
                paper_row = self.conn.execute(
                    "SELECT title, data FROM papers WHERE merge_id = ?", (merge_id,)).fetchone()
                if paper_row is None:  # cannot happen: they are written together
                    continue
                record = unpack(paper_row[1], paper_row[0])
                record.key = None  # a record has no key of citels' giving
                data = pack(stored_json(record, with_title=True))
                self.conn.execute("UPDATE records SET data = ? WHERE id = ?", (data, record_id))
            records.append(unpack(data))
        return records

    def merge_ids_between(self, low: str, high: str) -> list[str]:
        """The merge ids of records in [low, high), in order (a user entry's claimants)."""
        rows = self.conn.execute(
            "SELECT DISTINCT merge_id FROM records WHERE merge_id >= ? AND merge_id < ?"
            " ORDER BY merge_id", (low, high))
        return [row[0] for row in rows]

    def is_empty(self) -> bool:
        """No corpus file, record or paper yet: the index is being built for the first time."""
        row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM files) OR EXISTS (SELECT 1 FROM records)"
            " OR EXISTS (SELECT 1 FROM papers)").fetchone()
        return not row[0]

    def record_count(self) -> int:
        """How many paper records the index holds."""
        return self.conn.execute("SELECT count(*) FROM records").fetchone()[0]

    # --- keys ---------------------------------------------------------------------------

    def key_for(self, merge_id: str) -> str | None:
        """The key once given to this paper, if any."""
        row = self.conn.execute("SELECT key FROM keys WHERE merge_id = ?", (merge_id,)).fetchone()
        return row[0] if row else None

    def key_taken(self, key: str) -> bool:
        """Whether any paper, now or before, had this key (compared case-insensitively)."""
        lower = key.lower()
        row = self.conn.execute(
            "SELECT 1 FROM keys WHERE key_lower = ? UNION ALL"
            " SELECT 1 FROM papers WHERE key_lower = ?", (lower, lower))
        return row.fetchone() is not None

    def merge_id_of_key(self, key: str) -> str | None:
        """The paper that has this key now (compared case-insensitively)."""
        row = self.conn.execute("SELECT merge_id FROM papers WHERE key_lower = ?",
                                (key.lower(),)).fetchone()
        return row[0] if row else None

    def assign_keys(self, given: Iterable[tuple[str, str]]) -> None:
        """Remember keys given to papers, (merge id, key), for good.

        Give them in merge id order, the order of the table's primary key: they are then
        added at its end, not all over it (docs/performance.md)."""
        self.conn.executemany(
            "INSERT INTO keys (merge_id, key, key_lower) VALUES (?, ?, ?)",
            ((merge_id, key, key.lower()) for merge_id, key in given))
