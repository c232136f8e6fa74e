"""The full-text layer: the two FTS5 indexes, the vocabulary, and every match the ranker asks.

All FTS5 query syntax lives here: word groups (`citels.search_index`) become quoted words,
`*` where a prefix is meant, OR within a group and AND between groups, so text a user typed
is never syntax. What of a paper is indexed is `index_text.py`'s; the rows come from `rows.py`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence

from citels.search_index import Word, WordGroup
from citels.store.result_cache import ResultCache
from citels.store.rows import PAPER_ID_MASK, TitleRow

VOCABULARY_PAPERS_PER_STEP = 50_000
FULL_TEXT_TABLES = ("titles_fts", "texts_fts")
# A first index lets segments pile up and merges them once at the end: quicker to write,
# as quick to query (docs/performance.md).
BULK_AUTOMERGE = 16
DEFAULT_AUTOMERGE = 4  # FTS5's own
LAST_CHARACTER = "\U0010ffff"  # `prefix + LAST_CHARACTER` bounds the words starting so


def quoted(word: Word) -> str:
    """One word as an FTS5 string, never syntax; `*` after it for a prefix."""
    text = '"' + word.text.replace('"', '""') + '"'
    return text + " *" if word.prefix else text


def match_expression(groups: Iterable[WordGroup]) -> str:
    """An FTS5 expression matching every group (by any of its words); empty groups are
    left out, and no group at all gives ''."""
    parts = []
    for group in groups:
        if not group:
            continue
        alternatives = [quoted(word) for word in group]
        parts.append("(" + " OR ".join(alternatives) + ")" if len(alternatives) > 1
                     else alternatives[0])
    return " AND ".join(parts)


def merge_later(conn: sqlite3.Connection, table: str) -> None:
    """Let an index's segments pile up (a first index writes them all at once)."""
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', {BULK_AUTOMERGE})")


def merge_now(conn: sqlite3.Connection, table: str) -> None:
    """Merge an index's segments into one, and merge as FTS5 does by default from now on."""
    conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', {DEFAULT_AUTOMERGE})")


def write_titles(conn: sqlite3.Connection, titles: list[TitleRow], command: str | None = None
                 ) -> None:
    """Add rows to the titles index of `conn` (a first index's helper builds one aside), or
    with command 'delete' take the same rows out."""
    conn.executemany("INSERT INTO titles_fts (titles_fts, rowid, title, aliases, key)"
                     " VALUES (?, ?, ?, ?, ?)", [(command, *row) for row in titles])


def write_texts(conn: sqlite3.Connection, texts: list[tuple[int, str]],
                command: str | None = None) -> None:
    """Add rows to the texts index of `conn`, or with command 'delete' take them out."""
    conn.executemany("INSERT INTO texts_fts (texts_fts, rowid, words) VALUES (?, ?, ?)",
                     [(command, *row) for row in texts])


COMPLETIONS_KEPT = 32  # a prefix's commonest words kept between keystrokes


class FullTextIndex:
    """The titles and texts indexes and the vocabulary of one index database.

    The indexes are contentless: rows are added and deleted by naming the same words.
    `paper_total` tells how many papers there are (the vocabulary keeps fewer words of a
    larger corpus).
    """

    def __init__(self, conn: sqlite3.Connection, paper_total: Callable[[], int],
                 answers: ResultCache | None = None) -> None:
        self.conn = conn
        self.paper_total = paper_total
        # Searches asked again keystroke after keystroke are answered from here.
        self.answers = answers or ResultCache(lambda: (object(),))

    # --- writing ------------------------------------------------------------------------

    def write(self, titles: list[TitleRow], texts: list[tuple[int, str]], *,
              command: str | None = None) -> None:
        """Add rows to the full-text indexes, or with command 'delete' take the same rows
        out: the indexes keep no copy of the text, so a delete must name the words."""
        write_titles(self.conn, titles, command)
        write_texts(self.conn, texts, command)

    def clear(self) -> None:
        """Empty both indexes (before they are filled again from the papers)."""
        self.conn.execute("INSERT INTO titles_fts (titles_fts) VALUES ('delete-all')")
        self.conn.execute("INSERT INTO texts_fts (texts_fts) VALUES ('delete-all')")

    def merge_later(self) -> None:
        """Let both indexes' segments pile up until `merge_now` (a first index)."""
        for table in FULL_TEXT_TABLES:
            merge_later(self.conn, table)

    def merge_now(self) -> None:
        """Merge both indexes' segments into one each."""
        for table in FULL_TEXT_TABLES:
            merge_now(self.conn, table)

    def refresh_vocabulary(self, *, papers: int | None = None) -> None:
        """Count again how many papers have each word (after the index changed), in an
        index of `papers` papers (by default as many as last counted).

        A large corpus keeps only the words common enough to be worth correcting a typo to:
        the vocabulary a keystroke searches then stays small however many papers there are,
        and a rarer word is still found, by the full-text index itself.
        """
        self.conn.execute("DELETE FROM vocabulary")
        self.conn.execute(
            "INSERT INTO vocabulary (term, papers) SELECT term, doc FROM texts_vocab"
            " WHERE doc >= ?", (self.vocabulary_threshold(papers),))

    def vocabulary_threshold(self, papers: int | None = None) -> int:
        """The fewest papers a word is in to be in the vocabulary: 1 up to 50,000 papers (of
        `papers`, by default as many as last counted)."""
        total = self.paper_total() if papers is None else papers
        return max(1, total // VOCABULARY_PAPERS_PER_STEP)

    # --- matching -----------------------------------------------------------------------

    def search_titles(self, groups: Sequence[WordGroup], limit: int) -> list[int]:
        """Ids of papers whose title words match every group, shortest titles first.

        No relevance is computed here: the index hands over its first matches in rowid
        order (short titles first) and stops, so the cost does not grow with the matches.
        """
        match = match_expression(groups)
        if not match:
            return []
        return self.answers.get(("titles", match, limit), lambda: [
            rowid & PAPER_ID_MASK for rowid, in self.conn.execute(
                "SELECT rowid FROM titles_fts WHERE titles_fts MATCH ? LIMIT ?",
                (match, limit))])

    def search_texts(self, groups: Sequence[WordGroup], limit: int, *,
                     best_first: bool, excluded: WordGroup = ()) -> list[int]:
        """Ids of papers whose title or abstract words match every group and none of the
        words `excluded`.

        `best_first` orders the matches by bm25, which costs time in proportion to their
        number: the ranker asks for it only when it knows the matches are few.
        """
        match = match_expression(groups)
        if not match:
            return []
        if excluded:
            match = f"({match}) NOT {match_expression([excluded])}"
        order = " ORDER BY bm25(texts_fts)" if best_first else ""
        return self.answers.get(("texts", match, limit, best_first), lambda: [
            rowid for rowid, in self.conn.execute(
                f"SELECT rowid FROM texts_fts WHERE texts_fts MATCH ?{order} LIMIT ?",
                (match, limit))])

    def document_frequency(self, term: str) -> int:
        """How many papers have this word (a word rarer than the vocabulary keeps counts 1)."""
        return self.answers.get(("frequency", term), lambda: self._document_frequency(term))

    def _document_frequency(self, term: str) -> int:
        row = self.conn.execute(
            "SELECT papers FROM vocabulary WHERE term = ?", (term,)).fetchone()
        if row:
            return row[0]
        if self.vocabulary_threshold() == 1:
            return 0
        found = self.conn.execute(
            "SELECT 1 FROM texts_fts WHERE texts_fts MATCH ? LIMIT 1",
            (match_expression([(Word(term),)]),)).fetchone()
        return 1 if found else 0

    def has_term_with_prefix(self, prefix: str) -> bool:
        """Whether any indexed word starts with `prefix`."""
        row = self.conn.execute(
            "SELECT 1 FROM vocabulary WHERE term >= ? AND term < ? LIMIT 1",
            (prefix, prefix + LAST_CHARACTER),
        ).fetchone()
        if row is not None or self.vocabulary_threshold() == 1:
            return row is not None
        # Only words rarer than the vocabulary keeps start so: few, so quick to look up.
        row = self.conn.execute(
            "SELECT 1 FROM texts_vocab WHERE term >= ? AND term < ? LIMIT 1",
            (prefix, prefix + LAST_CHARACTER)).fetchone()
        return row is not None

    def completions(self, prefix: str, limit: int) -> tuple[list[str], int]:
        """The vocabulary's commonest words that start with `prefix`, and how many papers
        the words starting so have between them (at most: a paper may have several)."""
        # Asked again for every typed word at each keystroke: kept (a short prefix has
        # thousands of words to read and sort), the commonest few whatever the limit asked.
        if limit > COMPLETIONS_KEPT:
            terms, papers = self._completions(prefix, limit)
        else:
            terms, papers = self.answers.get(
                ("completions", prefix), lambda: self._completions(prefix, COMPLETIONS_KEPT))
        return list(terms[:limit]), papers

    def _completions(self, prefix: str, limit: int) -> tuple[tuple[str, ...], int]:
        rows = self.conn.execute(
            "SELECT term, papers FROM vocabulary WHERE term >= ? AND term < ?",
            (prefix, prefix + LAST_CHARACTER)).fetchall()
        rows.sort(key=lambda row: (-row[1], row[0]))
        return tuple(term for term, _ in rows[:limit]), sum(papers for _, papers in rows)

    def terms_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Vocabulary words from `low` up to (not including) `high`, with their paper counts."""
        return self.conn.execute(
            "SELECT term, papers FROM vocabulary WHERE term >= ? AND term < ?", (low, high)
        ).fetchall()
