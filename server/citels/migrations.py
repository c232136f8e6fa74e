"""The index's schema, as numbered steps; a database is brought up to date when opened."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# FTS5 folds case and diacritics itself; text is also folded in Python before it is indexed
# (Greek letters, apostrophes: see text.fold_for_search), so `tulu` finds TÜLU and `mup` u-μP.
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


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
            data TEXT NOT NULL       -- JSON of the Paper record
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


MIGRATIONS: list[Callable[[], str]] = [_v1, _v2]  # each returns the SQL of one step
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The database was written by a newer citels than this one."""


def migrate(conn: sqlite3.Connection) -> None:
    """Apply every step the database has not had yet."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"index schema version {version} is newer than this citels ({SCHEMA_VERSION})"
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        # One script per step, so a step and its version number land together or not at all.
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE; {step()}; PRAGMA user_version = {number}; COMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.rollback()
            raise
