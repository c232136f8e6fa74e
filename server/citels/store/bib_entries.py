"""What the index remembers of a .bib file's blocks (one per entry), so a save re-reads only
the entries whose text changed (`citels.bib_update`); and the records those moved by lines
added or removed above them, moved without being read again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import NamedTuple

from citels.merge import stored_json
from citels.papers import Paper, parse_source
from citels.store.packing import pack, unpack
from citels.store.rows import record_row


class StoredBlock(NamedTuple):
    """A block of a .bib file as last read (`rowid` None: not written yet)."""

    line: int
    digest: str
    keys: tuple[str, ...]
    merge_ids: tuple[str, ...]
    warnings: tuple[tuple[int, str], ...]  # (line within the block, message)
    rowid: int | None = None


def _lines(values: tuple[str, ...]) -> str:
    # Keys and merge ids hold no line break; a line each is read back far faster than JSON.
    return "\n".join(values)


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


class BibEntries:
    """The bib_blocks and bib_context tables of an index database (part of `Store`)."""

    conn: sqlite3.Connection
    file_number: Callable[[str], int]  # CorpusRecords': the number records name a file by

    def bib_blocks(self, path: str) -> list[StoredBlock]:
        """A .bib file's blocks as last read, in file order (none: never read by blocks)."""
        rows = self.conn.execute(
            "SELECT line, digest, keys, merge_ids, warnings, rowid FROM bib_blocks"
            " WHERE file = ? ORDER BY line", (path,))
        return [StoredBlock(line, digest, _split(keys), _split(mids),
                            tuple((at, message) for at, message in json.loads(warnings))
                            if warnings else (), rowid)
                for line, digest, keys, mids, warnings, rowid in rows]

    def bib_blocks_kept(self, path: str) -> bool:
        """Whether the index remembers a .bib file's blocks (its next change is read by them)."""
        return self.conn.execute("SELECT 1 FROM bib_blocks WHERE file = ? LIMIT 1",
                                 (path,)).fetchone() is not None

    def put_bib_blocks(self, path: str, blocks: Iterable[StoredBlock]) -> None:
        """Remember a .bib file's blocks as read now: those with a rowid are moved to their
        line, the others added (a file read whole has its old blocks forgotten first)."""
        moved, added = [], []
        for block in blocks:
            if block.rowid is not None:
                moved.append((block.line, block.rowid))
            else:
                added.append((path, block.line, block.digest, _lines(block.keys),
                              _lines(block.merge_ids),
                              json.dumps(block.warnings) if block.warnings else ""))
        self.conn.executemany("UPDATE bib_blocks SET line = ? WHERE rowid = ?", moved)
        self.conn.executemany(
            "INSERT INTO bib_blocks (file, line, digest, keys, merge_ids, warnings)"
            " VALUES (?, ?, ?, ?, ?, ?)", added)

    def drop_bib_blocks(self, rowids: Iterable[int]) -> None:
        """Forget blocks that are no more (changed or removed)."""
        self.conn.executemany("DELETE FROM bib_blocks WHERE rowid = ?",
                              [(rowid,) for rowid in rowids])

    def forget_bib_blocks(self, path: str) -> None:
        """Forget a file's blocks and context: its next change is read whole."""
        self.conn.execute("DELETE FROM bib_blocks WHERE file = ?", (path,))
        self.conn.execute("DELETE FROM bib_context WHERE file = ?", (path,))

    def bib_context(self, path: str) -> tuple[str, bool] | None:
        """(digest, whether it names parents other files hold) as last read, or None."""
        row = self.conn.execute("SELECT digest, foreign_parents FROM bib_context WHERE file = ?",
                                (path,)).fetchone()
        return (row[0], bool(row[1])) if row else None

    def put_bib_context(self, path: str, digest: str, foreign_parents: bool) -> None:
        """Remember what a .bib file used of its library when it was read."""
        self.conn.execute(
            "INSERT OR REPLACE INTO bib_context (file, digest, foreign_parents) VALUES (?, ?, ?)",
            (path, digest, int(foreign_parents)))

    def remove_records_of(self, path: str, merge_ids: Iterable[str]) -> None:
        """Remove a file's records of these merge ids (entries changed or gone)."""
        number = self.file_number(path)
        self.conn.executemany("DELETE FROM records WHERE file = ? AND merge_id = ?",
                              [(number, mid) for mid in sorted(merge_ids)])

    def add_block_records(self, path: str, records: Iterable[tuple[str, Paper]]) -> None:
        """A few records of a file, each with its merge id (entries changed or added)."""
        number = self.file_number(path)
        self.conn.executemany(
            "INSERT INTO records (file, line, merge_id, data) VALUES (?, ?, ?, ?)",
            [record_row(number, paper.sources[0].line if paper.sources else 0, mid, paper)
             for mid, paper in records])

    def move_records(self, path: str, moves: list[tuple[str, str, str, int]]) -> None:
        """Records whose entry moved to another line, unchanged: (merge id, its source as
        stored, `label:line`, the same at its new place, new line). The line is changed in
        the record and in its paper's sources: thousands of papers move when a line is
        added near the top of a large file. The paper's content hash is left as it was:
        the next merge of that paper writes it again."""
        moved = {mid: (old, new) for mid, old, new, _ in moves}
        # A record stored as its paper's only one ('') has its line in the row alone.
        number = self.file_number(path)
        self.conn.executemany(
            "UPDATE records SET line = ? WHERE merge_id = ? AND file = ?",
            [(line, mid, number) for mid, _, _, line in moves])
        mids = list(moved)
        for start in range(0, len(mids), _CHUNK):
            chunk = mids[start:start + _CHUNK]
            places = ",".join("?" * len(chunk))
            records = self.conn.execute(
                f"SELECT id, merge_id, data FROM records WHERE file = ? AND data != ''"
                f" AND merge_id IN ({places})", [number, *chunk]).fetchall()
            self.conn.executemany("UPDATE records SET data = ? WHERE id = ?", [
                (pack(stored_json(_moved(unpack(data), *moved[mid]), with_title=True)),
                 record_id) for record_id, mid, data in records])
            papers = self.conn.execute(
                f"SELECT id, merge_id, title, data FROM papers WHERE merge_id IN ({places})",
                chunk).fetchall()
            self.conn.executemany("UPDATE papers SET data = ? WHERE id = ?", [
                (pack(stored_json(_moved(unpack(data, title), *moved[mid]))), paper_id)
                for paper_id, mid, title, data in papers])


_CHUNK = 500  # merge ids asked about at a time


def _moved(paper: Paper, old: str, new: str) -> Paper:
    """The paper with its source `old` (`label:line`) now `new`."""
    paper.sources = [parse_source(new) if str(source) == old else source
                     for source in paper.sources]
    return paper
