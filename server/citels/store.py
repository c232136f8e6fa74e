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

import sqlite_utils

from citels.migrations import migrate
from citels.papers import Paper
from citels.text import abstract_aliases, fold_for_search, title_aliases

# bm25 weights of the FTS columns (title, abstract, key, aliases): a title word says more than
# an abstract word; a key is what the writer may have typed exactly; aliases are the title's
# words spelt other ways.
BM25_WEIGHTS = (10.0, 1.0, 5.0, 6.0)


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
        conn.execute("PRAGMA busy_timeout = 5000")  # another citels may be writing
        conn.execute("PRAGMA journal_mode = WAL")  # readers go on while an index is written
        migrate(conn)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self._total: tuple[tuple[int, int], int] | None = None
        if self.get_meta("fts_needs_rebuild"):
            self._rebuild_full_text()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: an interrupted index leaves the previous one intact."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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
        """Store a file's records, each with its merge id."""
        self.db["records"].insert_all(
            (
                {"file": path, "line": paper.sources[0].line if paper.sources else 0,
                 "merge_id": merge_id, "data": json.dumps(paper.to_dict())}
                for merge_id, paper in records
            ),
            batch_size=2000,
        )

    def records_for(self, merge_id: str) -> list[Paper]:
        rows = self.conn.execute(
            "SELECT data FROM records WHERE merge_id = ? ORDER BY file, line", (merge_id,)
        )
        return [Paper.from_dict(json.loads(row[0])) for row in rows]

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

    def assign_key(self, merge_id: str, key: str) -> None:
        self.conn.execute(
            "INSERT INTO keys (merge_id, key, key_lower) VALUES (?, ?, ?)",
            (merge_id, key, key.lower()),
        )

    # --- merged papers ------------------------------------------------------------------

    def paper_hash(self, merge_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT content_hash FROM papers WHERE merge_id = ?", (merge_id,)
        ).fetchone()
        return row[0] if row else None

    def put_paper(self, merge_id: str, paper: Paper, content_hash: str) -> None:
        """Insert or replace a merged paper and its full-text entry."""
        assert paper.key, "a paper is stored with its key"
        self.delete_paper(merge_id)
        cursor = self.conn.execute(
            "INSERT INTO papers (merge_id, key, key_lower, title, year, content_hash, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (merge_id, paper.key, paper.key.lower(), paper.title, paper.year, content_hash,
             json.dumps(paper.to_dict())),
        )
        self._index_text(cursor.lastrowid, paper)

    def _index_text(self, rowid: int | None, paper: Paper) -> None:
        assert paper.key
        aliases = title_aliases(paper.title or "") + abstract_aliases(paper.abstract or "")
        self.conn.execute(
            "INSERT INTO papers_fts (rowid, title, abstract, key, aliases) VALUES (?, ?, ?, ?, ?)",
            (rowid, fold_for_search(paper.title or ""), fold_for_search(paper.abstract or ""),
             paper.key.lower(), " ".join(aliases)),
        )

    def _rebuild_full_text(self) -> None:
        """Refill the full-text index from the papers (after a schema change to it)."""
        with self.transaction():
            self.conn.execute("DELETE FROM papers_fts")
            rows = self.conn.execute("SELECT id, data FROM papers").fetchall()
            for rowid, data in rows:
                self._index_text(rowid, Paper.from_dict(json.loads(data)))
            self.conn.execute("DELETE FROM meta WHERE name = 'fts_needs_rebuild'")

    def delete_paper(self, merge_id: str) -> bool:
        row = self.conn.execute("SELECT id FROM papers WHERE merge_id = ?", (merge_id,)).fetchone()
        if row is None:
            return False
        self.conn.execute("DELETE FROM papers_fts WHERE rowid = ?", (row[0],))
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
        """(papers, papers with a title)."""
        row = self.conn.execute("SELECT count(*), count(title) FROM papers").fetchone()
        return row[0], row[1]

    def keys_with_prefix(self, prefix: str, limit: int) -> list[Paper]:
        """Papers whose key starts with `prefix` (case-insensitively), shortest key first."""
        upper = prefix.lower() + "\U0010ffff"
        rows = self.conn.execute(
            "SELECT data FROM papers WHERE key_lower >= ? AND key_lower < ?"
            " ORDER BY length(key_lower), key_lower LIMIT ?",
            (prefix.lower(), upper, limit),
        )
        return [Paper.from_dict(json.loads(row[0])) for row in rows]

    def search(self, match: str, limit: int) -> list[tuple[Paper, float]]:
        """Papers matching an FTS5 expression, best bm25 first, with the (positive) score."""
        if not match:
            return []
        rows = self.conn.execute(
            "SELECT p.data, -bm25(papers_fts, ?, ?, ?, ?) AS score FROM papers_fts"
            " JOIN papers p ON p.id = papers_fts.rowid"
            " WHERE papers_fts MATCH ? ORDER BY score DESC, p.key_lower LIMIT ?",
            (*BM25_WEIGHTS, match, limit),
        )
        return [(Paper.from_dict(json.loads(data)), score) for data, score in rows]

    def document_frequency(self, term: str) -> int:
        """How many papers have this indexed word (in any column)."""
        row = self.conn.execute("SELECT doc FROM papers_vocab WHERE term = ?", (term,)).fetchone()
        return row[0] if row else 0

    def has_term_with_prefix(self, prefix: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM papers_vocab WHERE term >= ? AND term < ? LIMIT 1",
            (prefix, prefix + "\U0010ffff"),
        ).fetchone()
        return row is not None

    def terms_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Indexed words from `low` up to (not including) `high`, with their paper counts."""
        return self.conn.execute(
            "SELECT term, doc FROM papers_vocab WHERE term >= ? AND term < ?", (low, high)
        ).fetchall()

    def paper_total(self) -> int:
        """How many papers there are; counted again only after the index changed (the ranker
        asks on every keystroke, and counting a million rows is not free)."""
        version = (self.conn.execute("PRAGMA data_version").fetchone()[0],
                   self.conn.total_changes)
        if self._total is None or self._total[0] != version:
            count = self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
            self._total = (version, count)
        return self._total[1]

    # --- metadata -----------------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None


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


def match_expression(tokens: list[str], *, prefix_last: bool, any_token: bool = False,
                     columns: tuple[str, ...] = ()) -> str:
    """An FTS5 expression for folded word tokens, each quoted so user text is never syntax.

    The last token gets `*` (a prefix) only when asked: it is the word still being typed.
    `columns` limits the match to those columns (the default is every column).
    """
    parts = []
    for index, token in enumerate(tokens):
        quoted = '"' + token.replace('"', '""') + '"'
        if prefix_last and index == len(tokens) - 1:
            quoted += " *"
        if columns:
            quoted = "{" + " ".join(columns) + "} : " + quoted
        parts.append(quoted)
    return (" OR " if any_token else " AND ").join(parts)
