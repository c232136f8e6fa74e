"""A first index's records and keys, kept in a scratch database beside the index instead of
in memory, so that indexing a corpus of any size needs memory for a batch, not the corpus.

A first index reads every record before it can merge any paper (two records of one paper
may lie anywhere in the files), then merges and keys the papers in a fixed order. Held in
Python, that was 4.4 GB at a million papers (issue 20); here the records go to disk as they
are read (as `paper_codec` bytes) and come back one paper's records at a time, in keying
order. The scratch file is thrown away at the end: if the run is interrupted, the next one
removes what is left.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Container, Iterable, Iterator
from pathlib import Path

from citels.papers import Paper
from citels.store.connection import remove_database
from citels.store.paper_codec import decode, encode
from citels.store.rows import Record

_SPILL_BATCH = 2_000  # records written at a time
_FETCH = 1_000  # rows read back at a time
_PAGE_SIZE = 65_536
# A record's place in the corpus: its file's rank among the files (in path order, the order
# the store gives records in), then its line.
_LINE_BITS = 40

# The keys given are looked up and added one paper at a time, anywhere in the table: they
# have a database of their own with small pages (with the records' 64 KB pages, each look-up
# that missed the cache read 64 KB: 6 -> 15 µs a key from 250k to 1M keys).
_KEYS_PAGE_SIZE = 4_096
_SCHEMA = """
CREATE TABLE files (rank INTEGER PRIMARY KEY, path TEXT NOT NULL);
CREATE TABLE records (merge_id TEXT NOT NULL, place INTEGER NOT NULL, user INTEGER NOT NULL,
                      data BLOB NOT NULL);
CREATE TABLE keys.given (key_lower TEXT PRIMARY KEY, merge_id TEXT NOT NULL,
                         key TEXT NOT NULL, generated INTEGER NOT NULL) WITHOUT ROWID;
"""
# Bits of the filter of keys given, per paper: 16 with two probes answers "never given" for
# all but ~1.5% of the keys that were not.
_FILTER_BITS_PER_PAPER = 16


class RecordSpill:
    """A first index's records (by merge id, in keying order) and the keys given to them."""

    def __init__(self, path: Path | None, file_paths: Iterable[str]) -> None:
        """A new scratch database at `path` (None: in memory, for an in-memory index);
        `file_paths` are the files the run reads, which records are placed by."""
        self.path = path
        self._keys_path = None if path is None else path.with_name(path.name + "-keys")
        if path is not None:
            remove_database(path)  # left by a run that was killed
            remove_database(self._keys_path)
        self.conn = sqlite3.connect(":memory:" if path is None else str(path),
                                    isolation_level=None)
        self.conn.execute("ATTACH DATABASE ? AS keys", (str(self._keys_path or ":memory:"),))
        self.conn.execute(f"PRAGMA keys.page_size = {_KEYS_PAGE_SIZE}")
        # Large pages: its rows are whole papers, written once in order and read back in
        # order (inserts 4.6 -> 2.7 µs a record, the file a quarter smaller, than 4 KB).
        self.conn.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
        # Scratch: if anything goes wrong it is thrown away, so no journal and no syncing.
        for database in ("main", "keys"):
            self.conn.execute(f"PRAGMA {database}.journal_mode = OFF")
            self.conn.execute(f"PRAGMA {database}.synchronous = OFF")
            self.conn.execute(f"PRAGMA {database}.cache_size = -32768")  # 32 MB
        self.conn.executescript(_SCHEMA)
        self.conn.execute("BEGIN")
        self._rank = {path: rank for rank, path in enumerate(sorted(set(file_paths)))}
        self.conn.executemany("INSERT INTO files (rank, path) VALUES (?, ?)",
                              [(rank, path) for path, rank in self._rank.items()])
        self._paths = {rank: path for path, rank in self._rank.items()}
        self._pending: list[tuple[str, int, int, bytes]] = []
        # How many records of each kind were read: a corpus with no user entry is not
        # searched for them (a full scan of the records, 9 s at 3M papers).
        self._user_records = self._corpus_records = 0
        # Keys given and not written yet (lower-cased key -> row): written a batch at a
        # time, as one insert a paper was a fifth of keying one.
        self._given: dict[str, tuple[str, str, str, bool]] = {}
        # Which keys may have been given: most keys tried never were, and are answered so
        # without a look-up (made when the papers are counted, its size from theirs).
        self._maybe_given: KeyFilter | None = None
        self._groups = 0
        self._ordered = False

    def close(self) -> None:
        """Close and delete the scratch database."""
        self.conn.close()
        if self.path is not None:
            remove_database(self.path)
        if self._keys_path is not None:
            remove_database(self._keys_path)

    def __enter__(self) -> RecordSpill:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- while reading --------------------------------------------------------------------

    def add(self, path: str, line: int, merge_id: str, paper: Paper) -> None:
        """Keep a record read from `path` at `line`."""
        self.add_encoded(path, line, merge_id, paper.source_key is not None, encode(paper))

    def add_encoded(self, path: str, line: int, merge_id: str, user: bool, data: bytes
                    ) -> None:
        """Keep a record read from `path` at `line` as `paper_codec.encode` made it (`user`:
        whether it is a user's entry)."""
        place = (self._rank[path] << _LINE_BITS) | line
        self._user_records += user
        self._corpus_records += not user
        self._pending.append((merge_id, place, user, data))
        if len(self._pending) >= _SPILL_BATCH:
            self._flush()

    def _flush(self) -> None:
        self.conn.executemany(
            "INSERT INTO records (merge_id, place, user, data) VALUES (?, ?, ?, ?)",
            self._pending)
        self._pending = []

    def finish_reading(self) -> None:
        """Every record is in: index them by merge id and put the papers in keying order,
        the user's entries first (a generated key never takes one of theirs), then by
        where each paper's first record is, then by merge id."""
        self._flush()
        # `user` too: the papers' order is then read from the index alone, not from every
        # record's row (12 s at 3M papers).
        self.conn.execute("CREATE INDEX records_by_paper ON records (merge_id, place, user)")
        self.conn.execute(
            "CREATE TABLE papers AS SELECT merge_id FROM (SELECT merge_id, max(user) AS user,"
            " min(place) AS place FROM records GROUP BY merge_id)"
            " ORDER BY user DESC, place, merge_id")
        self._groups = self.conn.execute("SELECT max(rowid) FROM papers").fetchone()[0] or 0
        self._ordered = True
        self._maybe_given = KeyFilter(self._groups * _FILTER_BITS_PER_PAPER)

    # --- questions while merging ----------------------------------------------------------

    @property
    def paper_count(self) -> int:
        """How many papers (distinct merge ids) the records make, before any is merged in
        with another."""
        return self._groups

    def user_merge_ids(self) -> list[str]:
        """The merge ids of the user's entries."""
        if not self._user_records:
            return []
        rows = self.conn.execute("SELECT DISTINCT merge_id FROM records WHERE user")
        return sorted(row[0] for row in rows)

    def has_corpus_records(self) -> bool:
        """Whether any record is not a user's entry (a library alone has none to take in)."""
        return self._corpus_records > 0

    def has(self, merge_id: str) -> bool:
        """Whether any record has this merge id."""
        row = self.conn.execute("SELECT 1 FROM records WHERE merge_id = ? LIMIT 1",
                                (merge_id,)).fetchone()
        return row is not None

    def merge_ids_between(self, low: str, high: str) -> list[str]:
        """The merge ids of records in [low, high), in order (a user entry's claimants)."""
        rows = self.conn.execute(
            "SELECT DISTINCT merge_id FROM records WHERE merge_id >= ? AND merge_id < ?"
            " ORDER BY merge_id", (low, high))
        return [row[0] for row in rows]

    def records_for(self, merge_id: str) -> list[Record]:
        """A paper's records, in source order."""
        rows = self.conn.execute(
            "SELECT place, data FROM records WHERE merge_id = ? ORDER BY place, rowid",
            (merge_id,))
        return [self._record(place, data) for place, data in rows]

    def papers_in_order(self, known: Container[str] = ()
                        ) -> Iterator[tuple[str, list[Record]]]:
        """Every paper's merge id and records, in keying order; the records of papers whose
        merge id is in `known` (read already) are not read again: those come with none."""
        assert self._ordered, "finish_reading first"
        rows = self.conn.execute(
            "SELECT p.rowid, p.merge_id, r.place, r.data FROM papers p"
            " JOIN records r ON r.merge_id = p.merge_id ORDER BY p.rowid, r.place, r.rowid")
        current: tuple[int, str] | None = None
        records: list[Record] = []
        while chunk := rows.fetchmany(_FETCH):
            for paper_row, merge_id, place, data in chunk:
                if current is not None and current[0] != paper_row:
                    yield current[1], records
                    records = []
                current = (paper_row, merge_id)
                if merge_id not in known:
                    records.append(self._record(place, data))
        if current is not None:
            yield current[1], records

    def _record(self, place: int, data: bytes) -> Record:
        return (self._paths[place >> _LINE_BITS], place & ((1 << _LINE_BITS) - 1), decode(data))

    # --- keys given -----------------------------------------------------------------------

    def give_key(self, key: str, merge_id: str, *, generated: bool) -> None:
        """Remember that `merge_id`'s paper has `key` (a generated key is stored for good)."""
        assert self._maybe_given is not None, "keys are given once the papers are counted"
        lower = key.lower()
        self._maybe_given.add(lower)
        self._given[lower] = (lower, merge_id, key, generated)
        if len(self._given) >= _SPILL_BATCH:
            self._write_given()

    def owner_of_key(self, key: str) -> str | None:
        """The merge id given this key (compared case-insensitively), if any."""
        lower = key.lower()
        if self._maybe_given is None or not self._maybe_given.may_hold(lower):
            return None
        if (given := self._given.get(lower)) is not None:
            return given[1]
        row = self.conn.execute("SELECT merge_id FROM given WHERE key_lower = ?",
                                (lower,)).fetchone()
        return row[0] if row else None

    def _write_given(self) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO given (key_lower, merge_id, key, generated)"
            " VALUES (?, ?, ?, ?)", self._given.values())
        self._given = {}

    def generated_keys(self) -> Iterator[tuple[str, str]]:
        """(merge id, key) of every key generated, in merge id order."""
        self._write_given()
        rows = self.conn.execute(
            "SELECT merge_id, key FROM given WHERE generated ORDER BY merge_id")
        while chunk := rows.fetchmany(_FETCH):
            yield from chunk


class KeyFilter:
    """A Bloom filter of strings: `may_hold` is False only for a string never added.

    Built on Python's string hash, which differs from run to run (PYTHONHASHSEED): it
    decides only whether a key is looked up, never what the look-up finds."""

    def __init__(self, bits: int) -> None:
        size = 1 << max(16, (bits - 1).bit_length())  # a power of two, at least 64 Kbit
        self._mask = size - 1
        self._bits = bytearray(size // 8)

    def _places(self, text: str) -> tuple[int, int]:
        digest = hash(text)
        return digest & self._mask, (digest >> 32) & self._mask

    def add(self, text: str) -> None:
        """Remember `text`."""
        for place in self._places(text):
            self._bits[place >> 3] |= 1 << (place & 7)

    def may_hold(self, text: str) -> bool:
        """Whether `text` may have been added (False: it never was)."""
        return all(self._bits[place >> 3] & (1 << (place & 7)) for place in self._places(text))
