"""The works index and the identifiers table: papers found by who wrote them, where and
when, and by the identifiers they carry.

The works index is contentless, like the title and text indexes: a paper's rows are derived
again (`index_text.work_text`) to delete them. FTS5 syntax is made by `fulltext.py`'s
helpers only, so text a user typed is never syntax.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from citels.corpus.identifiers import Identifier
from citels.papers import Paper
from citels.search_index import WordGroup
from citels.store.fulltext import (
    LAST_CHARACTER,
    match_expression,
    merge_now,
    quoted,
)
from citels.store.index_text import WorkRow, work_rows
from citels.store.result_cache import ResultCache
from citels.store.rows import PAPER_ID_MASK


def write_works(conn: sqlite3.Connection, works: list[WorkRow], *, delete: bool = False
                ) -> None:
    """Add rows to the works index of `conn` (a first index's helper builds one aside), or
    with `delete` take the same rows out."""
    command = "delete" if delete else None
    conn.executemany("INSERT INTO works_fts (works_fts, rowid, names, title, facets)"
                     " VALUES (?, ?, ?, ?, ?)", [(command, *row) for row in works])


class WorksIndex:
    """The works index and identifiers of one index database."""

    def __init__(self, conn: sqlite3.Connection, answers: ResultCache | None = None) -> None:
        self.conn = conn
        # Counts and searches asked again keystroke after keystroke are answered from here.
        self.answers = answers or ResultCache(lambda: (object(),))

    def write(self, papers: Iterable[tuple[int, Paper]], *, delete: bool = False) -> None:
        """Add papers' rows, or with `delete` take the same rows out."""
        self.write_rows(*work_rows(papers), delete=delete)

    def write_rows(self, works: list[WorkRow], identifiers: list[tuple[str, str, int]], *,
                   delete: bool = False) -> None:
        """Add rows `work_rows` made (a first index's helper process makes them), or with
        `delete` take them out."""
        write_works(self.conn, works, delete=delete)
        if delete:
            # The very rows they were added as (derived the same way, as the contentless
            # full-text indexes' are): no index of the identifiers by paper is kept for
            # this (31 B a paper with an arXiv id each).
            self.conn.executemany(
                "DELETE FROM identifiers WHERE scheme = ? AND value = ? AND paper_id = ?",
                identifiers)
        else:
            self.conn.executemany(
                "INSERT OR IGNORE INTO identifiers (scheme, value, paper_id) VALUES (?, ?, ?)",
                identifiers)

    def merge_now(self) -> None:
        """Merge the works index's segments into one: left in a dozen, each search asks
        each of them (at 3M papers a surname with a title word took twice as long)."""
        merge_now(self.conn, "works_fts")

    def clear(self) -> None:
        """Empty the works index and the identifiers (before they are filled again)."""
        self.conn.execute("INSERT INTO works_fts (works_fts) VALUES ('delete-all')")
        self.conn.execute("DELETE FROM identifiers")

    def search(self, groups: Sequence[WordGroup], facet_groups: Sequence[WordGroup],
               limit: int) -> list[int]:
        """Ids of papers matching every group in any column and every facet group in their
        facets (venue, year), newest first; no relevance is computed, so the cost does not
        grow with the matches."""
        parts = [match_expression(groups)] if any(groups) else []
        parts += ["facets : (" + " OR ".join(quoted(w) for w in group) + ")"
                  for group in facet_groups if group]
        if not parts:
            return []
        match = " AND ".join(parts)
        return self.answers.get(("works", match, limit), lambda: [
            rowid & PAPER_ID_MASK for rowid, in self.conn.execute(
                "SELECT rowid FROM works_fts WHERE works_fts MATCH ? LIMIT ?", (match, limit))])

    def refresh_vocabulary(self, threshold: int) -> None:
        """Count again how many papers have each word of a person's name (after the index
        changed), keeping the words in at least `threshold` papers."""
        self.conn.execute("DELETE FROM name_vocabulary")
        self.conn.execute(
            "INSERT INTO name_vocabulary (term, papers) SELECT term, doc FROM works_vocab"
            " WHERE col = 'names' AND doc >= ?", (threshold,))

    def names_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Words of people's names from `low` up to (not including) `high`, with their
        paper counts (those the name vocabulary keeps)."""
        return self.conn.execute(
            "SELECT term, papers FROM name_vocabulary WHERE term >= ? AND term < ?",
            (low, high)).fetchall()

    def facet_frequency(self, term: str) -> tuple[int, int]:
        """How many papers have this word in a person's name, and in their facets."""
        counts = self.answers.get(("facets", term), lambda: dict(self.conn.execute(
            "SELECT col, doc FROM works_vocab WHERE term = ? AND col IN ('names', 'facets')",
            (term,)).fetchall()))
        return counts.get("names", 0), counts.get("facets", 0)

    def has_name_with_prefix(self, prefix: str) -> bool:
        """Whether any person's name has a word starting with `prefix`."""
        bounds = (prefix, prefix + LAST_CHARACTER)
        # The name vocabulary (a plain table) answers for common names at once; the works
        # index's own vocabulary counts a word's papers as it lists it, so it is asked only
        # when no common name starts so (then the names it reads are rare, and quick).
        return self.answers.get(("name prefix", prefix), lambda: self.conn.execute(
            "SELECT 1 FROM name_vocabulary WHERE term >= ? AND term < ? LIMIT 1",
            bounds).fetchone() is not None or self.conn.execute(
            "SELECT 1 FROM works_vocab WHERE term >= ? AND term < ? AND col = 'names' LIMIT 1",
            bounds).fetchone() is not None)

    def papers_with(self, identifiers: Iterable[Identifier]) -> list[int]:
        """Ids of papers carrying any of these identifiers, in the order asked."""
        found: dict[int, None] = {}
        for scheme, value in identifiers:
            found.update(dict.fromkeys(paper_id for paper_id, in self.conn.execute(
                "SELECT paper_id FROM identifiers WHERE scheme = ? AND value = ?",
                (scheme, value))))
        return list(found)
