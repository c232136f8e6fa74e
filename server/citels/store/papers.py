"""The store's top: merged papers, and `Store`, the facade the rest of citels uses, composed
of the layers below it.

Layers, bottom up: `connection.py` (the connection, transactions, metadata), `fulltext.py`
(the FTS5 indexes and every match), `bulk.py` (the large index run's path), then
`records.py` (corpus files, paper records, keys given) and this module.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from itertools import islice
from pathlib import Path

from citels.corpus.identifiers import Identifier
from citels.papers import Paper
from citels.search_index import Candidate, WordGroup
from citels.store import bulk
from citels.store.bib_entries import BibEntries
from citels.store.connection import Database
from citels.store.fulltext import LAST_CHARACTER, FullTextIndex
from citels.store.index_text import editors_of, work_rows
from citels.store.packing import unpack, unpack_values
from citels.store.records import CorpusRecords
from citels.store.result_cache import ResultCache
from citels.store.rows import StoredPaper, full_text_rows
from citels.store.works import WorksIndex, write_works

KEYS_ORDERED = 500  # keys starting with what was typed, ordered best first (keys_with_prefix)
KEYS_ORDERED_FROM = 3  # ...once this much is typed; before, only the first FEW_KEYS_ORDERED
FEW_KEYS_ORDERED = 200
MANY_KEYS_ORDERED = 100  # ...and of a longer prefix that starts more than KEYS_ORDERED
# Meta flag: the papers are written and searchable by title, key and abstract, and the works
# index (people, venues, years) and identifiers are still to be written from them.
WORKS_PENDING = "works_pending"
CANDIDATES_KEPT = 2_000  # papers' ranker fields kept between keystrokes (a few queries' worth)
SHOWN_KEPT = 200  # papers decoded for the list shown, kept between keystrokes


class Store(CorpusRecords, BibEntries):
    """One corpus's index database, migrated to the current schema when opened.

    Composed of the layers: `db` (connection, transactions, metadata) and `full_text` (the
    FTS5 indexes); it answers the ranker's questions (`citels.search_index.SearchIndex`).
    """

    def __init__(self, path: Path | str) -> None:
        self.db = Database(path)
        self.path = self.db.path
        self.conn = self.db.conn
        answers = ResultCache(self.db.data_version)  # kept while the index is unchanged
        self._candidates = ResultCache(self.db.data_version, kept=CANDIDATES_KEPT)
        # The list shown changes little from one keystroke to the next, and decoding a
        # paper (decompress, JSON, Paper) is most of what showing it costs.
        self._shown = ResultCache(self.db.data_version, kept=SHOWN_KEPT)
        self.full_text = FullTextIndex(self.conn, self.paper_total, answers)
        self.works = WorksIndex(self.conn, answers)
        self._total: tuple[tuple[int, int], int] | None = None
        if self.get_meta("fts_needs_rebuild"):
            self._rebuild_full_text()

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def transaction(self, *, cache_mb: int | None = None) -> AbstractContextManager[None]:
        """All or nothing (see `Database.transaction`)."""
        return self.db.transaction(cache_mb=cache_mb)

    def rollback_journal(self) -> AbstractContextManager[bool]:
        """A first index's rollback journal, when it can have one (see `Database`)."""
        return self.db.rollback_journal()

    def get_meta(self, name: str) -> str | None:
        """A value the index keeps about itself, or None."""
        return self.db.get_meta(name)

    # --- merged papers ------------------------------------------------------------------

    def paper_hash(self, merge_id: str) -> str | None:
        """The content hash of the stored paper, if there is one."""
        row = self.conn.execute(
            "SELECT content_hash FROM papers WHERE merge_id = ?", (merge_id,)
        ).fetchone()
        return row[0] if row else None

    def put_papers(self, papers: Iterable[StoredPaper], *, count: int,
                   first_index: bool = False, works_later: bool = False,
                   then: Callable[[], None] | None = None) -> tuple[int, int]:
        """Insert or replace merged papers, their full-text entries and (in a first index)
        their records, written in batches as `papers` gives them (about `count`); return
        how many were written, and how many of them have a title. A first index counts
        them, and their vocabularies, itself (`count_papers`, `refresh_vocabulary`).

        With `works_later` (a first index), their works index rows and identifiers are
        left for `write_pending_works`, which a later transaction runs: the papers are
        searchable by title, key and abstract once this one commits.

        `then` is called in the same transaction once every paper is written, before
        their full-text indexes are finished (a first index's helper merges them
        meanwhile)."""
        written = titled = 0
        next_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM papers").fetchone()[0]

        def take(index: str, database: Path) -> None:
            bulk.take_aside(self.db, index, database)
            # Counted while the helper merges the next index (every paper is written).
            if index == "texts_fts":
                self.full_text.refresh_vocabulary(papers=written)
            elif index == "works_fts" and not works_later:
                self.works.refresh_vocabulary(self.full_text.vocabulary_threshold(written))

        # A first index's helper process (if it has one) builds the full-text indexes aside.
        aside = bulk.IndexesAside(Path(f"{self.path}-aside"), take) \
            if first_index and not self.db.in_memory else None
        if aside is not None:
            aside.remove()  # left by a run that was killed

        def replacing_old(papers: Iterable[StoredPaper]) -> Iterator[StoredPaper]:
            for stored in papers:
                assert stored.paper.key, "a paper is stored with its key"
                if stored.replacing:
                    self.delete_paper(stored.merge_id)
                yield stored

        if first_index:
            # The works index merges as FTS5 does while it is written, and once at the end:
            # let pile up, its segments took more memory (peak 902 -> 847 MB at 3M papers
            # without it, for 11 s more).
            self.full_text.merge_later()
        try:
            for rows in bulk.prepared(bulk.batches(replacing_old(papers), next_id),
                                      papers=count, aside=aside, works=not works_later,
                                      then=then):
                self.conn.executemany(
                    "INSERT INTO papers (id, merge_id, key, key_lower, title, year,"
                    " content_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.papers)
                written += len(rows.papers)
                titled += sum(row[4] is not None for row in rows.papers)
                self.full_text.write(rows.full_text.titles, rows.full_text.texts)
                self.works.write_rows(rows.full_text.works, rows.full_text.identifiers)
                self._insert_records(rows.records)
            if aside is None or not aside.complete:  # else taken as the helper merged them
                if aside is not None and aside.spans:
                    # The helper died before finishing: what it had is worked out here
                    # (the indexes taken emptied first, not to rely on FTS5 to keep only
                    # a paper's newest rows).
                    for index in aside.taken:
                        self.conn.execute(f"INSERT INTO {index} ({index}) VALUES ('delete-all')")
                    self._write_full_text_of(aside.paper_ids())
                if first_index:
                    self.full_text.merge_now()
                    self.works.merge_now()
            if first_index:
                self.count_papers((written, titled))
                if aside is None or not aside.complete:
                    self.refresh_vocabulary()
            if works_later:
                self.db.set_meta(WORKS_PENDING, "1")
        finally:
            if aside is not None:
                aside.remove()
        return written, titled

    def works_pending(self) -> bool:
        """Whether the works index and identifiers are still to be written (a library's
        first index writes them after its papers: `put_papers(works_later=True)`)."""
        return self.get_meta(WORKS_PENDING) is not None

    def write_pending_works(self) -> None:
        """Write the works index and identifiers of every paper, if they are still to be
        written (see `works_pending`); in the caller's transaction.

        The papers are read back in the works index's rowid order (newest year first, then
        id): FTS5 writes quickest so, and each batch is worked out from the stored papers."""
        if not self.works_pending():
            return
        self.works.clear()
        rows = self.conn.execute(
            "SELECT id, title, data FROM papers ORDER BY coalesce(year, 0) DESC, id")
        while batch := rows.fetchmany(bulk.WRITE_BATCH):
            self.works.write([(paper_id, unpack(data, title)) for paper_id, title, data in batch])
        self.works.merge_now()
        self.works.refresh_vocabulary(self.full_text.vocabulary_threshold())
        self.db.set_meta(WORKS_PENDING, None)

    def _write_full_text_of(self, paper_ids: Iterable[int]) -> None:
        ids = iter(paper_ids)
        while batch := list(islice(ids, bulk.WRITE_BATCH)):
            papers = {paper_id: paper for paper_id, paper in zip(
                batch, self._read_papers(batch), strict=True) if paper is not None}  # not shown
            titles, texts = full_text_rows(papers.items())
            self.full_text.write(sorted(titles), sorted(texts))
            works, _ = work_rows(list(papers.items()))
            write_works(self.conn, works)

    def _rebuild_full_text(self) -> None:
        """Refill the full-text indexes from the papers (after a schema change to them)."""
        with self.transaction():
            self.full_text.clear()
            self.works.clear()
            rows = self.conn.execute("SELECT id, title, data FROM papers")
            while batch := rows.fetchmany(bulk.WRITE_BATCH):
                papers = [(paper_id, unpack(data, title))
                          for paper_id, title, data in batch]
                self.full_text.write(*full_text_rows(papers))
                self.works.write(papers)
            self.refresh_vocabulary()
            self.db.set_meta("fts_needs_rebuild", None)
            self.db.set_meta(WORKS_PENDING, None)  # written with the rest

    def refresh_vocabulary(self) -> None:
        """Count again how many papers have each word, and each word of a person's name
        (after the index changed)."""
        self.full_text.refresh_vocabulary()
        self.works.refresh_vocabulary(self.full_text.vocabulary_threshold())

    def vocabulary_threshold(self) -> int:
        """The fewest papers a word is in to be in the vocabulary."""
        return self.full_text.vocabulary_threshold()

    def delete_paper(self, merge_id: str) -> bool:
        """Take a paper out of the papers and full-text indexes; False if there was none."""
        row = self.conn.execute(
            "SELECT id, title, data FROM papers WHERE merge_id = ?", (merge_id,)).fetchone()
        if row is None:
            return False
        paper = [(row[0], unpack(row[2], row[1]))]
        self.full_text.write(*full_text_rows(paper), command="delete")
        self.works.write(paper, delete=True)
        self.conn.execute("DELETE FROM papers WHERE id = ?", (row[0],))
        return True

    def get(self, key: str) -> Paper | None:
        """The paper with this key: exactly as written, else ignoring case."""
        # key_lower is unique: no two papers' keys differ only in case.
        row = self.conn.execute(
            "SELECT title, data FROM papers WHERE key_lower = ?", (key.lower(),)).fetchone()
        return unpack(row[1], row[0]) if row else None

    def source_location(self, key: str) -> tuple[str, int] | None:
        """Where in the corpus a paper was read first: (absolute file path, 1-based line)."""
        row = self.conn.execute(
            "SELECT f.path, r.line FROM papers p JOIN records r ON r.merge_id = p.merge_id"
            " JOIN files f ON f.id = r.file WHERE p.key_lower = ? ORDER BY f.path, r.line"
            " LIMIT 1", (key.lower(),)).fetchone()
        return (row[0], row[1]) if row else None

    def papers(self) -> Iterator[Paper]:
        """Every paper, in key order."""
        for title, data in self.conn.execute(
                "SELECT title, data FROM papers ORDER BY key_lower"):
            yield unpack(data, title)

    def paper_counts(self) -> tuple[int, int]:
        """(papers, papers with a title), as last counted by an index run: counting a
        million rows takes a good part of a second, which a re-check must not spend."""
        remembered = self.get_meta("paper_counts")
        if remembered is not None:
            papers, titled = map(int, remembered.split())
            return papers, titled
        row = self.conn.execute("SELECT count(*), count(title) FROM papers").fetchone()
        return row[0], row[1]

    def count_papers(self, known: tuple[int, int] | None = None) -> None:
        """Count the papers again and remember the counts (after an index run changed them);
        a first index knows them (`known`, from `put_papers`): 0.1-3 s less at 200k papers."""
        self.db.set_meta("paper_counts", None)
        papers, titled = known or self.paper_counts()
        self.db.set_meta("paper_counts", f"{papers} {titled}")

    def keys_with_prefix(self, prefix: str, limit: int) -> list[tuple[int, str]]:
        """(id, key) of papers whose key starts with `prefix` (case-insensitively): the key
        itself first, then keys written with the prefix's own capitals (`Sun:` is typed for
        Sun:2022, `sun` for sun2022moe), then the newest papers' (as a person's papers are
        listed), then the shortest keys.

        Only the first KEYS_ORDERED keys in key order are ordered so (FEW_KEYS_ORDERED for
        a prefix of one or two letters): a prefix that starts more is too short to tell them
        apart, and reading all of a million papers' keys that start with one letter would
        cost more than a keystroke may. A longer prefix that starts more than KEYS_ORDERED
        keys (a common surname in a big corpus) has its first MANY_KEYS_ORDERED ordered:
        ordering reads each paper's row, counting only the keys' index (ordering 500 took
        20 ms for "huan" at a million papers)."""
        typed = prefix.lower()
        ordered = KEYS_ORDERED if len(prefix) >= KEYS_ORDERED_FROM else FEW_KEYS_ORDERED
        if ordered == KEYS_ORDERED and self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM papers WHERE key_lower >= ?"
                " AND key_lower < ? LIMIT ?)", (typed, typed + LAST_CHARACTER, ordered + 1)
        ).fetchone()[0] > ordered:
            ordered = MANY_KEYS_ORDERED
        return self.conn.execute(
            "SELECT id, key FROM (SELECT id, key, key_lower, year FROM papers"
            "  WHERE key_lower >= ? AND key_lower < ? ORDER BY key_lower LIMIT ?)"
            " ORDER BY key_lower = ? DESC, substr(key, 1, ?) = ? DESC, coalesce(year, 0) DESC,"
            " length(key), key_lower LIMIT ?",
            (typed, typed + LAST_CHARACTER, ordered, typed, len(prefix), prefix, limit),
        ).fetchall()

    def search_titles(self, groups: Sequence[WordGroup], limit: int) -> list[int]:
        """Ids of papers whose title words match every group, shortest titles first."""
        return self.full_text.search_titles(groups, limit)

    def search_texts(self, groups: Sequence[WordGroup], limit: int, *,
                     best_first: bool, excluded: WordGroup = ()) -> list[int]:
        """Ids of papers whose title or abstract words match every group and none of the
        words `excluded`."""
        return self.full_text.search_texts(groups, limit, best_first=best_first,
                                           excluded=excluded)

    def search_works(self, groups: Sequence[WordGroup], facet_groups: Sequence[WordGroup],
                     limit: int) -> list[int]:
        """Ids of papers whose names, title or facets match every group, newest first."""
        return self.works.search(groups, facet_groups, limit)

    def facet_frequency(self, term: str) -> tuple[int, int]:
        """How many papers have this word in a person's name, and in venue or year."""
        return self.works.facet_frequency(term)

    def has_name_with_prefix(self, prefix: str) -> bool:
        """Whether any person's name has a word starting with `prefix`."""
        return self.works.has_name_with_prefix(prefix)

    def names_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Words of people's names from `low` up to `high`, with their paper counts."""
        return self.works.names_between(low, high)

    def papers_with_identifiers(self, identifiers: Sequence[Identifier]) -> list[int]:
        """Ids of papers carrying any of these (normalised) identifiers."""
        return self.works.papers_with(identifiers)

    def candidates(self, paper_ids: Iterable[int]) -> list[Candidate]:
        """The few fields the ranker scores, for these papers, in the order asked.

        Kept while the index is unchanged: the same candidates come back keystroke after
        keystroke, and each is unpacked from its compressed record."""
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return []
        by_id = self._candidates.get_many(ids, self._read_candidates)
        return [candidate for candidate in map(by_id.get, ids) if candidate is not None]

    def _read_candidates(self, ids: list[int]) -> list[Candidate | None]:
        rows = self.conn.execute(
            f"SELECT id, key, title, year, data FROM papers WHERE id IN"
            f" ({','.join('?' * len(ids))})", ids).fetchall()
        by_id = {}
        for paper_id, key, title, year, data in rows:
            values = unpack_values(data)
            authors = values.get("authors")
            by_id[paper_id] = Candidate(
                paper_id, key, title, values.get("abstract"), year,
                people=json.dumps(authors) if authors else "", venue=values.get("venue", ""),
                editors=_editors(values.get("editors"), values.get("fields", {}).get("editor")))
        return [by_id.get(i) for i in ids]

    def papers_by_id(self, paper_ids: Iterable[int]) -> dict[int, Paper]:
        """These papers, by id (those that exist). Each is a copy of its own: a caller may
        set its fields (not change its lists in place) without changing what is kept."""
        ids = list(paper_ids)
        if not ids:
            return {}
        found = self._shown.get_many(ids, self._read_papers)
        return {paper_id: copy.copy(paper) for paper_id, paper in found.items()
                if paper is not None}

    def _read_papers(self, ids: list[int]) -> list[Paper | None]:
        """The papers with these ids, in their order (None for an id no paper has)."""
        rows = self.conn.execute(
            f"SELECT id, title, data FROM papers WHERE id IN ({','.join('?' * len(ids))})",
            ids)
        by_id = {row[0]: unpack(row[2], row[1]) for row in rows}
        return [by_id.get(paper_id) for paper_id in ids]

    def document_frequency(self, term: str) -> int:
        """How many papers have this word (see `FullTextIndex.document_frequency`)."""
        return self.full_text.document_frequency(term)

    def has_term_with_prefix(self, prefix: str) -> bool:
        """Whether any indexed word starts with `prefix`."""
        return self.full_text.has_term_with_prefix(prefix)

    def completions(self, prefix: str, limit: int) -> tuple[list[str], int]:
        """The commonest words starting with `prefix`, and their papers between them."""
        return self.full_text.completions(prefix, limit)

    def terms_between(self, low: str, high: str) -> list[tuple[str, int]]:
        """Vocabulary words from `low` up to `high`, with their paper counts."""
        return self.full_text.terms_between(low, high)

    def paper_total(self) -> int:
        """How many papers there are; looked up again only after the index changed (the
        ranker asks on every keystroke)."""
        version = self.db.data_version()
        if self._total is None or self._total[0] != version:
            self._total = (version, self.paper_counts()[0])
        return self._total[1]


def _editors(editors: list[str] | None, bibtex_editor: str | None) -> str:
    """The editors as a JSON list: the paper's own, else its .bib entry's `editor` field."""
    if editors or not bibtex_editor:
        return json.dumps(editors) if editors else ""
    return json.dumps(editors_of(Paper(fields={"editor": bibtex_editor})))


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
