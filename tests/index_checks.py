"""Checks of an index's full-text tables that several tests make."""

from __future__ import annotations

from citels.store import Store

FULL_TEXT_TABLES = ("titles_fts", "texts_fts", "works_fts")


def assert_indexes_in_one_segment(store: Store) -> None:
    """Each full-text index in one segment after a first index, merging as FTS5 does by
    default from then on (4 segments at a level), and whole by its integrity check."""
    for table in FULL_TEXT_TABLES:
        assert store.conn.execute(f"SELECT v FROM {table}_config WHERE k = 'automerge'"
                                  ).fetchone() == (4,), table
        assert store.conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx"
                                  ).fetchone() == (1,), table
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
