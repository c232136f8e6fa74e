"""The SQLite index: corpus files, paper records, merged papers, keys and the FTS5 index.

The only module that writes SQL. It knows nothing of ranking policy: it answers a match
expression with candidates and their bm25 scores.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from citels.index_rows import (
    ONLY_RECORD,
    PAPER_ID_MASK,
    Batch,
    FullText,
    PaperText,
    StoredPaper,
    TextsAside,
    full_text_of,
    full_text_rows,
    prepared,
    record_row,
)
from citels.migrations import TEXTS_FTS, TEXTS_VOCAB, migrate
from citels.papers import Paper

VOCABULARY_PAPERS_PER_STEP = 50_000
WRITE_BATCH = 1_000  # papers written to the index at a time
DEFAULT_CACHE_SIZE = -2000  # SQLite's own default: 2 MB of pages
BUSY_TIMEOUT_MS = 5000  # how long to wait for another citels writing the same index


@dataclass(frozen=True)
class Candidate:
    """What the ranker reads of a paper it scores."""

    id: int
    key: str
    title: str | None
    abstract: str | None


@dataclass(frozen=True)
class FileState:
    """What the index remembers of a corpus file, to tell whether it changed."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    records: int
    warnings: tuple[str, ...] = ()


class Store:
    """One corpus's index database, migrated to the current schema when opened."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are begun explicitly in `transaction()`.
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")  # readers go on while an index is written
        migrate(conn)
        self.conn = conn
        self._total: tuple[tuple[int, int], int] | None = None
        if self.get_meta("fts_needs_rebuild"):
            self._rebuild_full_text()

    def close(self) -> None:
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
            if cache_mb:
                self.conn.execute(f"PRAGMA cache_size = {DEFAULT_CACHE_SIZE}")

    @contextmanager
    def rollback_journal(self) -> Iterator[bool]:
        """For a first index: a rollback journal instead of the write-ahead log, when no
        other connection has the index open (yields whether it could switch).

        Every page a transaction writes goes to the WAL, and SQLite finds a page there
        through the WAL's index, which grows with it: one transaction writing a million
        papers (a 3.7 GB WAL) was slowed by a quarter. A first index has no old pages to
        keep, so its rollback journal stays small; it is as atomic. WAL (readers go on
        while an index is written) comes back afterwards."""
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

    # --- corpus files -------------------------------------------------------------------

    def file_states(self) -> dict[str, FileState]:
        rows = self.conn.execute(
            "SELECT path, size, mtime_ns, sha256, records, warnings FROM files"
        )
        return {
            row[0]: FileState(*row[:5], warnings=tuple(json.loads(row[5]))) for row in rows
        }

    def put_file(self, state: FileState) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256, records, warnings)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (state.path, state.size, state.mtime_ns, state.sha256, state.records,
             json.dumps(list(state.warnings))),
        )

    def remove_file(self, path: str) -> set[str]:
        """Forget a file and its records; return the merge ids its records had."""
        merge_ids = self.merge_ids_of_file(path)
        self.conn.execute("DELETE FROM records WHERE file = ?", (path,))
        self.conn.execute("DELETE FROM files WHERE path = ?", (path,))
        return merge_ids

    # --- paper records ------------------------------------------------------------------

    def merge_ids_of_file(self, path: str) -> set[str]:
        rows = self.conn.execute("SELECT DISTINCT merge_id FROM records WHERE file = ?", (path,))
        return {row[0] for row in rows}

    def add_records(self, path: str, records: Iterable[tuple[str, Paper]]) -> None:
        """Store a file's records, each with its merge id (a file changed since indexed)."""
        # Imported here: only indexing writes records, and the server starts faster without it.
        import sqlite_utils

        columns = ("file", "line", "merge_id", "data")
        sqlite_utils.Database(self.conn)["records"].insert_all(
            (dict(zip(columns, record_row(path, paper.sources[0].line if paper.sources else 0,
                                          merge_id, paper), strict=True))
             for merge_id, paper in records), batch_size=2000)

    def _insert_records(self, rows: list[tuple[str, int, str, str]]) -> None:
        # A first index's records, written with their papers: plain executemany, as
        # sqlite-utils' insert_all opens a savepoint for every chunk, and inside a first
        # index's one big transaction that made records cost 3.7 s of a 23 s index of
        # 100,000 papers (a changed file's few records do not notice).
        self.conn.executemany(
            "INSERT INTO records (file, line, merge_id, data) VALUES (?, ?, ?, ?)", rows)

    def records_for(self, merge_id: str) -> list[Paper]:
        """The paper's records in source order, to merge again.

        A record stored as '' (ONLY_RECORD) was its paper's only one when a first index
        wrote it, and the paper's data is that record merged, which merges again into the
        same paper. It is written out in full now, before the paper changes."""
        rows = self.conn.execute(
            "SELECT id, data FROM records WHERE merge_id = ? ORDER BY file, line", (merge_id,)
        ).fetchall()
        records = []
        for record_id, data in rows:
            if data == ONLY_RECORD:
                paper_row = self.conn.execute(
                    "SELECT data FROM papers WHERE merge_id = ?", (merge_id,)).fetchone()
                if paper_row is None:  # cannot happen: they are written together
                    continue
                record = Paper.from_dict(json.loads(paper_row[0]))
                record.key = None  # a record has no key of citels' giving
                data = json.dumps(record.to_dict())
                self.conn.execute("UPDATE records SET data = ? WHERE id = ?", (data, record_id))
            records.append(Paper.from_dict(json.loads(data)))
        return records

    def is_empty(self) -> bool:
        """No corpus file, record or paper yet: the index is being built for the first time."""
        row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM files) OR EXISTS (SELECT 1 FROM records)"
            " OR EXISTS (SELECT 1 FROM papers)").fetchone()
        return not row[0]

    def record_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM records").fetchone()[0]

    # --- keys ---------------------------------------------------------------------------

    def key_for(self, merge_id: str) -> str | None:
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

    def assign_keys(self, given: list[tuple[str, str]]) -> None:
        """Remember keys given to papers, (merge id, key), for good."""
        # In merge id order, the order of the table's primary key: added at its end, not
        # all over it (a million keys: 7.5 s in the order given).
        self.conn.executemany(
            "INSERT INTO keys (merge_id, key, key_lower) VALUES (?, ?, ?)",
            [(merge_id, key, key.lower()) for merge_id, key in sorted(given)])

    # --- merged papers ------------------------------------------------------------------

    def paper_hash(self, merge_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT content_hash FROM papers WHERE merge_id = ?", (merge_id,)
        ).fetchone()
        return row[0] if row else None

    def put_papers(self, papers: Iterable[StoredPaper], *, count: int,
                   first_index: bool = False) -> None:
        """Insert or replace merged papers, their full-text entries and (in a first index)
        their records, written in batches as `papers` gives them (about `count`)."""
        next_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM papers").fetchone()[0]
        # A first index's helper process (if it has one) builds the texts index aside.
        aside = TextsAside(Path(f"{self.path}-texts"), _open_texts_aside, _full_text_aside,
                           _close_texts_aside) \
            if first_index and str(self.path) != ":memory:" else None
        if aside is not None:
            _remove_database(aside.path)  # left by a run that was killed

        def batches() -> Iterator[Batch]:
            nonlocal next_id
            batch: Batch = []
            for stored in papers:
                assert stored.paper.key, "a paper is stored with its key"
                if stored.replacing:
                    self.delete_paper(stored.merge_id)
                batch.append((next_id, stored))
                next_id += 1
                if len(batch) == WRITE_BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch

        if first_index:
            for table in FULL_TEXT_TABLES:
                _merge_later(self.conn, table)
        try:
            for rows in prepared(batches(), papers=count, aside=aside):
                self.conn.executemany(
                    "INSERT INTO papers (id, merge_id, key, key_lower, title, year,"
                    " content_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.papers)
                self._write_full_text(rows.full_text.titles, rows.full_text.texts,
                                      command=None)
                self._insert_records(rows.records)
            if aside is not None and aside.complete:
                self._take_texts_aside(aside.path)
            elif aside is not None and aside.papers:
                # The helper died before finishing: the texts it had are worked out here.
                self._write_texts_of(aside.papers)
            if first_index:
                for table in FULL_TEXT_TABLES:
                    _merge_now(self.conn, table)
        finally:
            if aside is not None:
                _remove_database(aside.path)

    def _take_texts_aside(self, path: Path) -> None:
        """Make the texts index the one a first index's helper built (see TextsAside).

        An FTS5 index is its shadow tables, so they are copied over. The table is made anew
        first: FTS5 keeps some of an index's structure in memory per connection, and a
        table this connection has never used has none to be out of date."""
        self.conn.execute("DROP TABLE texts_vocab")
        self.conn.execute("DROP TABLE texts_fts")
        self.conn.execute(TEXTS_FTS)
        self.conn.execute(TEXTS_VOCAB)
        built = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for shadow in ("data", "idx", "docsize", "config"):
                table = f"texts_fts_{shadow}"
                self.conn.execute(f"DELETE FROM {table}")
                rows = built.execute(f"SELECT * FROM {table}")
                places = ", ".join("?" * len(rows.description))
                while chunk := rows.fetchmany(WRITE_BATCH):
                    self.conn.executemany(f"INSERT INTO {table} VALUES ({places})", chunk)
        finally:
            built.close()

    def _write_texts_of(self, paper_ids: list[int]) -> None:
        for start in range(0, len(paper_ids), WRITE_BATCH):
            ids = paper_ids[start:start + WRITE_BATCH]
            _, texts = full_text_rows(self.papers_by_id(ids).items())
            self._write_full_text([], sorted(texts), command=None)

    def _write_full_text(self, titles: list[tuple[int, str, str, str]],
                         texts: list[tuple[int, str]], *, command: str | None) -> None:
        """Add rows to the full-text indexes, or with command 'delete' take the same rows
        out: the indexes keep no copy of the text, so a delete must name the words."""
        self.conn.executemany(
            "INSERT INTO titles_fts (titles_fts, rowid, title, aliases, key)"
            " VALUES (?, ?, ?, ?, ?)", [(command, *row) for row in titles])
        self.conn.executemany(
            "INSERT INTO texts_fts (texts_fts, rowid, words) VALUES (?, ?, ?)",
            [(command, *row) for row in texts])

    def _rebuild_full_text(self) -> None:
        """Refill the full-text indexes from the papers (after a schema change to them)."""
        with self.transaction():
            self.conn.execute("INSERT INTO titles_fts (titles_fts) VALUES ('delete-all')")
            self.conn.execute("INSERT INTO texts_fts (texts_fts) VALUES ('delete-all')")
            rows = self.conn.execute("SELECT id, data FROM papers")
            while batch := rows.fetchmany(WRITE_BATCH):
                self._write_full_text(*full_text_rows(
                    (paper_id, Paper.from_dict(json.loads(data))) for paper_id, data in batch),
                    command=None)
            self.refresh_vocabulary()
            self.conn.execute("DELETE FROM meta WHERE name = 'fts_needs_rebuild'")

    def refresh_vocabulary(self) -> None:
        """Count again how many papers have each word (after the index changed).

        A large corpus keeps only the words common enough to be worth correcting a typo to:
        the vocabulary a keystroke searches then stays small however many papers there are,
        and a rarer word is still found, by the full-text index itself.
        """
        self.conn.execute("DELETE FROM vocabulary")
        self.conn.execute(
            "INSERT INTO vocabulary (term, papers) SELECT term, doc FROM texts_vocab"
            " WHERE doc >= ?", (self.vocabulary_threshold(),))

    def vocabulary_threshold(self) -> int:
        """The fewest papers a word is in to be in the vocabulary: 1 up to 50,000 papers."""
        return max(1, self.paper_total() // VOCABULARY_PAPERS_PER_STEP)

    def delete_paper(self, merge_id: str) -> bool:
        row = self.conn.execute(
            "SELECT id, data FROM papers WHERE merge_id = ?", (merge_id,)).fetchone()
        if row is None:
            return False
        self._write_full_text(*full_text_rows([(row[0], Paper.from_dict(json.loads(row[1])))]),
                              command="delete")
        self.conn.execute("DELETE FROM papers WHERE id = ?", (row[0],))
        return True

    def get(self, key: str) -> Paper | None:
        """The paper with this key: exactly as written, else ignoring case."""
        row = self.conn.execute("SELECT data FROM papers WHERE key = ?", (key,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT data FROM papers WHERE key_lower = ?", (key.lower(),)
            ).fetchone()
        return Paper.from_dict(json.loads(row[0])) if row else None

    def source_location(self, key: str) -> tuple[str, int] | None:
        """Where in the corpus a paper was read first: (absolute file path, 1-based line)."""
        row = self.conn.execute(
            "SELECT r.file, r.line FROM papers p JOIN records r ON r.merge_id = p.merge_id"
            " WHERE p.key_lower = ? ORDER BY r.file, r.line LIMIT 1", (key.lower(),)).fetchone()
        return (row[0], row[1]) if row else None

    def papers(self) -> Iterator[Paper]:
        """Every paper, in key order."""
        for row in self.conn.execute("SELECT data FROM papers ORDER BY key_lower"):
            yield Paper.from_dict(json.loads(row[0]))

    def paper_counts(self) -> tuple[int, int]:
        """(papers, papers with a title), as last counted by an index run: counting a
        million rows takes a good part of a second, which a re-check must not spend."""
        remembered = self.get_meta("paper_counts")
        if remembered is not None:
            papers, titled = map(int, remembered.split())
            return papers, titled
        row = self.conn.execute("SELECT count(*), count(title) FROM papers").fetchone()
        return row[0], row[1]

    def count_papers(self) -> None:
        """Count the papers again and remember the counts (after an index run changed them)."""
        self.conn.execute("DELETE FROM meta WHERE name = 'paper_counts'")
        papers, titled = self.paper_counts()
        self.conn.execute("INSERT INTO meta (name, value) VALUES ('paper_counts', ?)",
                          (f"{papers} {titled}",))

    def keys_with_prefix(self, prefix: str, limit: int) -> list[tuple[int, str]]:
        """(id, key) of papers whose key starts with `prefix` (case-insensitively), shortest
        key first."""
        upper = prefix.lower() + "\U0010ffff"
        return self.conn.execute(
            "SELECT id, key FROM papers WHERE key_lower >= ? AND key_lower < ?"
            " ORDER BY length(key_lower), key_lower LIMIT ?",
            (prefix.lower(), upper, limit),
        ).fetchall()

    def search_titles(self, match: str, limit: int) -> list[int]:
        """Ids of papers whose title words match an FTS5 expression, shortest titles first.

        No relevance is computed here: the index hands over its first matches in rowid
        order (short titles first) and stops, so the cost does not grow with the matches.
        """
        if not match:
            return []
        rows = self.conn.execute(
            "SELECT rowid FROM titles_fts WHERE titles_fts MATCH ? LIMIT ?", (match, limit))
        return [rowid & PAPER_ID_MASK for rowid, in rows]

    def search_texts(self, match: str, limit: int, *, best_first: bool) -> list[int]:
        """Ids of papers whose title or abstract words match an FTS5 expression.

        `best_first` orders the matches by bm25, which costs time in proportion to their
        number: the ranker asks for it only when it knows the matches are few.
        """
        if not match:
            return []
        order = " ORDER BY bm25(texts_fts)" if best_first else ""
        rows = self.conn.execute(
            f"SELECT rowid FROM texts_fts WHERE texts_fts MATCH ?{order} LIMIT ?",
            (match, limit))
        return [rowid for rowid, in rows]

    def candidates(self, paper_ids: Iterable[int]) -> list[Candidate]:
        """The few fields the ranker scores, for these papers, in the order asked."""
        ids = list(paper_ids)
        if not ids:
            return []
        rows = self.conn.execute(
            "SELECT id, key, title, json_extract(data, '$.abstract') FROM papers"
            f" WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        by_id = {row[0]: Candidate(*row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def papers_by_id(self, paper_ids: Iterable[int]) -> dict[int, Paper]:
        ids = list(paper_ids)
        if not ids:
            return {}
        rows = self.conn.execute(
            f"SELECT id, data FROM papers WHERE id IN ({','.join('?' * len(ids))})", ids)
        return {row[0]: Paper.from_dict(json.loads(row[1])) for row in rows}

    def document_frequency(self, term: str) -> int:
        """How many papers have this word (a word rarer than the vocabulary keeps counts 1)."""
        row = self.conn.execute(
            "SELECT papers FROM vocabulary WHERE term = ?", (term,)).fetchone()
        if row:
            return row[0]
        if self.vocabulary_threshold() == 1:
            return 0
        found = self.conn.execute(
            "SELECT 1 FROM texts_fts WHERE texts_fts MATCH ? LIMIT 1",
            (match_expression([term], prefix_last=False),)).fetchone()
        return 1 if found else 0

    def has_term_with_prefix(self, prefix: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM vocabulary WHERE term >= ? AND term < ? LIMIT 1",
            (prefix, prefix + "\U0010ffff"),
        ).fetchone()
        if row is not None or self.vocabulary_threshold() == 1:
            return row is not None
        # Only words rarer than the vocabulary keeps start so: few, so quick to look up.
        row = self.conn.execute(
            "SELECT 1 FROM texts_vocab WHERE term >= ? AND term < ? LIMIT 1",
            (prefix, prefix + "\U0010ffff")).fetchone()
        return row is not None

    def completions(self, prefix: str, limit: int) -> tuple[list[str], int]:
        """The vocabulary's commonest words that start with `prefix`, and how many papers
        the words starting so have between them (at most: a paper may have several)."""
        rows = self.conn.execute(
            "SELECT term, papers FROM vocabulary WHERE term >= ? AND term < ?",
            (prefix, prefix + "\U0010ffff")).fetchall()
        rows.sort(key=lambda row: (-row[1], row[0]))
        return [term for term, _ in rows[:limit]], sum(papers for _, papers in rows)

    def terms_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Vocabulary words from `low` up to (not including) `high`, with their paper counts."""
        return self.conn.execute(
            "SELECT term, papers FROM vocabulary WHERE term >= ? AND term < ?", (low, high)
        ).fetchall()

    def paper_total(self) -> int:
        """How many papers there are; looked up again only after the index changed (the
        ranker asks on every keystroke)."""
        version = (self.conn.execute("PRAGMA data_version").fetchone()[0],
                   self.conn.total_changes)
        if self._total is None or self._total[0] != version:
            self._total = (version, self.paper_counts()[0])
        return self._total[1]

    # --- metadata -----------------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None


# --- FTS5 segments in a first index ----------------------------------------------------
# FTS5 writes an index as segments and merges them as they pile up: by default when 4 are
# at a level. A first index lets 16 pile up and merges them all into one at the end: the
# full-text inserts of a million papers take a quarter less time (titles 29.9 -> 21.8 s,
# texts 34.9 -> 26.2 s, then 3 s each to merge), and queries are as fast as before
# (without the final merge they took twice as long).
FULL_TEXT_TABLES = ("titles_fts", "texts_fts")
BULK_AUTOMERGE = 16
DEFAULT_AUTOMERGE = 4  # FTS5's own


def _merge_later(conn: sqlite3.Connection, table: str) -> None:
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', {BULK_AUTOMERGE})")


def _merge_now(conn: sqlite3.Connection, table: str) -> None:
    conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', {DEFAULT_AUTOMERGE})")


# --- in the helper process of a first index: the texts index it builds aside ------------

_texts_aside: sqlite3.Connection | None = None


def _open_texts_aside(path: str) -> None:
    global _texts_aside
    conn = sqlite3.connect(path, isolation_level=None)
    # Scratch: if anything goes wrong it is thrown away, so no journal and no syncing.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(TEXTS_FTS)
    conn.execute("BEGIN")
    _merge_later(conn, "texts_fts")
    _texts_aside = conn


def _full_text_aside(papers: list[PaperText]) -> FullText:
    assert _texts_aside is not None
    full_text = full_text_of(papers)
    _texts_aside.executemany("INSERT INTO texts_fts (rowid, words) VALUES (?, ?)",
                             full_text.texts)
    return FullText(full_text.titles, [], texts_aside=True)


def _close_texts_aside() -> None:
    assert _texts_aside is not None
    _merge_now(_texts_aside, "texts_fts")
    _texts_aside.execute("COMMIT")
    _texts_aside.close()


def _remove_database(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def open_store(path: Path) -> tuple[Store, str | None]:
    """Open an index; a corrupt one is moved aside (kept for inspection) and a new one made.

    Returns the store and, when the old file was set aside, a message saying so.
    """
    try:
        return Store(path), None
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise  # another process holds it: not corrupt, and not ours to move
        aside = path.with_name(path.name + f".corrupt-{int(time.time())}")
        for suffix in ("", "-wal", "-shm"):
            old = Path(str(path) + suffix)
            if old.exists():
                old.rename(Path(str(aside) + suffix))
        return Store(path), f"the index {path} could not be read ({error}); it was moved to" \
                            f" {aside} and a new index will be built"


def match_expression(tokens: list[str], *, prefix_last: bool) -> str:
    """An FTS5 expression for folded word tokens, each quoted so user text is never syntax.

    The last token gets `*` (a prefix) only when asked: it is the word still being typed.
    """
    parts = []
    for index, token in enumerate(tokens):
        quoted = '"' + token.replace('"', '""') + '"'
        if prefix_last and index == len(tokens) - 1:
            quoted += " *"
        parts.append(quoted)
    return " AND ".join(parts)
