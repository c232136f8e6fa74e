"""The index's schema, as numbered steps; a database is brought up to date when opened."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from citels.merge import hash_of_stored, short_of_long_id, stored_json
from citels.papers import Paper
from citels.store.packing import pack, unpack

# FTS5 folds case and diacritics itself; text is also folded in Python before it is indexed
# (Greek letters, apostrophes: see text.fold_for_search), so `tulu` finds TÜLU and `mup` u-μP.
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
# The full-text indexes as schema steps 3 and 5 made them; a first index's helper process
# builds them like this in a database of its own (bulk.IndexesAside). A step that changes
# one must keep its own copy of the old text and change these.
TITLES_FTS = f"""CREATE VIRTUAL TABLE titles_fts USING fts5(
            title, aliases, key, content = '', detail = none, prefix = '1 2 3',
            tokenize = '{FTS_TOKENIZER}'
        )"""
TEXTS_FTS = f"""CREATE VIRTUAL TABLE texts_fts USING fts5(
            words, content = '', detail = none, tokenize = '{FTS_TOKENIZER}'
        )"""
TEXTS_VOCAB = "CREATE VIRTUAL TABLE texts_vocab USING fts5vocab(texts_fts, 'row')"
WORKS_FTS = f"""CREATE VIRTUAL TABLE works_fts USING fts5(
            names, title, facets, content = '', detail = column, prefix = '2 3',
            tokenize = '{FTS_TOKENIZER}'
        )"""
WORKS_VOCAB = "CREATE VIRTUAL TABLE works_vocab USING fts5vocab(works_fts, 'col')"
# Each full-text index: how it is made, and the vocabulary view made on it (if any).
FULL_TEXT_INDEXES = {"titles_fts": (TITLES_FTS, None), "texts_fts": (TEXTS_FTS, TEXTS_VOCAB),
                     "works_fts": (WORKS_FTS, WORKS_VOCAB)}


def _v1() -> str:
    return f"""
        CREATE TABLE files (
            path TEXT PRIMARY KEY,   -- absolute path of a corpus file
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            records INTEGER NOT NULL,
            warnings TEXT NOT NULL   -- JSON list of messages about the file
        );
        CREATE TABLE records (       -- every paper record as read, before merging
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL REFERENCES files(path),
            line INTEGER NOT NULL,
            merge_id TEXT NOT NULL,  -- records with the same merge_id are one paper
            data TEXT NOT NULL       -- JSON of the Paper record ('' since schema 4: see _v4)
        );
        CREATE INDEX records_file ON records(file);
        CREATE INDEX records_merge_id ON records(merge_id);
        CREATE TABLE keys (          -- every key ever assigned: a key never changes once given
            merge_id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            key_lower TEXT NOT NULL UNIQUE
        );
        CREATE TABLE papers (        -- merged papers, one row each
            id INTEGER PRIMARY KEY,
            merge_id TEXT NOT NULL UNIQUE,
            key TEXT NOT NULL UNIQUE,
            key_lower TEXT NOT NULL UNIQUE,
            title TEXT,
            year INTEGER,
            content_hash TEXT NOT NULL,
            data TEXT NOT NULL       -- JSON of the merged Paper
        );
        CREATE VIRTUAL TABLE papers_fts USING fts5(
            title, abstract, key, tokenize = '{FTS_TOKENIZER}'
        );
        CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        """


def _v2() -> str:
    # An aliases column (other spellings: camel-case parts, squashed names, acronyms) and a
    # vocabulary view for typo correction. The FTS rows are refilled by the store on open.
    return f"""
        DROP TABLE papers_fts;
        CREATE VIRTUAL TABLE papers_fts USING fts5(
            title, abstract, key, aliases, tokenize = '{FTS_TOKENIZER}'
        );
        CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, 'row');
        INSERT OR REPLACE INTO meta (name, value) VALUES ('fts_needs_rebuild', '1');
        """


def _v3() -> str:
    # Two lean full-text indexes instead of one that stored every abstract twice, so a
    # keystroke costs the same at a million papers as at a thousand. Neither keeps word
    # positions (no phrase or column is ever asked of them; the ranker checks those):
    # - titles_fts: title words, their other spellings and the key, with prefix indexes for
    #   the word being typed; its rowid puts short titles first (see rows.title_rowid), so
    #   a query stops after the first matches instead of scoring every match.
    # - texts_fts: every significant word of title and abstract, for papers a writer knows
    #   by what their abstract says.
    # Both are contentless: the store re-derives a paper's index text to delete it.
    # vocabulary: how many papers have each word, for idf weights and typo correction.
    return f"""
        DROP TABLE papers_vocab;
        DROP TABLE papers_fts;
        {TITLES_FTS};
        {TEXTS_FTS};
        {TEXTS_VOCAB};
        CREATE TABLE vocabulary (
            term TEXT PRIMARY KEY,
            papers INTEGER NOT NULL  -- how many papers have the word
        ) WITHOUT ROWID;
        INSERT OR REPLACE INTO meta (name, value) VALUES ('fts_needs_rebuild', '1');
        """


def _v4() -> str:
    # No change of shape, one of meaning: records.data may be '' (rows.ONLY_RECORD)
    # when a first index wrote the paper's only record: the paper's data is that record
    # merged (Store.records_for). An older citels would read '' as broken JSON, so it is
    # told the index is newer than it.
    return "SELECT 1"


def _v5() -> str:
    # Papers found by who wrote them, where and when, and by their identifiers:
    # - works_fts: people's names, title words, facets (venue words, year), with column
    #   detail so a word's papers are counted per column (a surname is told from a title
    #   word) and a year asked only of the facets; its rowid puts the newest papers first
    #   (index_text.work_rowid), so a surname alone lists that person's latest work.
    # - identifiers: every identifier a paper carries, normalised, for an exact lookup.
    # The store refills both from the papers on open.
    return f"""
        {WORKS_FTS};
        {WORKS_VOCAB};
        CREATE TABLE identifiers (
            scheme TEXT NOT NULL,    -- doi, arxiv, pmid, pmcid, isbn, openalex, s2, s2paper
            value TEXT NOT NULL,     -- normal form (corpus/identifiers.py)
            paper_id INTEGER NOT NULL,
            PRIMARY KEY (scheme, value, paper_id)
        ) WITHOUT ROWID;
        CREATE INDEX identifiers_paper ON identifiers(paper_id);
        INSERT OR REPLACE INTO meta (name, value) VALUES ('fts_needs_rebuild', '1');
        """


def _v6() -> str:
    # An index half the size (issue 20: 4.1 KB a paper at 200k, target 2 KB):
    # - merge ids are 18-character digests instead of the normalised title (merge.corpus_id):
    #   the index keeps them in five places;
    # - a paper's JSON leaves out its empty values and its title (a column already) and is
    #   compressed (store/packing.py); records keep theirs the same way, title and all;
    #   the content hash is of the title and the new JSON;
    # - papers.key is no longer an index of its own: key_lower's is enough;
    # - keys is a WITHOUT ROWID table: one b-tree instead of a table and its index.
    # The functions are `_STEP_FUNCTIONS`, defined for the migration only.
    return """
        CREATE TABLE papers_v6 (
            id INTEGER PRIMARY KEY,
            merge_id TEXT NOT NULL UNIQUE,
            key TEXT NOT NULL,       -- unique as key_lower is
            key_lower TEXT NOT NULL UNIQUE,
            title TEXT,
            year INTEGER,
            content_hash TEXT NOT NULL,
            data BLOB NOT NULL       -- the merged Paper's JSON but its title, packed
        );
        INSERT INTO papers_v6 SELECT id, citels_short_merge_id(merge_id), key, key_lower,
            title, year, citels_rehash(title, data), citels_repack_paper(title, data)
            FROM papers;
        DROP TABLE papers;
        ALTER TABLE papers_v6 RENAME TO papers;
        UPDATE records SET merge_id = citels_short_merge_id(merge_id),
            data = CASE WHEN data = '' THEN '' ELSE citels_repack_record(data) END;
        CREATE TABLE keys_v6 (
            merge_id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            key_lower TEXT NOT NULL UNIQUE
        ) WITHOUT ROWID;
        INSERT INTO keys_v6 SELECT citels_short_merge_id(merge_id), key, key_lower FROM keys;
        DROP TABLE keys;
        ALTER TABLE keys_v6 RENAME TO keys;
        """


def _stored_paper(data: str | bytes, title: str | None = None) -> Paper:
    # Plain JSON before schema 6; packed already if an older step's tables were remade
    # from packed papers (as tests of the older steps do).
    if isinstance(data, bytes):
        return unpack(data, title)
    return Paper.from_dict(json.loads(data))


def _repack_paper(title: str | None, data: str | bytes) -> bytes:
    return pack(stored_json(_stored_paper(data, title)))


def _repack_record(data: str | bytes) -> bytes:
    return pack(stored_json(_stored_paper(data), with_title=True))


def _rehash(title: str | None, data: str | bytes) -> str:
    paper = _stored_paper(data, title)
    return hash_of_stored(paper.title, stored_json(paper))


# Python functions the steps' SQL calls (each a pure function of its argument).
_STEP_FUNCTIONS: dict[str, Callable[[Any], object]] = {
    "citels_short_merge_id": short_of_long_id,
    "citels_repack_paper": _repack_paper,
    "citels_repack_record": _repack_record,
    "citels_rehash": _rehash,
}


def _v7() -> str:
    # A .bib file's blocks (one per entry, corpus/bib_blocks.py) as last read, so that a
    # save re-reads only the entries whose text changed; and what the file used of its
    # library (the other .bib files of its folder) when it was read.
    return """
        CREATE TABLE bib_blocks (
            file TEXT NOT NULL,       -- a .bib file of the files table
            line INTEGER NOT NULL,    -- the block's first line
            digest TEXT NOT NULL,     -- hash of the block's text
            keys TEXT NOT NULL,       -- the keys its entries define, lower-cased, a line each
            merge_ids TEXT NOT NULL,  -- the merge ids of its records, a line each
            warnings TEXT NOT NULL    -- JSON [[line within the block, message], ...] or ''
        );
        CREATE INDEX bib_blocks_file ON bib_blocks(file);
        CREATE TABLE bib_context (
            file TEXT PRIMARY KEY,
            digest TEXT NOT NULL,           -- hash of the library's macros (and files)
            foreign_parents INTEGER NOT NULL  -- 1: it names parents other files hold
        );
        """


def _v8() -> str:
    # People's names a typed word is corrected to when it is no word of any paper
    # ("vaswnai" -> vaswani): how many papers have each word of a name, as `vocabulary`
    # has for the texts. Filled from the works index here, and again by every index run
    # (a large corpus keeps only the names common enough to be worth a correction: as
    # many papers as FullTextIndex.vocabulary_threshold asks of a word).
    return """
        CREATE TABLE name_vocabulary (
            term TEXT PRIMARY KEY,
            papers INTEGER NOT NULL  -- how many papers have the word in a person's name
        ) WITHOUT ROWID;
        INSERT INTO name_vocabulary (term, papers)
            SELECT term, doc FROM works_vocab WHERE col = 'names'
            AND doc >= (SELECT max(1, count(*) / 50000) FROM papers);
        """


def _v9() -> str:
    # A record names its file by the file's number, not its path: the path on every record
    # and in the records' index of files was ~120 of the 2,000 bytes a paper takes at
    # three million papers (issue 20). A file keeps its number while the index knows it
    # (CorpusRecords.put_file changes its row in place). A record of a file the files
    # table lacks (none should be) gets a row that says nothing is known of it, so the
    # next index run reads the file again, or forgets it if it is gone.
    # The identifiers lose their index by paper: a paper's are deleted as the very rows
    # they were added as (WorksIndex.write_rows), as its full-text rows are.
    return """
        DROP INDEX IF EXISTS identifiers_paper;
        CREATE TABLE files_v9 (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,  -- absolute path of a corpus file
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            records INTEGER NOT NULL,
            warnings TEXT NOT NULL   -- JSON list of messages about the file
        );
        INSERT INTO files_v9 (path, size, mtime_ns, sha256, records, warnings)
            SELECT path, size, mtime_ns, sha256, records, warnings FROM files ORDER BY path;
        INSERT INTO files_v9 (path, size, mtime_ns, sha256, records, warnings)
            SELECT DISTINCT file, -1, -1, '', 0, '[]' FROM records
            WHERE file NOT IN (SELECT path FROM files) ORDER BY file;
        CREATE TABLE records_v9 (   -- every paper record as read, before merging
            id INTEGER PRIMARY KEY,
            file INTEGER NOT NULL REFERENCES files(id),
            line INTEGER NOT NULL,
            merge_id TEXT NOT NULL,  -- records with the same merge_id are one paper
            data BLOB NOT NULL       -- the record packed, or '' (see _v4)
        );
        INSERT INTO records_v9 (id, file, line, merge_id, data)
            SELECT r.id, f.id, r.line, r.merge_id, r.data
            FROM records r JOIN files_v9 f ON f.path = r.file ORDER BY r.id;
        DROP TABLE records;
        DROP TABLE files;
        ALTER TABLE files_v9 RENAME TO files;
        ALTER TABLE records_v9 RENAME TO records;
        CREATE INDEX records_file ON records(file);
        CREATE INDEX records_merge_id ON records(merge_id);
        """


# Each returns the SQL of one step.
MIGRATIONS: list[Callable[[], str]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The database was written by a newer citels than this one."""


def migrate(conn: sqlite3.Connection) -> None:
    """Apply every step the database has not had yet (`conn` in autocommit mode).

    Two processes may open one new index at the same moment (two servers on one new
    workspace, or a server and the first index it started): the version is read again once
    this connection holds the write lock, so the one that waited finds the steps made
    instead of failing with "table already exists"."""
    version = _version(conn)
    for name, function in _STEP_FUNCTIONS.items():
        conn.create_function(name, function.__code__.co_argcount, function, deterministic=True)
    if version == SCHEMA_VERSION:
        return
    # Every step and the version number in one transaction, so they land together or not
    # at all; one commit, not one a step: a new index took 35 ms to make with eight, 8 ms
    # with one (a server opens a new workspace's index on its way to the first completion).
    # Statement by statement: executescript would commit the transaction first.
    conn.execute("BEGIN IMMEDIATE")  # waits (busy_timeout) for another connection's steps
    try:
        version = _version(conn)
        for step in MIGRATIONS[version:]:
            for statement in _statements(step()):
                conn.execute(statement)
        if version == 0:
            # A new index has no rows for the steps' rebuild of the full-text indexes to
            # refill: the store opening it need not write (another process may be writing
            # its first index by then, and a rebuild would wait for that run's commit).
            conn.execute("DELETE FROM meta WHERE name = 'fts_needs_rebuild'")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _version(conn: sqlite3.Connection) -> int:
    """The database's schema version; SchemaTooNew when a newer citels wrote it."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"index schema version {version} is newer than this citels ({SCHEMA_VERSION})"
        )
    return version


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of a step's script, one at a time (a ';' inside a string, a
    comment or a trigger's body is not an end: SQLite's own test says when one is)."""
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \t\n;"):
                yield statement
            statement = ""
